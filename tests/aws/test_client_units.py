"""The AWS client without a server: argument checks, error mapping, and secrets kept out of sight.

Answers come from an `httpx.MockTransport`, so every body shape (JSON, moto's XML, an HTML
gateway page, nothing at all) can be served. Expected classes come from DESIGN.md's hierarchy.
"""

from __future__ import annotations

import asyncio
import base64
import json
import logging
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from kms_pubkey import (
    ApiError,
    AuthError,
    KmsError,
    NotFoundError,
    ResponseError,
    ThrottlingError,
    ValidationError,
)
from kms_pubkey.credentials import Credentials
from kms_pubkey_aws import AsyncAwsKmsClient, AwsKmsClient
from kms_pubkey_aws.sigv4 import SigV4Auth, amz_date
from tests.support.recording import Recorder

ACCESS_KEY = "AKIDUNITTESTS0000001"
SECRET = "unit-secret/with+chars-EXAMPLEKEY00001"
TOKEN = "unit-session-token-FwoGZXIvYXdzEXAMPLE"

DER = (
    ec.generate_private_key(ec.SECP256R1())
    .public_key()
    .public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
)
GOOD = {
    "KeyId": "arn:aws:kms:us-east-1:111122223333:key/k",
    "PublicKey": base64.b64encode(DER).decode(),
    "KeySpec": "ECC_NIST_P256",
    "KeyUsage": "SIGN_VERIFY",
    "SigningAlgorithms": ["ECDSA_SHA_256"],
}

def _good(request: httpx.Request) -> httpx.Response:
    return httpx.Response(200, json=GOOD)


def _echo(request: httpx.Request) -> httpx.Response:
    """GOOD, naming the key asked for in its ARN, as KMS does."""
    asked = json.loads(request.content)["KeyId"]
    return httpx.Response(200, json={**GOOD, "KeyId": f"arn:aws:kms:us-east-1:111122223333:key/{asked}"})


def _sync(recorder: Recorder, **kw: Any) -> AwsKmsClient:
    args: dict[str, Any] = {
        "access_key_id": ACCESS_KEY,
        "secret_access_key": SECRET,
        "session_token": TOKEN,
        "max_retries": 0,
        "transport": recorder.transport(),
    }
    args.update(kw)
    return AwsKmsClient("us-east-1", **args)


def _async(recorder: Recorder, **kw: Any) -> AsyncAwsKmsClient:
    args: dict[str, Any] = {
        "access_key_id": ACCESS_KEY,
        "secret_access_key": SECRET,
        "session_token": TOKEN,
        "max_retries": 0,
        "transport": recorder.transport(),
    }
    args.update(kw)
    return AsyncAwsKmsClient("us-east-1", **args)


def _both(recorder: Recorder, key_id: Any, **kw: Any) -> list[BaseException | Any]:
    """Run the same call through the sync and the async client; return each result or error."""
    results: list[BaseException | Any] = []
    try:
        with _sync(recorder) as client:
            results.append(client.get_public_key(key_id, **kw))
    except Exception as exc:
        results.append(exc)

    async def run() -> Any:
        async with _async(recorder) as client:
            return await client.get_public_key(key_id, **kw)

    try:
        results.append(asyncio.run(run()))
    except Exception as exc:
        results.append(exc)
    return results


# -- arguments are checked before anything is sent ----------------------------------------------


@pytest.mark.parametrize(
    ("key_id", "kw"),
    [
        ("", {}),
        ("   ", {}),
        ("k" * 2049, {}),
        (None, {}),
        (123, {}),
        (b"bytes-key-id", {}),
        ("key", {"grant_tokens": [f"t{i}" for i in range(11)]}),
        ("key", {"grant_tokens": "one-token-as-a-string"}),
        ("key", {"grant_tokens": [""]}),
        ("key", {"grant_tokens": [None]}),
        ("key", {"grant_tokens": [42]}),
        ("key", {"grant_tokens": ["x" * 8193]}),
    ],
    ids=[
        "empty",
        "blank",
        "2049-chars",
        "none",
        "int",
        "bytes",
        "11-tokens",
        "str-tokens",
        "empty-token",
        "none-token",
        "int-token",
        "long-token",
    ],
)
def test_bad_arguments_rejected_before_sending(key_id: Any, kw: dict[str, Any]) -> None:
    recorder = Recorder(_good)
    for result in _both(recorder, key_id, **kw):
        assert isinstance(result, ValidationError), result
    assert recorder.requests == []


def test_limits_themselves_are_accepted() -> None:
    recorder = Recorder(_echo)
    results = _both(recorder, "k" * 2048, grant_tokens=[f"t{i}" for i in range(10)])
    assert all(not isinstance(r, BaseException) for r in results), results
    assert len(recorder.requests) == 2
    body = json.loads(recorder.requests[0].content)
    assert body == {"KeyId": "k" * 2048, "GrantTokens": [f"t{i}" for i in range(10)]}


def test_grant_tokens_accept_any_sequence() -> None:
    recorder = Recorder(_good)
    with _sync(recorder) as client:
        client.get_public_key("k", grant_tokens=("a", "b"))
    assert json.loads(recorder.requests[0].content)["GrantTokens"] == ["a", "b"]


def test_no_grant_tokens_sends_none() -> None:
    recorder = Recorder(_good)
    with _sync(recorder) as client:
        client.get_public_key("k")
    assert json.loads(recorder.requests[0].content) == {"KeyId": "k"}


@pytest.mark.parametrize("kw", [{"timeout": 0}, {"timeout": -1}, {"max_retries": -1}, {"max_retries": 1.5}])
def test_bad_policy_settings(kw: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        _sync(Recorder(_good), **kw)


# -- error answers onto the hierarchy -----------------------------------------------------------

MOTO_403 = (
    '<?xml version="1.0" encoding="UTF-8"?>\n<ErrorResponse><Errors><Error><Code>SignatureDoesNotMatch</Code>'
    "<Message>The request signature we calculated does not match the signature you provided.</Message>"
    "</Error></Errors><RequestId>moto-req-1</RequestId></ErrorResponse>"
)
STS_403 = (
    "<ErrorResponse><Error><Type>Sender</Type><Code>InvalidClientTokenId</Code>"
    "<Message>The security token included in the request is invalid.</Message></Error>"
    "<RequestId>sts-req-2</RequestId></ErrorResponse>"
)
HTML_502 = "<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1></body></html>"


def _json(status: int, body: Any, **headers: str) -> httpx.Response:
    return httpx.Response(
        status,
        content=json.dumps(body).encode(),
        headers={"content-type": "application/x-amz-json-1.1", "x-amzn-RequestId": "req-123", **headers},
    )


ERRORS: list[tuple[str, httpx.Response, type[KmsError], dict[str, Any]]] = [
    (
        "json-namespaced-not-found",
        _json(400, {"__type": "com.amazonaws.kms#NotFoundException", "message": "Key 'x' does not exist"}),
        NotFoundError,
        {
            "status_code": 400,
            "code": "NotFoundException",
            "request_id": "req-123",
            "message": "Key 'x' does not exist",
        },
    ),
    (
        "json-bare-not-found",
        _json(400, {"__type": "NotFoundException", "message": "m"}),
        NotFoundError,
        {"code": "NotFoundException"},
    ),
    (
        "json-capital-message",
        _json(400, {"__type": "NotFoundException", "Message": "capital"}),
        NotFoundError,
        {"message": "capital"},
    ),
    (
        "json-type-with-url-suffix",
        _json(400, {"__type": "ThrottlingException:http://internal.amazon.com/coral/com.amazon.coral/"}),
        ThrottlingError,
        {"code": "ThrottlingException"},
    ),
    (
        "json-unrecognized-client",
        _json(400, {"__type": "UnrecognizedClientException", "message": "m"}),
        AuthError,
        {"code": "UnrecognizedClientException"},
    ),
    (
        "json-invalid-signature",
        _json(400, {"__type": "InvalidSignatureException", "message": "m"}),
        AuthError,
        {},
    ),
    ("json-access-denied", _json(400, {"__type": "AccessDeniedException", "message": "m"}), AuthError, {}),
    ("json-expired-token", _json(400, {"__type": "ExpiredTokenException", "message": "m"}), AuthError, {}),
    ("json-throttling", _json(400, {"__type": "ThrottlingException"}), ThrottlingError, {}),
    (
        "json-invalid-state",
        _json(400, {"__type": "com.amazonaws.kms#KMSInvalidStateException", "message": "m"}),
        ApiError,
        {"code": "KMSInvalidStateException"},
    ),
    ("json-unsupported-op", _json(400, {"__type": "UnsupportedOperationException"}), ApiError, {}),
    (
        "json-internal-500",
        _json(500, {"__type": "KMSInternalException", "message": "m"}),
        ApiError,
        {"status_code": 500, "code": "KMSInternalException"},
    ),
    (
        "json-unknown-code-403",
        _json(403, {"__type": "SomethingNewException"}),
        AuthError,
        {"status_code": 403},
    ),
    ("json-type-not-a-string", _json(400, {"__type": 7}), ApiError, {"status_code": 400}),
    ("json-type-null", _json(400, {"__type": None}), ApiError, {"status_code": 400}),
    ("json-array-body", _json(400, ["not", "an", "object"]), ApiError, {"status_code": 400}),
    (
        "header-error-type-only",
        httpx.Response(400, headers={"x-amzn-ErrorType": "NotFoundException:http://x/"}),
        NotFoundError,
        {"code": "NotFoundException"},
    ),
    (
        "moto-xml-403",
        httpx.Response(403, text=MOTO_403, headers={"content-type": "text/xml"}),
        AuthError,
        {"status_code": 403, "code": "SignatureDoesNotMatch", "request_id": "moto-req-1"},
    ),
    (
        "sts-xml-403",
        httpx.Response(403, text=STS_403),
        AuthError,
        {"code": "InvalidClientTokenId", "request_id": "sts-req-2"},
    ),
    (
        "html-502",
        httpx.Response(502, text=HTML_502, headers={"content-type": "text/html"}),
        ApiError,
        {"status_code": 502},
    ),
    ("html-429", httpx.Response(429, text="<html>slow down</html>"), ThrottlingError, {"status_code": 429}),
    ("status-520-empty", httpx.Response(520), ApiError, {"status_code": 520}),
    ("status-520-text", httpx.Response(520, text="origin error"), ApiError, {"status_code": 520}),
    ("status-599-json", _json(599, {"__type": "Weird"}), ApiError, {"status_code": 599}),
    ("empty-403", httpx.Response(403), AuthError, {"status_code": 403}),
    ("empty-404", httpx.Response(404), NotFoundError, {"status_code": 404}),
    (
        "redirect-301",
        httpx.Response(301, headers={"location": "http://elsewhere.invalid/"}),
        ApiError,
        {"status_code": 301},
    ),
    ("ok-empty", httpx.Response(200), ResponseError, {}),
    ("ok-garbage", httpx.Response(200, text="{not json at all"), ResponseError, {}),
    ("ok-html", httpx.Response(200, text=HTML_502), ResponseError, {}),
    ("ok-json-array", _json(200, [GOOD]), ResponseError, {}),
    ("ok-json-string", _json(200, "PublicKey"), ResponseError, {}),
    ("ok-json-null", _json(200, None), ResponseError, {}),
    ("ok-no-public-key", _json(200, {"KeyId": "k"}), ResponseError, {}),
    ("ok-public-key-null", _json(200, {"KeyId": "k", "PublicKey": None}), ResponseError, {}),
    ("ok-public-key-number", _json(200, {"KeyId": "k", "PublicKey": 12}), ResponseError, {}),
    (
        "ok-public-key-not-base64",
        _json(200, {"KeyId": "k", "PublicKey": "%%%not base64%%%"}),
        ResponseError,
        {},
    ),
    (
        "ok-public-key-not-a-key",
        _json(200, {"KeyId": "k", "PublicKey": base64.b64encode(b"hello").decode()}),
        ResponseError,
        {},
    ),
    ("ok-spec-mismatch", _json(200, {**GOOD, "KeySpec": "RSA_2048"}), ResponseError, {}),
    (
        "ok-algorithms-not-a-list",
        _json(200, {**GOOD, "SigningAlgorithms": "ECDSA_SHA_256"}),
        ResponseError,
        {},
    ),
    ("ok-algorithms-objects", _json(200, {**GOOD, "SigningAlgorithms": [{"a": 1}]}), ResponseError, {}),
    ("ok-key-id-object", _json(200, {**GOOD, "KeyId": {"nested": True}}), ResponseError, {}),
]


@pytest.mark.parametrize(("name", "response", "cls", "attrs"), ERRORS, ids=[e[0] for e in ERRORS])
def test_error_mapping(
    name: str, response: httpx.Response, cls: type[KmsError], attrs: dict[str, Any]
) -> None:
    def answer(_: httpx.Request) -> httpx.Response:
        return httpx.Response(response.status_code, headers=response.headers, content=response.content)

    recorder = Recorder(answer)
    for result in _both(recorder, "some-key"):
        assert isinstance(result, KmsError), f"{name}: {type(result).__name__}: {result}"
        assert type(result) is cls, f"{name}: {type(result).__name__}: {result}"
        assert result.__cause__ is None or isinstance(result.__cause__, KmsError)
        for attr, value in attrs.items():
            assert getattr(result, attr) == value, (name, attr)
        if isinstance(result, ApiError):
            assert result.vendor == "aws"
        assert SECRET not in str(result) and SECRET not in repr(result)
        assert TOKEN not in str(result) and TOKEN not in repr(result)
    assert len(recorder.requests) == 2  # max_retries=0: one attempt each


MOTO_SHAPE = {
    "KeyId": "c1f6c0c8-1111-2222-3333-444455556666",
    "PublicKey": base64.b64encode(DER).decode(),
    "KeyUsage": "SIGN_VERIFY",
    "SigningAlgorithms": None,
    "EncryptionAlgorithms": None,
}


@pytest.mark.parametrize(
    ("body", "spec"),
    [
        (GOOD, "ECC_NIST_P256"),
        (MOTO_SHAPE, "ECC_NIST_P256"),  # no KeySpec, null lists: derived from the key
        (
            {
                **GOOD,
                "KeyUsage": "SOMETHING_NEW",
                "SigningAlgorithms": ["ECDSA_SHA_256", "FUTURE_ALG"],
                "KeyAgreementAlgorithms": ["ECDH"],
                "SomeNewField": {"x": 1},
            },
            "ECC_NIST_P256",
        ),
        ({**GOOD, "KeySpec": None, "CustomerMasterKeySpec": "ECC_NIST_P256"}, "ECC_NIST_P256"),
    ],
    ids=["full", "moto-shape", "open-enums", "deprecated-spec-field"],
)
def test_good_answers_parse(body: dict[str, Any], spec: str) -> None:
    recorder = Recorder(_json(200, body))
    for result in _both(recorder, body["KeyId"]):
        assert not isinstance(result, BaseException), result
        assert result.der == DER
        assert result.key_spec == spec
        assert result.key_id == body["KeyId"]
        assert result.request_id == "req-123"
    full = _both(Recorder(_json(200, body)), body["KeyId"])[0]
    if body.get("SigningAlgorithms"):
        assert list(full.signing_algorithms) == body["SigningAlgorithms"]


def test_unknown_key_spec_is_kept() -> None:
    body = {**GOOD, "KeySpec": "ECC_FUTURE_CURVE_9000"}
    for result in _both(Recorder(_json(200, body)), "k"):
        assert not isinstance(result, BaseException), result
        assert result.key_spec == "ECC_FUTURE_CURVE_9000"


# -- secrets never show --------------------------------------------------------------------------


def _assert_hidden(*texts: str) -> None:
    for text in texts:
        assert SECRET not in text
        assert TOKEN not in text


def test_no_secret_in_repr_or_str(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    creds = Credentials(ACCESS_KEY, SECRET, TOKEN, "arguments")
    auth = SigV4Auth(creds, "us-east-1")
    _assert_hidden(repr(creds), str(creds), repr(auth), str(auth))
    recorder = Recorder(_json(400, {"__type": "NotFoundException", "message": "nope"}))
    with _sync(recorder) as client:
        _assert_hidden(repr(client), str(client), repr(vars(client)))
        with pytest.raises(NotFoundError) as info:
            client.get_public_key("k")
        _assert_hidden(repr(info.value), str(info.value), repr(info.value.args))
    aclient = _async(recorder)
    _assert_hidden(repr(aclient), str(aclient), repr(vars(aclient)))
    asyncio.run(aclient.close())
    _assert_hidden(caplog.text)
    # ...and the request really carried them, so the check above is not vacuous.
    assert recorder.requests[0].headers["X-Amz-Security-Token"] == TOKEN
    assert ACCESS_KEY in recorder.requests[0].headers["Authorization"]


@pytest.mark.parametrize(
    "kw",
    [
        {"access_key_id": ACCESS_KEY, "secret_access_key": ""},
        {"access_key_id": "", "secret_access_key": SECRET},
        {"access_key_id": None, "secret_access_key": SECRET, "session_token": TOKEN},
    ],
)
def test_no_secret_in_validation_errors(kw: dict[str, Any]) -> None:
    with pytest.raises(ValidationError) as info:
        AwsKmsClient("us-east-1", **kw)
    _assert_hidden(str(info.value), repr(info.value))


# -- the signer's clock: aware times in any zone and naive UTC times give the same stamp --------


@pytest.fixture
def far_from_utc(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("TZ", "Asia/Tokyo")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def test_naive_time_is_utc_whatever_the_local_zone(far_from_utc: None) -> None:
    assert amz_date(datetime(2026, 1, 1, 12, 0, 0)) == "20260101T120000Z"


def test_aware_times_are_converted(far_from_utc: None) -> None:
    assert amz_date(datetime(2026, 1, 1, 12, 0, 0, tzinfo=UTC)) == "20260101T120000Z"
    plus9 = timezone(timedelta(hours=9))
    assert amz_date(datetime(2026, 1, 1, 21, 0, 0, tzinfo=plus9)) == "20260101T120000Z"
    assert amz_date(datetime(2026, 1, 1, 1, 30, 0, tzinfo=timezone(timedelta(hours=2)))) == "20251231T233000Z"
