"""Our sync and async dedicated-gateway clients and the CLI against the emulator; ClientKey errors.

Expected PEMs come from the emulator's own key list (`GET /_emulator/keys`), never from us.
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric import ec, rsa

import kms_pubkey
from kms_pubkey import AuthError, NotFoundError, TransportError, ValidationError
from kms_pubkey.vendor import error_from_response
from kms_pubkey_alibaba import AlibabaKmsInstanceClient, AsyncAlibabaKmsInstanceClient
from kms_pubkey_alibaba.client_key import load_client_key
from kms_pubkey_alibaba.instance_client import ALIBABA_INSTANCE
from kms_pubkey_alibaba.instance_proto import Error


def decode_error(response):
    return error_from_response(ALIBABA_INSTANCE, response)


pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def material(emulator: Any) -> Any:
    from kms_pubkey_emulator.vendors.alibaba_instance import client_key

    return client_key(emulator.state)


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


def test_async_client_fetches_every_key(emulator: Any, material: Any, listed: list[dict[str, Any]]) -> None:
    async def main() -> list[str]:
        async with AsyncAlibabaKmsInstanceClient(
            emulator.url,
            client_key_file=material.client_key_file,
            client_key_password=material.password,
            timeout=10,
            max_retries=0,
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


def test_async_unknown_key_is_not_found(emulator: Any, material: Any) -> None:
    async def main() -> None:
        async with AsyncAlibabaKmsInstanceClient(
            emulator.url,
            client_key_file=material.client_key_file,
            client_key_password=material.password,
            max_retries=0,
        ) as client:
            await client.get_public_key("alias/does-not-exist")

    with pytest.raises(NotFoundError):
        asyncio.run(main())


def test_clock_more_than_15_minutes_off_is_refused(
    emulator: Any, material: Any, listed: list[dict[str, Any]]
) -> None:
    late = lambda: datetime.now(UTC) - timedelta(minutes=16)  # noqa: E731
    with _client(emulator, material, clock=late) as client, pytest.raises(AuthError) as caught:
        client.get_public_key(listed[0]["key_id"])
    assert caught.value.code == "RequestTimeTooSkewed"
    # 14 minutes off is still accepted
    near = lambda: datetime.now(UTC) - timedelta(minutes=14)  # noqa: E731
    with _client(emulator, material, clock=near) as client:
        assert client.get_public_key(listed[0]["key_id"]).pem == listed[0]["public_key_pem"]


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


# ---------------------------------------------------------------- ClientKey files and arguments


def test_client_key_loads(material: Any) -> None:
    key = load_client_key(material.client_key_file, material.password)
    assert key.key_id == material.key_id
    assert material.password not in repr(key)


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        ("not json", "not JSON"),
        ("[1]", "not a JSON object"),
        ('{"PrivateKeyData": "AAAA"}', "no KeyId"),
        ('{"KeyId": "KAAP.x"}', "no PrivateKeyData"),
        ('{"KeyId": "KAAP.x", "PrivateKeyData": "***"}', "not base64"),
        ('{"KeyId": "KAAP.x", "PrivateKeyData": "AAAA"}', "cannot open"),
    ],
)
def test_bad_client_key_files(tmp_path: Path, content: str, fragment: str) -> None:
    path = tmp_path / "ck.json"
    path.write_text(content)
    with pytest.raises(ValidationError) as caught:
        load_client_key(path, "s3cret-pw")
    assert fragment in str(caught.value)
    assert "s3cret-pw" not in str(caught.value)


def test_wrong_password_and_missing_file(material: Any, tmp_path: Path) -> None:
    with pytest.raises(ValidationError) as caught:
        load_client_key(material.client_key_file, "definitely-wrong")
    message = str(caught.value)
    assert "wrong password" in message and "definitely-wrong" not in message
    assert material.password not in message
    document = json.loads(material.client_key_file.read_text())
    assert document["PrivateKeyData"][:40] not in message
    with pytest.raises(ValidationError):
        load_client_key(tmp_path / "nope.json", "pw")
    with pytest.raises(ValidationError):
        load_client_key(material.client_key_file, None)


def test_without_a_password_or_its_file_the_cli_says_what_is_missing(tmp_path: Path) -> None:
    lone = tmp_path / "clientKey_KAAP.lone.json"
    lone.write_text('{"KeyId": "KAAP.lone", "PrivateKeyData": ""}', encoding="utf-8")
    result = _cli(["key", "--client-key-file", str(lone), "--endpoint", "http://127.0.0.1:9"], {})
    assert result.returncode == 1
    assert "clientKey_KAAP.lone_Password.txt" in result.stderr and "Traceback" not in result.stderr


def test_non_rsa_client_key_is_refused(tmp_path: Path) -> None:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.serialization import pkcs12

    blob = pkcs12.serialize_key_and_certificates(
        b"x",
        ec.generate_private_key(ec.SECP256R1()),
        None,
        None,
        serialization.BestAvailableEncryption(b"pw"),
    )
    path = tmp_path / "ec.json"
    path.write_text(json.dumps({"KeyId": "KAAP.ec", "PrivateKeyData": base64.b64encode(blob).decode()}))
    with pytest.raises(ValidationError, match="not RSA"):
        load_client_key(path, "pw")


def test_arguments_are_checked_before_sending(material: Any) -> None:
    with pytest.raises(ValidationError):
        AlibabaKmsInstanceClient("", client_key_file=material.client_key_file, client_key_password="x")
    with pytest.raises(ValidationError):
        AlibabaKmsInstanceClient(
            "ftp://host", client_key_file=material.client_key_file, client_key_password=material.password
        )
    with pytest.raises(ValidationError):
        AlibabaKmsInstanceClient("https://host")  # no ClientKey
    client = AlibabaKmsInstanceClient(
        "kst-abc.cryptoservice.kms.aliyuncs.com",
        client_key_file=material.client_key_file,
        client_key_password=material.password,
    )
    assert client.endpoint == "https://kst-abc.cryptoservice.kms.aliyuncs.com"
    with client:
        for bad in ("", "   ", "k" * 2049, None):
            with pytest.raises(ValidationError):
                client.get_public_key(bad)  # type: ignore[arg-type]


# ---------------------------------------------------------------- error mapping, offline


@pytest.mark.parametrize(
    ("status", "code", "cls"),
    [
        (404, "Forbidden.KeyNotFound", kms_pubkey.NotFoundError),
        (401, "Rejected.Unauthorized", kms_pubkey.AuthError),
        (400, "RequestTimeTooSkewed", kms_pubkey.AuthError),
        (429, "Rejected.Throttling", kms_pubkey.ThrottlingError),
        (400, "Rejected.Throttling", kms_pubkey.ThrottlingError),
        (403, "Some.NewCode", kms_pubkey.AuthError),
        (400, "InvalidParam", kms_pubkey.ApiError),
        (500, "InternalFailure", kms_pubkey.ApiError),
    ],
)
def test_error_mapping(status: int, code: str, cls: type[kms_pubkey.ApiError]) -> None:
    body = Error(status_code=status, error_code=code, error_message="m", request_id="rid").encode()
    error = decode_error(httpx.Response(status, content=body))
    assert type(error) is cls
    assert (error.code, error.message, error.request_id, error.status_code) == (code, "m", "rid", status)


def test_unreadable_error_body_falls_back_to_status() -> None:
    error = decode_error(httpx.Response(502, content=b"<html>bad gateway</html>"))
    assert type(error) is kms_pubkey.ApiError and error.status_code == 502
    assert type(decode_error(httpx.Response(404, content=b""))) is kms_pubkey.NotFoundError


def test_garbage_200_is_response_error(material: Any) -> None:
    transport = httpx.MockTransport(lambda request: httpx.Response(200, content=b"\x0f\xff"))
    with (
        AlibabaKmsInstanceClient(
            "https://h",
            client_key_file=material.client_key_file,
            client_key_password=material.password,
            transport=transport,
        ) as client,
        pytest.raises(kms_pubkey.ResponseError),
    ):
        client.get_public_key("k")
