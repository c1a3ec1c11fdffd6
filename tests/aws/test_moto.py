"""The sync and async clients against moto with SigV4 checking on; boto3 gives the expected keys."""

from __future__ import annotations

import asyncio
from typing import Any

import botocore.exceptions
import pytest
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from kms_pubkey import AuthError, NotFoundError, PublicKey
from kms_pubkey_aws import AsyncAwsKmsClient, AwsKmsClient

pytestmark = pytest.mark.integration

SPECS = ("RSA_2048", "ECC_NIST_P256", "ECC_SECG_P256K1")
HOW = ("key_id", "arn", "alias")


def _client_args(moto_kms: Any, **overrides: Any) -> dict[str, Any]:
    args = {
        "endpoint": moto_kms.endpoint,
        "region": moto_kms.region,
        "access_key_id": moto_kms.access_key_id,
        "secret_access_key": moto_kms.secret_access_key,
        "max_retries": 0,
    }
    args.update(overrides)
    return args


def _check(key: PublicKey, expected_der: bytes, spec: str) -> None:
    assert key.der == expected_der
    assert key.vendor == "aws"
    assert key.key_spec == spec  # moto sends no KeySpec: derived from the key itself
    native = key.to_cryptography()
    if spec == "RSA_2048":
        assert isinstance(native, rsa.RSAPublicKey) and native.key_size == 2048
    else:
        assert isinstance(native, ec.EllipticCurvePublicKey)
        assert native.curve.name == {"ECC_NIST_P256": "secp256r1", "ECC_SECG_P256K1": "secp256k1"}[spec]


def test_signature_checking_is_on(moto_kms: Any) -> None:
    """Without this, the tests below would pass with any signature."""
    key = moto_kms.keys["RSA_2048"]
    with pytest.raises(botocore.exceptions.ClientError) as info:
        moto_kms.boto3_client(secret="wrong" + moto_kms.secret_access_key).get_public_key(KeyId=key.key_id)
    assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403


def test_boto3_der_is_the_key_moto_made(moto_kms: Any) -> None:
    assert set(moto_kms.keys) == set(SPECS)
    assert len({k.der for k in moto_kms.keys.values()}) == len(SPECS)


@pytest.mark.parametrize("how", HOW)
@pytest.mark.parametrize("spec", SPECS)
def test_sync_client_fetches(moto_kms: Any, spec: str, how: str) -> None:
    key = moto_kms.keys[spec]
    ident = {"key_id": key.key_id, "arn": key.arn, "alias": key.alias}[how]
    with AwsKmsClient(**_client_args(moto_kms)) as client:
        got = client.get_public_key(ident, grant_tokens=["a-grant-token"])
    _check(got, key.der, spec)


@pytest.mark.parametrize("how", HOW)
@pytest.mark.parametrize("spec", SPECS)
def test_async_client_fetches(moto_kms: Any, spec: str, how: str) -> None:
    key = moto_kms.keys[spec]
    ident = {"key_id": key.key_id, "arn": key.arn, "alias": key.alias}[how]

    async def fetch() -> PublicKey:
        async with AsyncAwsKmsClient(**_client_args(moto_kms)) as client:
            return await client.get_public_key(ident)

    _check(asyncio.run(fetch()), key.der, spec)


def test_credentials_from_environment(moto_kms: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", moto_kms.access_key_id)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", moto_kms.secret_access_key)
    monkeypatch.setenv("AWS_REGION", moto_kms.region)
    monkeypatch.setenv("AWS_ENDPOINT_URL_KMS", moto_kms.endpoint)
    key = moto_kms.keys["ECC_NIST_P256"]
    with AwsKmsClient() as client:
        assert client.get_public_key(key.key_id).der == key.der


def test_wrong_secret_is_auth_error(moto_kms: Any) -> None:
    key = moto_kms.keys["RSA_2048"]
    wrong = "x" + moto_kms.secret_access_key[1:]
    with AwsKmsClient(**_client_args(moto_kms, secret_access_key=wrong)) as client, \
            pytest.raises(AuthError) as info:
        client.get_public_key(key.key_id)
    assert info.value.status_code == 403
    assert info.value.code in ("SignatureDoesNotMatch", "InvalidSignatureException")
    assert wrong not in str(info.value) and wrong not in repr(info.value)


def test_unknown_access_key_is_auth_error(moto_kms: Any) -> None:
    key = moto_kms.keys["RSA_2048"]
    with AwsKmsClient(**_client_args(moto_kms, access_key_id="AKIANOTAREALKEY00000")) as client, \
            pytest.raises(AuthError):
        client.get_public_key(key.key_id)


def test_async_wrong_secret_is_auth_error(moto_kms: Any) -> None:
    key = moto_kms.keys["RSA_2048"]

    async def fetch() -> None:
        async with AsyncAwsKmsClient(**_client_args(moto_kms, secret_access_key="nope")) as client:
            await client.get_public_key(key.key_id)

    with pytest.raises(AuthError):
        asyncio.run(fetch())


@pytest.mark.parametrize(
    "ident",
    ["00000000-0000-0000-0000-000000000000", "alias/does-not-exist",
     "arn:aws:kms:us-east-1:123456789012:key/11111111-2222-3333-4444-555555555555"],
)
def test_unknown_key_is_not_found(moto_kms: Any, ident: str) -> None:
    with AwsKmsClient(**_client_args(moto_kms)) as client, pytest.raises(NotFoundError) as info:
        client.get_public_key(ident)
    assert info.value.status_code == 400
    assert info.value.code == "NotFoundException"


def test_async_unknown_key_is_not_found(moto_kms: Any) -> None:
    async def fetch() -> None:
        async with AsyncAwsKmsClient(**_client_args(moto_kms)) as client:
            await client.get_public_key("alias/nothing-here")

    with pytest.raises(NotFoundError):
        asyncio.run(fetch())


def test_no_secret_in_debug_logs(moto_kms: Any, caplog: pytest.LogCaptureFixture) -> None:
    import logging

    caplog.set_level(logging.DEBUG)
    key = moto_kms.keys["RSA_2048"]
    with AwsKmsClient(**_client_args(moto_kms, session_token="moto-ignores-this-token")) as client, \
            pytest.raises(AuthError):
        client.get_public_key(key.key_id)  # moto refuses the unknown token; we only watch the logs
    with AwsKmsClient(**_client_args(moto_kms)) as client:
        client.get_public_key(key.key_id)
    assert caplog.records, "httpx/httpcore debug logging was not captured"
    assert moto_kms.secret_access_key not in caplog.text
    assert "moto-ignores-this-token" not in caplog.text
