"""HuaweiKmsClient without a server: validation before sending, the answer, errors, secrets.

A recording httpx transport stands in for the network: it keeps every request that would have
been sent and answers with bodies shaped like the service's (from the API reference).
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Callable
from datetime import UTC, datetime

import httpx
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

import kms_pubkey
from kms_pubkey.credentials import from_arguments
from kms_pubkey.vendor import error_from_response
from kms_pubkey_huawei import AsyncHuaweiKmsClient, HuaweiKmsClient
from kms_pubkey_huawei.client import HUAWEI
from kms_pubkey_huawei.credentials import ARGUMENT_NAMES, resolve_credentials
from tests.support.recording import Recorder


def decode_error(response):
    return error_from_response(HUAWEI, response)

PROJECT = "0123456789abcdef0123456789abcdef"
KEY_ID = "0d0466b0-e727-4d9c-b35d-f84bb474a37f"
AK, SK = "HPUAEXAMPLEACCESSKEY", "secret-key-that-must-never-leak-0123456789"
TOKEN = "MIIsecurity-token-that-must-never-leak"
IAM_TOKEN = "MIIiam-token-that-must-never-leak"
SECRETS = (SK, TOKEN, IAM_TOKEN)
FIXED = datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)
SPKI = serialization.PublicFormat.SubjectPublicKeyInfo

# The seed's 200 example: a PKCS#1 RSAPublicKey body under a PUBLIC KEY label, CRLF line ends.
SEED_PUBLIC_KEY = (
    "-----BEGIN PUBLIC KEY-----\r\nMIICCgKCAgEA3RQAXXwya9k4zV1/Q3AFr37GO8JgFobDKZioAklLQdgElHZ/uxmP\r\n"
    "4bveNHpY6OI0Okk/1Ov8oJf+9W10VqVxbzihWa5n/RMN0720DzLV7KuH4YylCGDb\r\n"
    "3JH/+bMbhF2qRArrrKod0kR9rYHrdPkI7O5fYQQprZ3kWnPgrhDoDFC8ja+OelOg\r\n"
    "n4MMOGGYA/DAOb0XyxPnGl26PnUtvvF7aZbMW5x/Yq2yAVFE1cjqLaH7/j1C8KYE\r\n"
    "aOSYtl2nOif28WoweFavXpgVsb/iICTfqgC91BtCSFC5pT8vqZCimfoHmJCAkZa5\r\n"
    "Z8QIqkOOf9F6iMqqIz7pGKgQSUmoKKY9j6DK3OwXDOB5gKu0vyuz+gW3b4SZn+Xa\r\n"
    "KkEN8ZpXsdQdEGpe4SwIzSVyUGYNBOCLrsydBcPR7jWgQ6gs56IJrV2pdAtmBwKd\r\n"
    "6l33z1tQ7+/h3IrZxXuuej/fRRUMlbVcmhTS2l6vle7HXgZj/dWzPsLLg9MGHu0+\r\n"
    "o9PRr+brxTbrf5e2Zdr1ad35X/b86gx7Grg1sYPkly2aEI4fsnDGPgFrudG+Hzx/\r\n"
    "ABHejYfJEI6P0SXCzB/oDMkjw6XKhTSojMzuncAP/AM+0LVYQxQe750qkb3hjBT0\r\n"
    "q/HBl/4zMXA03tMb9QySnLK63uo64JMJiBsEe7wPLhHB3VzBZk9SvvECAwEAAQ==\r\n"
    "-----END PUBLIC KEY-----\r\n"
)


def ok(public_key: str = SEED_PUBLIC_KEY, key_id: str = KEY_ID) -> Callable[[httpx.Request], httpx.Response]:
    return lambda request: httpx.Response(
        200, json={"key_id": key_id, "public_key": public_key}, headers={"X-Request-Id": "req-1"}
    )


def client(recorder: Recorder, **kwargs: object) -> HuaweiKmsClient:
    settings: dict[str, object] = {
        "project_id": PROJECT, "access_key": AK, "secret_key": SK, "max_retries": 0,
        "clock": lambda: FIXED, "transport": recorder.transport(),
    }
    settings.update(kwargs)
    return HuaweiKmsClient("cn-north-4", **settings)  # type: ignore[arg-type]


# -- the request and the answer ---------------------------------------------------------------

def test_request_shape_and_signature_headers() -> None:
    rec = Recorder(ok())
    with client(rec, security_token=TOKEN) as kms:
        kms.get_public_key(KEY_ID, sequence="919c82d4-8046-4722-9094-35c3c6524cff")
    (sent,) = rec.requests
    assert sent.method == "POST"
    assert str(sent.url) == f"https://kms.cn-north-4.myhuaweicloud.com/v1.0/{PROJECT}/kms/get-publickey"
    assert json.loads(sent.content) == {"key_id": KEY_ID, "sequence": "919c82d4-8046-4722-9094-35c3c6524cff"}
    assert sent.headers["X-Sdk-Date"] == "20240102T030405Z"
    assert sent.headers["X-Project-Id"] == PROJECT
    assert sent.headers["X-Security-Token"] == TOKEN
    assert sent.headers["Authorization"].startswith(f"SDK-HMAC-SHA256 Access={AK}, SignedHeaders=")
    assert "x-security-token" in sent.headers["Authorization"]
    assert "X-Auth-Token" not in sent.headers


def test_seed_example_answer_parses_to_spki_with_huawei_spec() -> None:
    seed_key_id = "bb6a3d22-dc93-47ac-b5bd-88df7ad35f1e"
    rec = Recorder(ok(key_id=seed_key_id))
    with client(rec) as kms:
        key = kms.get_public_key(seed_key_id)
    assert key.vendor == "huawei"
    assert key.key_id == "bb6a3d22-dc93-47ac-b5bd-88df7ad35f1e"
    assert key.request_id == "req-1"
    assert key.key_spec == "RSA_4096"
    # Independent check: cryptography reads the PKCS#1 body and gives the same SPKI.
    body = "".join(SEED_PUBLIC_KEY.replace("\r", "").splitlines()[1:-1])
    pkcs1 = serialization.load_der_public_key(
        serialization.load_pem_public_key(
            f"-----BEGIN RSA PUBLIC KEY-----\n{body}\n-----END RSA PUBLIC KEY-----\n".encode()
        ).public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    assert key.der == pkcs1.public_bytes(serialization.Encoding.DER, SPKI)


def test_ec_key_spec_in_huawei_vocabulary() -> None:
    pem = ec.generate_private_key(ec.SECP256K1()).public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()
    with client(Recorder(ok(pem))) as kms:
        assert kms.get_public_key(KEY_ID).key_spec == "SECP256K1"


def test_async_client_same_answer() -> None:
    rec = Recorder(ok())

    async def run() -> kms_pubkey.PublicKey:
        async with AsyncHuaweiKmsClient(
            "cn-north-4", project_id=PROJECT, access_key=AK, secret_key=SK, clock=lambda: FIXED,
            transport=rec.transport(),
        ) as kms:
            return await kms.get_public_key(KEY_ID)

    key = asyncio.run(run())
    assert key.key_spec == "RSA_4096"
    assert rec.requests[0].headers["Authorization"].startswith("SDK-HMAC-SHA256 ")


@pytest.mark.parametrize(
    "answer",
    [
        httpx.Response(200, json={"key_id": KEY_ID}),
        httpx.Response(200, json={"key_id": KEY_ID, "public_key": None}),
        httpx.Response(200, json={"key_id": KEY_ID, "public_key": "not a key"}),
        httpx.Response(200, json=["a", "list"]),
        httpx.Response(200, content=b"<html>proxy</html>"),
        httpx.Response(200, content=b""),
    ],
)
def test_bad_2xx_answers_are_response_errors(answer: httpx.Response) -> None:
    with client(Recorder(lambda request: answer)) as kms, pytest.raises(kms_pubkey.ResponseError):
        kms.get_public_key(KEY_ID)


# -- validation before sending -----------------------------------------------------------------

@pytest.mark.parametrize(
    ("key_id", "rule"),
    [
        ("0D0466B0-E727-4D9C-B35D-F84BB474A37F", "^[0-9a-z]{8}"),
        ("0d0466b0e7274d9cb35df84bb474a37f", "36 bytes"),
        ("0d0466b0-e727-4d9c-b35d-f84bb474a37f\n", "36 bytes"),
        ("alias/my-key", "36 bytes"),
        ("", "36 bytes"),
        (None, "36 bytes"),
    ],
)
def test_bad_key_id_is_refused_before_sending(key_id: object, rule: str) -> None:
    rec = Recorder(ok())
    with client(rec) as kms, pytest.raises(kms_pubkey.ValidationError, match=re.escape(rule)):
        kms.get_public_key(key_id)  # type: ignore[arg-type]
    assert rec.requests == []


@pytest.mark.parametrize("sequence", ["short", "919c82d4-8046-4722-9094-35c3c6524cff0", "é" * 18 + "x", 36])
def test_bad_sequence_is_refused_before_sending(sequence: object) -> None:
    rec = Recorder(ok())
    with client(rec) as kms, pytest.raises(kms_pubkey.ValidationError, match="sequence must be 36 bytes"):
        kms.get_public_key(KEY_ID, sequence=sequence)  # type: ignore[arg-type]
    assert rec.requests == []


def test_async_validation_before_sending() -> None:
    rec = Recorder(ok())

    async def run() -> None:
        async with AsyncHuaweiKmsClient("cn-north-4", project_id=PROJECT, access_key=AK, secret_key=SK,
                                        transport=rec.transport()) as kms:
            await kms.get_public_key("nope", sequence="x")

    with pytest.raises(kms_pubkey.ValidationError):
        asyncio.run(run())
    assert rec.requests == []


@pytest.mark.parametrize("project_id", ["short", PROJECT + "0", PROJECT[:-1] + "/", PROJECT[:-1] + "é"])
def test_bad_project_id_is_refused(project_id: str) -> None:
    rec = Recorder(ok())
    with pytest.raises(kms_pubkey.ValidationError, match="project_id must be 32 characters"):
        client(rec, project_id=project_id)
    assert rec.requests == []


def test_token_over_plain_http_is_refused_except_to_loopback() -> None:
    with pytest.raises(kms_pubkey.ValidationError, match="https"):
        HuaweiKmsClient(project_id=PROJECT, endpoint="http://kms.example.internal", auth_token=IAM_TOKEN)
    rec = Recorder(ok())
    with HuaweiKmsClient(project_id=PROJECT, endpoint="http://127.0.0.1:9", auth_token=IAM_TOKEN,
                         transport=rec.transport()) as kms:
        kms.get_public_key(KEY_ID)
    (sent,) = rec.requests
    assert sent.headers["X-Auth-Token"] == IAM_TOKEN
    assert "Authorization" not in sent.headers


def test_token_and_keys_together_are_refused() -> None:
    with pytest.raises(kms_pubkey.ValidationError, match="not both"):
        HuaweiKmsClient("cn-north-4", project_id=PROJECT, access_key=AK, secret_key=SK, auth_token=IAM_TOKEN)


# -- errors ------------------------------------------------------------------------------------

def _kms_error(status: int, code: str, msg: str) -> httpx.Response:
    return httpx.Response(status, json={"error": {"error_code": code, "error_msg": msg}},
                          headers={"X-Request-Id": "rid-9"})


def _gateway_error(status: int, code: str, msg: str) -> httpx.Response:
    return httpx.Response(status, json={"error_code": code, "error_msg": msg, "request_id": "gw-7"})


@pytest.mark.parametrize(
    ("answer", "cls", "code"),
    [
        (_kms_error(400, "KMS.0207", "The key does not exist."), kms_pubkey.NotFoundError, "KMS.0207"),
        (_kms_error(400, "KMS.0205", "Invalid key_id."), kms_pubkey.NotFoundError, "KMS.0205"),
        (_kms_error(400, "KMS.0209", "The key has been disabled."), kms_pubkey.ApiError, "KMS.0209"),
        (_kms_error(400, "KMS.0303", "X-Auth-Token has expired."), kms_pubkey.AuthError, "KMS.0303"),
        (_kms_error(403, "KMS.0306", "No permission."), kms_pubkey.AuthError, "KMS.0306"),
        (_kms_error(500, "KMS.0101", "KMS error."), kms_pubkey.ApiError, "KMS.0101"),
        (_gateway_error(401, "APIGW.0301", "Incorrect IAM authentication information: verify aksk signature"),
         kms_pubkey.AuthError, "APIGW.0301"),
        (_gateway_error(403, "APIGW.0302", "The IAM user is not authorized to access the API."),
         kms_pubkey.AuthError, "APIGW.0302"),
        (_gateway_error(429, "APIGW.0308", "The throttling threshold has been reached."),
         kms_pubkey.ThrottlingError, "APIGW.0308"),
        (_gateway_error(404, "APIGW.0101", "The API does not exist or has not been published."),
         kms_pubkey.ApiError, "APIGW.0101"),
        (httpx.Response(403, json={"error": {"code": "EPS.0003", "message": "policy denies"}}),
         kms_pubkey.AuthError, "EPS.0003"),
    ],
)
def test_error_mapping(answer: httpx.Response, cls: type[kms_pubkey.ApiError], code: str) -> None:
    with client(Recorder(lambda request: answer)) as kms, pytest.raises(kms_pubkey.ApiError) as caught:
        kms.get_public_key(KEY_ID)
    error = caught.value
    assert type(error) is cls
    assert error.vendor == "huawei"
    assert error.code == code
    assert error.status_code == answer.status_code
    assert error.request_id in ("rid-9", "gw-7", None)
    assert error.message


@pytest.mark.parametrize(
    ("answer", "cls"),
    [
        (httpx.Response(502, content=b"<html>Bad Gateway</html>"), kms_pubkey.ApiError),
        (httpx.Response(520, content=b""), kms_pubkey.ApiError),
        (httpx.Response(404, content=b"not json"), kms_pubkey.NotFoundError),
        (httpx.Response(401, json={"error": "a string"}), kms_pubkey.AuthError),
        (httpx.Response(400, json={"error": {"error_code": 7, "error_msg": None}}), kms_pubkey.ApiError),
        (httpx.Response(400, json=[1, 2]), kms_pubkey.ApiError),
    ],
)
def test_undecodable_errors_still_map(answer: httpx.Response, cls: type[kms_pubkey.ApiError]) -> None:
    error = decode_error(answer)
    assert type(error) is cls
    assert error.status_code == answer.status_code


def test_throttling_is_retried_and_resigned() -> None:
    answers = iter([_gateway_error(429, "APIGW.0308", "throttled"), ok()(httpx.Request("GET", "http://x"))])
    ticks = iter([datetime(2024, 1, 2, 3, 4, s, tzinfo=UTC) for s in (5, 6)])
    rec = Recorder(lambda request: next(answers))
    with client(rec, max_retries=2, clock=lambda: next(ticks)) as kms:
        kms.get_public_key(KEY_ID)
    assert len(rec.requests) == 2
    first, second = (r.headers["Authorization"] for r in rec.requests)
    assert rec.requests[1].headers["X-Sdk-Date"] == "20240102T030406Z"
    assert first != second


# -- secrets -----------------------------------------------------------------------------------

def test_secrets_never_in_repr_or_messages() -> None:
    rec = Recorder(lambda request: _gateway_error(401, "APIGW.0301", "Incorrect IAM authentication"))
    texts: list[str] = []
    token_only = {"access_key": None, "secret_key": None, "auth_token": IAM_TOKEN}
    for kwargs in ({"security_token": TOKEN}, token_only):
        with client(rec, **kwargs) as kms:
            texts += [repr(kms), repr(kms._api), repr(kms._api.get_httpx_client().auth)]
            with pytest.raises(kms_pubkey.AuthError) as caught:
                kms.get_public_key(KEY_ID)
            texts += [str(caught.value), repr(caught.value)]
    found = resolve_credentials(from_arguments(AK, SK, TOKEN, ARGUMENT_NAMES))
    texts.append(repr(found))
    texts.append(repr(resolve_credentials(None, IAM_TOKEN)))
    for bad in ((AK, None, None), (None, SK, None), (None, None, TOKEN)):
        with pytest.raises(kms_pubkey.ValidationError) as refused:
            from_arguments(*bad, ARGUMENT_NAMES)
        texts.append(str(refused.value))
    joined = "\n".join(texts)
    for secret in SECRETS:
        assert secret not in joined
    assert AK in joined  # the access key id is not a secret and helps debugging


# -- the client and the environment ----------------------------------------------------------

def test_client_reads_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CLOUD_SDK_AK", AK)
    monkeypatch.setenv("CLOUD_SDK_SK", SK)
    monkeypatch.setenv("HUAWEICLOUD_SDK_PROJECT_ID", PROJECT)
    rec = Recorder(ok())
    with HuaweiKmsClient("ap-southeast-1", transport=rec.transport()) as kms:
        kms.get_public_key(KEY_ID)
    assert rec.requests[0].url.host == "kms.ap-southeast-1.myhuaweicloud.com"
    assert f"Access={AK}," in rec.requests[0].headers["Authorization"]


def test_rsa_key_roundtrip_from_spki_answer() -> None:
    public = rsa.generate_private_key(65537, 2048).public_key()
    pem = public.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    with client(Recorder(ok(pem.decode().replace("\n", "\r\n")))) as kms:
        key = kms.get_public_key(KEY_ID)
    assert key.key_spec == "RSA_2048"
    assert key.der == public.public_bytes(serialization.Encoding.DER, SPKI)
