"""The dedicated-gateway client without a server: its signature against the rule text, arguments, errors.

Expected signature values are built here from the rule, with hashlib and `cryptography` directly:

    POST\\n<SHA-256 of body, upper-case hex>\\n<content-type>\\n<date>\\n
    <x-kms-* headers, lower-case, sorted, "name:trimmed value\\n">/
    Authorization: Bearer base64(RSASSA-PKCS1-v1_5-SHA256(stringToSign))

PKCS#1 v1.5 signatures are deterministic, so the whole Authorization header is compared.
"""

from __future__ import annotations

import base64
import hashlib
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa

import kms_pubkey
from kms_pubkey import ValidationError
from kms_pubkey.vendor import error_from_response
from kms_pubkey_alibaba import AlibabaKmsInstanceClient, instance_auth
from kms_pubkey_alibaba.client_key import ClientKey
from kms_pubkey_alibaba.instance_client import ALIBABA_INSTANCE
from kms_pubkey_alibaba.instance_proto import Error, GetPublicKeyResponse

FIXED = datetime(2020, 2, 6, 7, 32, 54, tzinfo=UTC)


def decode_error(response):
    return error_from_response(ALIBABA_INSTANCE, response)


@pytest.fixture(scope="module")
def rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(65537, 2048)


def expected_bearer(key: rsa.RSAPrivateKey, text: str) -> str:
    raw = key.sign(text.encode("utf-8"), padding.PKCS1v15(), hashes.SHA256())
    return "Bearer " + base64.b64encode(raw).decode("ascii")


def test_string_to_sign_literal() -> None:
    body = b"\x0a\x03abc"
    digest = hashlib.sha256(body).hexdigest().upper()
    headers = [
        ("x-kms-signaturemethod", "RSA_PKCS1_SHA_256"),
        ("X-KMS-ApiName", " GetPublicKey "),
        ("x-kms-apiversion", "dkms-gcs-0.2"),
        ("x-kms-acccesskeyid", "KAAP.1234"),
        ("content-type", "application/x-protobuf"),
        ("user-agent", "not signed"),
    ]
    expected = (
        "POST\n"
        f"{digest}\n"
        "application/x-protobuf\n"
        "Thu, 06 Feb 2020 07:32:54 GMT\n"
        "x-kms-acccesskeyid:KAAP.1234\n"
        "x-kms-apiname:GetPublicKey\n"
        "x-kms-apiversion:dkms-gcs-0.2\n"
        "x-kms-signaturemethod:RSA_PKCS1_SHA_256\n"
        "/"
    )
    got = instance_auth.string_to_sign(
        "POST",
        instance_auth.content_sha256(body),
        "application/x-protobuf",
        instance_auth.http_date(FIXED),
        headers,
    )
    assert got == expected


def test_date_is_rfc1123_gmt_from_any_timezone() -> None:
    from datetime import timedelta, timezone

    east = FIXED.astimezone(timezone(timedelta(hours=8)))
    assert instance_auth.http_date(east) == "Thu, 06 Feb 2020 07:32:54 GMT"


def test_content_sha256_is_upper_hex() -> None:
    assert instance_auth.content_sha256(b"") == (
        "E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855"
    )


def test_signature_is_rsa_pkcs1_sha256(rsa_key: rsa.RSAPrivateKey) -> None:
    text = "POST\nX\napplication/x-protobuf\nd\n/"
    assert instance_auth.authorization(instance_auth.signature(rsa_key, text)) == expected_bearer(
        rsa_key, text
    )


def test_adapter_signs_the_wire_request(rsa_key: rsa.RSAPrivateKey) -> None:
    """Every header the rule names, as sent, and the Authorization recomputed from them."""
    from kms_pubkey_alibaba.instance_client import AlibabaKmsInstanceClient

    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        pem = (
            ec.generate_private_key(ec.SECP256R1())
            .public_key()
            .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
            .decode()
        )
        return httpx.Response(
            200, content=GetPublicKeyResponse(key_id="key-1", public_key=pem, request_id="r").encode()
        )

    client_key = ClientKey("KAAP.abc", rsa_key)
    with AlibabaKmsInstanceClient(
        "https://kst-test.cryptoservice.kms.aliyuncs.com",
        client_key=client_key,
        clock=lambda: FIXED,
        transport=httpx.MockTransport(handler),
    ) as client:
        key = client.get_public_key("key-1")
    assert (key.key_spec, key.key_id, key.request_id, key.vendor) == ("EC_P256", "key-1", "r", "alibaba")
    (request,) = seen
    body = request.content
    assert body == b"\x0a\x05key-1"
    h = request.headers
    assert h["content-type"] == "application/x-protobuf"
    assert h["accept"] == "application/x-protobuf"
    assert h["date"] == "Thu, 06 Feb 2020 07:32:54 GMT"
    assert h["x-kms-apiversion"] == "dkms-gcs-0.2"
    assert h["x-kms-apiname"] == "GetPublicKey"
    assert h["x-kms-signaturemethod"] == "RSA_PKCS1_SHA_256"
    assert h["x-kms-acccesskeyid"] == "KAAP.abc"
    assert h["content-sha256"] == hashlib.sha256(body).hexdigest().upper()
    assert request.url.path == "/"
    text = (
        f"POST\n{hashlib.sha256(body).hexdigest().upper()}\napplication/x-protobuf\n"
        "Thu, 06 Feb 2020 07:32:54 GMT\n"
        "x-kms-acccesskeyid:KAAP.abc\nx-kms-apiname:GetPublicKey\n"
        "x-kms-apiversion:dkms-gcs-0.2\nx-kms-signaturemethod:RSA_PKCS1_SHA_256\n/"
    )
    assert h["authorization"] == expected_bearer(rsa_key, text)


def test_every_retry_is_signed_afresh(rsa_key: rsa.RSAPrivateKey, monkeypatch: pytest.MonkeyPatch) -> None:
    from kms_pubkey_alibaba.instance_client import AlibabaKmsInstanceClient

    times = iter([FIXED, FIXED.replace(second=59)])
    dates: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        dates.append(request.headers["date"])
        pub = rsa_key.public_key()
        text = (
            f"POST\n{request.headers['content-sha256']}\napplication/x-protobuf\n{request.headers['date']}\n"
            f"x-kms-acccesskeyid:KAAP.abc\nx-kms-apiname:GetPublicKey\n"
            "x-kms-apiversion:dkms-gcs-0.2\nx-kms-signaturemethod:RSA_PKCS1_SHA_256\n/"
        )
        sig = base64.b64decode(request.headers["authorization"].removeprefix("Bearer "))
        pub.verify(sig, text.encode(), padding.PKCS1v15(), hashes.SHA256())
        return httpx.Response(503, content=b"")

    from kms_pubkey import ApiError

    with AlibabaKmsInstanceClient(
        "https://kst-test.cryptoservice.kms.aliyuncs.com",
        client_key=ClientKey("KAAP.abc", rsa_key),
        clock=lambda: next(times),
        transport=httpx.MockTransport(handler),
        max_retries=1,
    ) as client:
        import kms_pubkey.transport as transport

        monkeypatch.setattr(transport, "default_sleep", lambda seconds: None)
        with pytest.raises(ApiError):
            client.get_public_key("key-1")
    assert dates == ["Thu, 06 Feb 2020 07:32:54 GMT", "Thu, 06 Feb 2020 07:32:59 GMT"]


def test_auth_repr_shows_no_key(rsa_key: rsa.RSAPrivateKey) -> None:
    auth = instance_auth.InstanceAuth(ClientKey("KAAP.abc", rsa_key))
    assert repr(auth) == "InstanceAuth(client_key_id='KAAP.abc')"
    assert "PRIVATE" not in repr(ClientKey("KAAP.abc", rsa_key))


# ---------------------------------------------------------------- arguments and error mapping, offline


@pytest.mark.integration  # `material` comes from the emulator
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


@pytest.mark.integration  # `material` comes from the emulator
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
