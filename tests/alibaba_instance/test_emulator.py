"""Our sync and async dedicated-gateway clients and the CLI against the emulator.

Expected PEMs come from the emulator's own key list (`GET /_emulator/keys`), never from us.
"""

from __future__ import annotations

import asyncio
import base64
import json
import logging
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

import kms_pubkey
from kms_pubkey import AuthError, NotFoundError, TransportError, ValidationError
from kms_pubkey_alibaba import AlibabaKmsInstanceClient, AsyncAlibabaKmsInstanceClient
from tests.support.transports import ASYNC_TRANSPORTS, transport_args

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def listed(emulator: Any) -> list[dict[str, Any]]:
    keys = [k for k in emulator.admin_keys() if k["vendor"] == "alibaba" and k["enabled"]]
    assert keys
    return keys


def _client(emulator: Any, material: Any, **kwargs: Any) -> AlibabaKmsInstanceClient:
    return AlibabaKmsInstanceClient(
        emulator.url,
        client_key_file=material.client_key_file,
        client_key_password=material.password,
        timeout=10,
        max_retries=0,
        **kwargs,
    )


def test_sync_client_fetches_every_key(emulator: Any, material: Any, listed: list[dict[str, Any]]) -> None:
    with _client(emulator, material) as client:
        for key in listed:
            got = client.get_public_key(key["key_id"])
            assert got.pem == key["public_key_pem"]
            assert got.key_spec == key["key_spec"]  # Alibaba's vocabulary, derived from the key
            assert (got.vendor, got.key_id) == ("alibaba", key["key_id"])
            assert got.request_id
        by_alias = client.get_public_key(listed[0]["aliases"][0])
        assert by_alias.pem == listed[0]["public_key_pem"]


@pytest.mark.parametrize("transport", ASYNC_TRANSPORTS)
def test_async_client_fetches_every_key(
    emulator: Any, material: Any, listed: list[dict[str, Any]], transport: str
) -> None:
    async def main() -> list[str]:
        async with AsyncAlibabaKmsInstanceClient(
            emulator.url,
            client_key_file=material.client_key_file,
            client_key_password=material.password,
            timeout=10,
            max_retries=0,
            **transport_args(transport),
        ) as client:
            found = await asyncio.gather(*(client.get_public_key(k["key_id"]) for k in listed))
            return [key.pem for key in found]

    assert asyncio.run(main()) == [k["public_key_pem"] for k in listed]


class _Tamper(httpx.HTTPTransport):
    """Flips one byte of the signature on the way out: a real request, a wrong signature."""

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        sig = bytearray(base64.b64decode(request.headers["authorization"].removeprefix("Bearer ")))
        sig[len(sig) // 2] ^= 0x01
        request.headers["authorization"] = "Bearer " + base64.b64encode(bytes(sig)).decode()
        return super().handle_request(request)


def test_tampered_signature_is_auth_error(emulator: Any, material: Any, listed: list[dict[str, Any]]) -> None:
    with _client(emulator, material, transport=_Tamper()) as client, pytest.raises(AuthError) as caught:
        client.get_public_key(listed[0]["key_id"])
    assert caught.value.status_code == 401
    assert caught.value.code == "Rejected.Unauthorized"
    assert caught.value.request_id


def test_wrong_client_key_is_auth_error(
    emulator: Any, material: Any, listed: list[dict[str, Any]], tmp_path: Path
) -> None:
    from kms_pubkey_emulator.vendors.alibaba_instance import client_key_document

    rogue = tmp_path / "rogue.json"
    rogue.write_text(client_key_document(material.key_id, rsa.generate_private_key(65537, 2048), "pw"))
    with (
        AlibabaKmsInstanceClient(
            emulator.url, client_key_file=rogue, client_key_password="pw", max_retries=0
        ) as client,
        pytest.raises(AuthError),
    ):
        client.get_public_key(listed[0]["key_id"])


def test_unknown_key_is_not_found(emulator: Any, material: Any) -> None:
    with _client(emulator, material) as client, pytest.raises(NotFoundError) as caught:
        client.get_public_key("key-does-not-exist")
    assert (caught.value.status_code, caught.value.code) == (404, "Forbidden.KeyNotFound")


@pytest.mark.parametrize("transport", ASYNC_TRANSPORTS)
def test_async_unknown_key_is_not_found(emulator: Any, material: Any, transport: str) -> None:
    async def main() -> None:
        async with AsyncAlibabaKmsInstanceClient(
            emulator.url,
            client_key_file=material.client_key_file,
            client_key_password=material.password,
            max_retries=0,
            **transport_args(transport),
        ) as client:
            await client.get_public_key("alias/does-not-exist")

    with pytest.raises(NotFoundError):
        asyncio.run(main())


def test_clock_more_than_15_minutes_off_is_refused_then_corrected(
    emulator: Any, material: Any, listed: list[dict[str, Any]], caplog: pytest.LogCaptureFixture
) -> None:
    """The gateway refuses the date (RequestTimeTooSkewed); the client corrects its clock from the
    answer's Date, once (tests/reliability/test_clock_skew.py counts requests)."""
    caplog.set_level(logging.INFO, logger="kms_pubkey")
    late = lambda: datetime.now(UTC) - timedelta(minutes=16)  # noqa: E731
    with _client(emulator, material, clock=late) as client:
        assert client.get_public_key(listed[0]["key_id"]).pem == listed[0]["public_key_pem"]
    corrections = [r.getMessage() for r in caplog.records if "corrected the clock" in r.getMessage()]
    assert len(corrections) == 1
    assert "RequestTimeTooSkewed" in corrections[0]
    # 14 minutes off is still accepted, with no correction
    caplog.clear()
    near = lambda: datetime.now(UTC) - timedelta(minutes=14)  # noqa: E731
    with _client(emulator, material, clock=near) as client:
        assert client.get_public_key(listed[0]["key_id"]).pem == listed[0]["public_key_pem"]
    assert not [r for r in caplog.records if "corrected the clock" in r.getMessage()]


def test_disabled_key_is_an_api_error(emulator: Any, material: Any, listed: list[dict[str, Any]]) -> None:
    key_id = listed[0]["key_id"]
    emulator.set_enabled(key_id, False, "alibaba")
    try:
        with _client(emulator, material) as client, pytest.raises(kms_pubkey.ApiError) as caught:
            client.get_public_key(key_id)
        assert caught.value.code == "Forbidden.KeyNotEnabled"
    finally:
        emulator.set_enabled(key_id, True, "alibaba")


def test_tls_verified_against_the_instance_ca(tls_emulator: Any) -> None:
    url, material, keys = tls_emulator
    with AlibabaKmsInstanceClient(
        url,
        client_key_file=material.client_key_file,
        client_key_password=material.password,
        ca_file=material.ca_file,
        max_retries=0,
    ) as client:
        assert client.get_public_key(keys[0].key_id).pem == keys[0].public_key_pem
    # without the instance CA the server's certificate is not trusted
    with (
        AlibabaKmsInstanceClient(
            url,
            client_key_file=material.client_key_file,
            client_key_password=material.password,
            max_retries=0,
        ) as client,
        pytest.raises(TransportError),
    ):
        client.get_public_key(keys[0].key_id)


def test_bad_ca_file_is_validation_error(material: Any, tmp_path: Path) -> None:
    bad = tmp_path / "ca.pem"
    bad.write_text("not a certificate")
    for ca in (bad, tmp_path / "missing.pem"):
        with pytest.raises(ValidationError):
            AlibabaKmsInstanceClient(
                "https://127.0.0.1:1",
                client_key_file=material.client_key_file,
                client_key_password=material.password,
                ca_file=ca,
            )


def _cli(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "kms_pubkey.cli", "get", "alibaba-instance", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, **env},
        check=False,
    )


def test_cli_get_alibaba_instance(emulator: Any, material: Any, listed: list[dict[str, Any]]) -> None:
    key = listed[0]
    common = ["--client-key-file", str(material.client_key_file), "--endpoint", emulator.url]
    result = _cli(
        [key["key_id"], *common, "--client-key-password-env", "DKMS_TEST_PW"],
        {"DKMS_TEST_PW": material.password},
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == key["public_key_pem"]
    result = _cli(
        [
            key["key_id"],
            *common,
            "--client-key-password-file",
            str(material.password_file),
            "--format",
            "json",
        ],
        {},
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["key_spec"] == key["key_spec"]
    # No password flag: the console's password file beside the ClientKey is used.
    assert material.password_file.name == material.client_key_file.stem + "_Password.txt"
    result = _cli([key["key_id"], *common], {})
    assert result.returncode == 0, result.stderr
    assert result.stdout == key["public_key_pem"]
    result = _cli([key["key_id"], *common, "--client-key-password", "wrong-password"], {})
    assert result.returncode == 1
    assert "ValidationError" in result.stderr and "wrong-password" not in result.stderr
    result = _cli(
        ["no-such-key", *common, "--client-key-password-env", "DKMS_TEST_PW"],
        {"DKMS_TEST_PW": material.password},
    )
    assert result.returncode == 1 and "Forbidden.KeyNotFound" in result.stderr


def test_cli_over_tls_with_ca_file(tls_emulator: Any) -> None:
    url, material, keys = tls_emulator
    result = _cli(
        [
            keys[0].key_id,
            "--client-key-file",
            str(material.client_key_file),
            "--endpoint",
            url,
            "--ca-file",
            str(material.ca_file),
            "--client-key-password-env",
            "DKMS_TEST_PW",
        ],
        {"DKMS_TEST_PW": material.password},
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == keys[0].public_key_pem


def test_without_a_password_or_its_file_the_cli_says_what_is_missing(tmp_path: Path) -> None:
    lone = tmp_path / "clientKey_KAAP.lone.json"
    lone.write_text('{"KeyId": "KAAP.lone", "PrivateKeyData": ""}', encoding="utf-8")
    result = _cli(["key", "--client-key-file", str(lone), "--endpoint", "http://127.0.0.1:9"], {})
    assert result.returncode == 1
    assert "clientKey_KAAP.lone_Password.txt" in result.stderr and "Traceback" not in result.stderr
