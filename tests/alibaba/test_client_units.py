"""Alibaba client units: argument checks before sending, odd answers, error mapping, hidden secrets."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from kms_pubkey import (
    ApiError,
    AuthError,
    DryRunError,
    NotFoundError,
    ResponseError,
    ThrottlingError,
    ValidationError,
)
from kms_pubkey.credentials import from_arguments
from kms_pubkey.vendor import class_for, error_from_response
from kms_pubkey_alibaba import AlibabaKmsClient, AsyncAlibabaKmsClient
from kms_pubkey_alibaba.client import ALIBABA
from kms_pubkey_alibaba.credentials import ARGUMENT_NAMES, resolve_credentials


def decode_error(response):
    return error_from_response(ALIBABA, response)


def error_class(code, *, dry_run=False):
    return class_for(ALIBABA, code, 400, dry_run=dry_run)


SECRET = "s3cr3t-alibaba-secret"
TOKEN = "sts-token-value-123"
PEM = (
    ec.generate_private_key(ec.SECP256R1())
    .public_key()
    .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    .decode()
)


def _client(handler, **kw):
    args = dict(endpoint="http://127.0.0.1:9", access_key_id="AK", access_key_secret=SECRET, max_retries=0)
    args.update(kw)
    return AlibabaKmsClient(transport=httpx.MockTransport(handler), **args)


def _never(request):
    raise AssertionError("nothing may be sent")


@pytest.mark.parametrize(
    ("key_id", "version", "dry_run"),
    [
        ("", "v", False),
        ("   ", "v", False),
        ("k", "", False),
        (None, "v", False),
        ("k", 5, False),
        ("k\n", "v", False),
        ("k" * 3000, "v", False),
        ("k", "v", "yes"),
    ],
)
def test_bad_arguments_are_refused_before_sending(key_id, version, dry_run):
    with _client(_never) as client, pytest.raises(ValidationError):
        client.get_public_key(key_id, version, dry_run=dry_run)


def test_bad_constructor_arguments():
    for kwargs in (
        {"signature_version": "v2"},
        {"access_key_secret": None},
        {"timeout": 0},
        {"max_retries": -1},
        {"endpoint": "ftp://x"},
    ):
        with pytest.raises(ValidationError):
            _client(_never, **kwargs)
    with pytest.raises(ValidationError):
        AlibabaKmsClient("cn_hangzhou!", access_key_id="AK", access_key_secret=SECRET)


@pytest.mark.parametrize("version", ["v3", "v1"])
def test_request_shape(version):
    seen = []

    def handler(request):
        seen.append(request)
        return httpx.Response(
            200, json={"KeyId": "k", "KeyVersionId": "v", "PublicKey": PEM, "RequestId": "r"}
        )

    with _client(handler, signature_version=version, security_token=TOKEN) as client:
        key = client.get_public_key("k", "v", dry_run=False)
    assert key.key_spec == "EC_P256" and key.request_id == "r" and key.key_version_id == "v"
    (request,) = seen
    params = dict(request.url.params)
    assert request.method == "POST" and request.url.path == "/" and request.content == b""
    assert params["KeyId"] == "k" and params["KeyVersionId"] == "v" and "DryRun" not in params
    if version == "v3":
        assert request.headers["x-acs-action"] == "GetPublicKey"
        assert request.headers["x-acs-version"] == "2016-01-20"
        assert request.headers["x-acs-security-token"] == TOKEN
        assert request.headers["Authorization"].startswith("ACS3-HMAC-SHA256 Credential=AK,")
        assert "Action" not in params
    else:
        assert params["Action"] == "GetPublicKey" and params["Version"] == "2016-01-20"
        assert params["SecurityToken"] == TOKEN and params["SignatureMethod"] == "HMAC-SHA1"
        assert "Signature" in params and "Authorization" not in request.headers


@pytest.mark.parametrize(
    ("status", "body"),
    [
        (200, {"KeyId": "k"}),
        (200, {"PublicKey": None}),
        (200, {"PublicKey": 12}),
        (200, {"PublicKey": "not a key"}),
        (200, {"PublicKey": "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"}),
        (200, "not json"),
        (200, ["a", "list"]),
    ],
)
def test_bad_success_answers_are_response_errors(status, body):
    def handler(request):
        if isinstance(body, str):
            return httpx.Response(status, text=body)
        return httpx.Response(status, json=body)

    with _client(handler) as client, pytest.raises(ResponseError):
        client.get_public_key("k", "v")


def test_dry_run_answered_with_a_key_is_a_response_error():
    def handler(request):
        assert request.url.params["DryRun"] == "true"
        return httpx.Response(200, json={"PublicKey": PEM})

    with _client(handler) as client, pytest.raises(ResponseError):
        client.get_public_key("k", "v", dry_run=True)


def _error_response(status, body, *, dry_run=False, headers=None, text=None):
    request = httpx.Request(
        "POST", "https://kms.cn-hangzhou.aliyuncs.com/", params={"DryRun": "true"} if dry_run else {}
    )
    if text is not None:
        return httpx.Response(status, text=text, headers=headers, request=request)
    return httpx.Response(status, json=body, headers=headers, request=request)


@pytest.mark.parametrize(
    ("status", "code", "expected"),
    [
        (400, "InvalidParameter", ApiError),
        (404, "InvalidAccessKeyId.NotFound", AuthError),
        (400, "InvalidAccessKeyId.Inactive", AuthError),
        (400, "SignatureDoesNotMatch", AuthError),
        (400, "IncompleteSignature", AuthError),
        (400, "InvalidTimeStamp.Expired", AuthError),
        (400, "SignatureNonceUsed", AuthError),
        (400, "InvalidSecurityToken.Expired", AuthError),
        (403, "Forbidden.RAM", AuthError),
        (403, "SomethingNew", AuthError),
        (404, "Forbidden.KeyNotFound", NotFoundError),
        (404, "Forbidden.AliasNotFound", NotFoundError),
        (400, "Throttling", ThrottlingError),
        (400, "Throttling.User", ThrottlingError),
        (400, "Rejected.Throttling", ThrottlingError),
        (400, "DryRunOperationError", DryRunError),
        (500, "InternalFailure", ApiError),
        (503, "ServiceUnavailableTemporary", ApiError),
    ],
)
def test_error_mapping(status, code, expected):
    error = decode_error(
        _error_response(
            status, {"Code": code, "Message": "m", "RequestId": "rid", "HostId": "h", "Recommend": "r"}
        )
    )
    assert type(error) is expected
    assert (error.code, error.status_code, error.request_id, error.vendor) == (code, status, "rid", "alibaba")


def test_dry_run_verdicts_are_dry_run_errors_only_on_a_dry_run():
    for code in ("ValidationError", "AccessDeniedError"):
        assert type(decode_error(_error_response(400, {"Code": code}, dry_run=True))) is DryRunError
        assert type(decode_error(_error_response(400, {"Code": code}))) is not DryRunError
    assert error_class("Forbidden.KeyNotFound", dry_run=True) is NotFoundError


def test_undecodable_error_bodies():
    assert type(decode_error(_error_response(502, None, text="<html>bad gateway</html>"))) is ApiError
    assert type(decode_error(_error_response(404, None, text=""))) is NotFoundError
    assert type(decode_error(_error_response(429, None, text="slow"))) is ThrottlingError
    xml = "<Error><RequestId>x1</RequestId><Code>Forbidden.KeyNotFound</Code><Message>gone</Message></Error>"
    error = decode_error(_error_response(404, None, text=xml))
    assert (type(error), error.code, error.request_id) == (NotFoundError, "Forbidden.KeyNotFound", "x1")
    weird = decode_error(_error_response(400, {"Code": 7, "Message": ["x"]}))
    assert isinstance(weird, ApiError)


def test_status_outside_httpstatus_is_an_api_error():
    with _client(lambda r: httpx.Response(520, text="?")) as client, pytest.raises(ApiError) as caught:
        client.get_public_key("k", "v")
    assert caught.value.status_code == 520


def test_retries_are_signed_afresh(monkeypatch):
    import kms_pubkey.transport as transport

    monkeypatch.setattr(transport, "default_sleep", lambda s: None, raising=False)
    monkeypatch.setattr(transport.time, "sleep", lambda s: None)
    nonces, answers = (
        [],
        iter(
            [
                httpx.Response(503, json={"Code": "ServiceUnavailableTemporary"}),
                httpx.Response(400, json={"Code": "Throttling.User"}),
                httpx.Response(200, json={"PublicKey": PEM}),
            ]
        ),
    )

    def handler(request):
        nonces.append(request.headers["x-acs-signature-nonce"])
        return next(answers)

    with _client(handler, max_retries=3) as client:
        assert client.get_public_key("k", "v").key_spec == "EC_P256"
    assert len(nonces) == 3 and len(set(nonces)) == 3


def test_secrets_never_in_reprs_or_messages():
    def handler(request):
        echoed = f"server string to sign is: {request.url.query.decode()} {SECRET} {TOKEN}"
        return httpx.Response(400, json={"Code": "SignatureDoesNotMatch", "Message": echoed})

    for version in ("v3", "v1"):
        client = _client(handler, signature_version=version, security_token=TOKEN)
        with client, pytest.raises(AuthError) as caught:
            client.get_public_key("k", "v")
        shown = " ".join([str(caught.value), repr(caught.value), repr(client), repr(client._api)])
        assert SECRET not in shown and TOKEN not in shown
    creds = resolve_credentials(from_arguments("AK", SECRET, TOKEN, ARGUMENT_NAMES))
    assert SECRET not in repr(creds) and TOKEN not in repr(creds)


def test_async_client_validates_and_fetches():
    def handler(request):
        return httpx.Response(200, json={"KeyId": "k", "KeyVersionId": "v", "PublicKey": PEM})

    async def run():
        client = AsyncAlibabaKmsClient(
            endpoint="http://127.0.0.1:9",
            access_key_id="AK",
            access_key_secret=SECRET,
            transport=httpx.MockTransport(handler),
        )
        async with client:
            with pytest.raises(ValidationError):
                await client.get_public_key("", "v")
            return await client.get_public_key("k", "v")

    assert asyncio.run(run()).key_spec == "EC_P256"
