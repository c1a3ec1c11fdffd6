"""Huawei against the emulator: our sync/async clients, the raw service shapes, the CLI."""

from __future__ import annotations

import asyncio
import base64
import json
import logging
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives import serialization

import kms_pubkey
from kms_pubkey_huawei import AsyncHuaweiKmsClient, HuaweiKmsClient
from tests.support.transports import ASYNC_TRANSPORTS, transport_args

pytestmark = pytest.mark.integration

UNKNOWN_KEY = "00000000-0000-0000-0000-000000000000"


def ours(emulator: Any, **kwargs: Any) -> HuaweiKmsClient:
    c = emulator.config
    settings: dict[str, Any] = {"project_id": c.huawei_project_id, "endpoint": emulator.url, "max_retries": 0}
    if "auth_token" not in kwargs:
        settings.update(access_key=c.access_key_id, secret_key=c.secret_access_key)
    settings.update(kwargs)
    return HuaweiKmsClient(**settings)


def test_our_sync_client_fetches_every_key_with_aksk_and_token(emulator: Any, huawei_keys: list[Any]) -> None:
    for auth in ({}, {"auth_token": emulator.config.huawei_token}):
        with ours(emulator, **auth) as kms:
            for key in huawei_keys:
                got = kms.get_public_key(key.key_id, sequence="919c82d4-8046-4722-9094-35c3c6524cff")
                assert got.der == key.public_der
                assert got.key_spec == key.key_spec
                assert got.key_id == key.key_id
                assert got.vendor == "huawei"
                assert got.request_id


@pytest.mark.parametrize("transport", ASYNC_TRANSPORTS)
def test_our_async_client_fetches_every_key_with_aksk_and_token(
    emulator: Any, huawei_keys: list[Any], transport: str
) -> None:
    c = emulator.config

    async def run(**auth: Any) -> None:
        if not auth:
            auth = {"access_key": c.access_key_id, "secret_key": c.secret_access_key}
        async with AsyncHuaweiKmsClient(
            project_id=c.huawei_project_id, endpoint=emulator.url, **auth, **transport_args(transport)
        ) as kms:
            for key in huawei_keys:
                got = await kms.get_public_key(key.key_id)
                assert (got.der, got.key_spec) == (key.public_der, key.key_spec)

    asyncio.run(run())
    asyncio.run(run(auth_token=c.huawei_token))


def test_unknown_key_is_not_found(emulator: Any) -> None:
    with ours(emulator) as kms, pytest.raises(kms_pubkey.NotFoundError) as caught:
        kms.get_public_key(UNKNOWN_KEY)
    assert (caught.value.code, caught.value.status_code) == ("KMS.0207", 400)
    assert caught.value.request_id


def test_disabled_key(emulator: Any, huawei_keys: list[Any]) -> None:
    key = huawei_keys[0]
    emulator.set_enabled(key.key_id, False, "huawei")
    try:
        with ours(emulator) as kms, pytest.raises(kms_pubkey.ApiError) as caught:
            kms.get_public_key(key.key_id)
        assert caught.value.code == "KMS.0209"
    finally:
        emulator.set_enabled(key.key_id, True, "huawei")


@pytest.mark.parametrize(
    "kwargs",
    [
        {"secret_key": "wrong-secret"},
        {"access_key": "unknown-access-key"},
        {"auth_token": "wrong-token"},
        {"project_id": "f" * 32},
    ],
)
def test_auth_failures(emulator: Any, huawei_keys: list[Any], kwargs: dict[str, Any]) -> None:
    key = huawei_keys[0]
    with ours(emulator, **kwargs) as kms, pytest.raises(kms_pubkey.AuthError) as caught:
        kms.get_public_key(key.key_id)
    assert (caught.value.status_code, caught.value.code) == (401, "APIGW.0301")


@pytest.mark.parametrize("minutes", [-16, 16])
def test_a_clock_16_minutes_off_is_refused_then_corrected(
    emulator: Any, huawei_keys: list[Any], minutes: int, caplog: pytest.LogCaptureFixture
) -> None:
    """The gateway refuses the X-Sdk-Date (401 APIGW.0301); the client corrects its clock from
    the answer's Date, once (tests/reliability/test_clock_skew.py counts requests)."""
    caplog.set_level(logging.INFO, logger="kms_pubkey")
    key = huawei_keys[0]
    with ours(emulator, clock=lambda: datetime.now(UTC) + timedelta(minutes=minutes)) as kms:
        assert kms.get_public_key(key.key_id).der == key.public_der
    corrections = [r.getMessage() for r in caplog.records if "corrected the clock" in r.getMessage()]
    assert len(corrections) == 1
    assert "HTTP 401 APIGW.0301" in corrections[0]


def test_clock_within_fifteen_minutes_is_accepted(emulator: Any, huawei_keys: list[Any]) -> None:
    key = huawei_keys[0]
    with ours(emulator, clock=lambda: datetime.now(UTC) - timedelta(minutes=14)) as kms:
        assert kms.get_public_key(key.key_id).der == key.public_der


def test_tampered_request_is_refused(emulator: Any, huawei_keys: list[Any]) -> None:
    """Sign one body and send another: the gateway must notice."""
    key = huawei_keys[0]
    c = emulator.config

    def tamper(request: httpx.Request) -> None:
        if request.method == "POST":
            other = json.dumps({"key_id": key.key_id, "sequence": "x" * 36}).encode()
            request.stream = httpx.ByteStream(other)
            request.headers["Content-Length"] = str(len(other))

    with ours(emulator) as kms:
        kms._api.get_httpx_client().event_hooks["request"].append(tamper)
        with pytest.raises(kms_pubkey.AuthError):
            kms.get_public_key(key.key_id)
    assert c.huawei_project_id


def test_raw_error_bodies_are_the_services_shapes(emulator: Any) -> None:
    c = emulator.config
    path = f"/v1.0/{c.huawei_project_id}/kms/get-publickey"
    with httpx.Client(base_url=emulator.url) as http:
        denied = http.post(path, json={"key_id": UNKNOWN_KEY})
        assert denied.status_code == 401
        body = denied.json()
        assert body["error_code"] == "APIGW.0301" and body["request_id"] and body["error_msg"]
        assert denied.headers["X-Request-Id"]
        missing = http.post(f"/v1.0/{c.huawei_project_id}/kms/no-such-api", json={})
        assert (missing.status_code, missing.json()["error_code"]) == (404, "APIGW.0101")
        headers = {"X-Auth-Token": c.huawei_token}
        for payload, code in (
            (b"not json", "KMS.0202"),
            (b"{}", "KMS.0204"),
            (b'{"key_id": "ABC"}', "KMS.0205"),
            (json.dumps({"key_id": UNKNOWN_KEY, "sequence": "short"}).encode(), "KMS.0206"),
            (json.dumps({"key_id": UNKNOWN_KEY}).encode(), "KMS.0207"),
        ):
            answer = http.post(path, content=payload, headers=headers)
            assert answer.status_code == 400
            error = answer.json()["error"]
            assert answer.json() == {"error": {"error_code": code, "error_msg": error["error_msg"]}}


def test_rsa_keys_come_in_the_docs_shape(emulator: Any) -> None:
    c = emulator.config
    key = emulator.key("huawei", "RSA_2048")
    with httpx.Client(base_url=emulator.url) as http:
        answer = http.post(
            f"/v1.0/{c.huawei_project_id}/kms/get-publickey",
            json={"key_id": key.key_id},
            headers={"X-Auth-Token": c.huawei_token},
        )
    pem = answer.json()["public_key"]
    assert pem.startswith("-----BEGIN PUBLIC KEY-----\r\n") and pem.endswith("-----END PUBLIC KEY-----\r\n")
    der = base64.b64decode("".join(pem.split("\r\n")[1:-2]))
    pkcs1 = serialization.load_der_public_key(key.public_der).public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.PKCS1
    )
    assert der == pkcs1


def test_cli_get_huawei(emulator: Any) -> None:
    key = emulator.key("huawei", "EC_P256")
    env = {**emulator.client_env(), "PATH": "", "HOME": "/nonexistent"}
    project = emulator.config.huawei_project_id
    command = [
        sys.executable,
        "-m",
        "kms_pubkey.cli",
        "get",
        "huawei",
        key.key_id,
        "--project-id",
        project,
        "--endpoint",
        emulator.url,
        "--format",
        "json",
    ]
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert base64.b64decode(out["der"]) == key.public_der
    assert (out["vendor"], out["key_spec"], out["key_id"]) == ("huawei", "EC_P256", key.key_id)
    done = subprocess.run(
        [*command[:5], UNKNOWN_KEY, *command[6:]], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 1
    assert "KMS.0207" in done.stderr
    assert emulator.config.secret_access_key not in done.stderr + done.stdout
    done = subprocess.run(
        [*command[:5], "bad-key", *command[6:]], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 1
    assert "ValidationError" in done.stderr and "key_id" in done.stderr
