"""`AwsKmsClient` and `AsyncAwsKmsClient` against the emulator: every key, by id, ARN, alias and alias ARN.

Expected values come from the emulator's key list over HTTP, never from the client itself.
"""

from __future__ import annotations

import asyncio
import uuid

import httpx
import pytest
from cryptography.hazmat.primitives import serialization

from kms_pubkey import AuthError, NotFoundError
from kms_pubkey.errors import ApiError
from kms_pubkey_aws import AsyncAwsKmsClient, AwsKmsClient
from tests.support.transports import ASYNC_TRANSPORTS, transport_args

pytestmark = pytest.mark.integration

REGION = "us-east-1"
ACCOUNT = "111122223333"
CREDS = {"access_key_id": "emulator-access-key", "secret_access_key": "emulator-secret-key"}


def aws_keys(emulator) -> list[dict]:
    listed = httpx.get(emulator.url + "/_emulator/keys", timeout=10).json()
    return [k for k in listed if k["vendor"] == "aws"]


def der_of(pem: str) -> bytes:
    return serialization.load_pem_public_key(pem.encode()).public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def references(listed: dict) -> list[str]:
    alias = "alias/emulator-" + listed["key_spec"].lower().replace("_", "-")
    return [
        listed["key_id"],
        f"arn:aws:kms:{REGION}:{ACCOUNT}:key/{listed['key_id']}",
        alias,
        f"arn:aws:kms:{REGION}:{ACCOUNT}:{alias}",
    ]


def check(key, listed: dict) -> None:
    assert key.der == der_of(listed["public_key_pem"])
    assert key.pem == listed["public_key_pem"]
    assert key.vendor == "aws"
    assert key.key_id == f"arn:aws:kms:{REGION}:{ACCOUNT}:key/{listed['key_id']}"
    assert key.key_spec == listed["key_spec"]
    assert key.key_usage == listed["key_usage"]
    assert uuid.UUID(key.request_id)


def test_sync_client_every_key_every_reference(emulator):
    keys = aws_keys(emulator)
    assert len(keys) >= 10
    with AwsKmsClient(REGION, endpoint=emulator.url, **CREDS) as client:
        for listed in keys:
            for reference in references(listed):
                check(client.get_public_key(reference), listed)


@pytest.mark.parametrize("transport", ASYNC_TRANSPORTS)
def test_async_client_every_key_every_reference(emulator, transport):
    keys = aws_keys(emulator)

    async def run() -> None:
        async with AsyncAwsKmsClient(
            REGION, endpoint=emulator.url, **CREDS, **transport_args(transport)
        ) as client:
            results = await asyncio.gather(
                *(client.get_public_key(ref) for listed in keys for ref in references(listed))
            )
        pairs = [(listed, ref) for listed in keys for ref in references(listed)]
        for key, (listed, _ref) in zip(results, pairs, strict=True):
            check(key, listed)

    asyncio.run(run())


def test_every_key_loads_in_cryptography(emulator):
    with AwsKmsClient(REGION, endpoint=emulator.url, **CREDS) as client:
        for listed in aws_keys(emulator):
            key = client.get_public_key(listed["key_id"])
            expected = serialization.load_pem_public_key(listed["public_key_pem"].encode())
            assert type(key.to_cryptography()) is type(expected)


def test_client_maps_errors(emulator):
    client = AwsKmsClient(REGION, endpoint=emulator.url, **CREDS, max_retries=0)
    with client, pytest.raises(NotFoundError) as caught:
        client.get_public_key(str(uuid.uuid4()))
    assert caught.value.code == "NotFoundException"
    assert caught.value.status_code == 400
    assert caught.value.request_id
    with (
        AwsKmsClient(
            REGION,
            endpoint=emulator.url,
            access_key_id="emulator-access-key",
            secret_access_key="wrong",
            max_retries=0,
        ) as client,
        pytest.raises(AuthError) as auth,
    ):
        client.get_public_key("alias/emulator-rsa-2048")
    assert auth.value.code == "InvalidSignatureException"


def test_client_disabled_key(emulator):
    listed = next(k for k in aws_keys(emulator) if k["key_spec"] == "ML_DSA_44")
    emulator.set_enabled(listed["key_id"], False)
    try:
        client = AwsKmsClient(REGION, endpoint=emulator.url, **CREDS, max_retries=0)
        with client, pytest.raises(ApiError) as caught:
            client.get_public_key(listed["key_id"])
        assert caught.value.code == "DisabledException"
        assert caught.value.status_code == 400
    finally:
        emulator.set_enabled(listed["key_id"], True)
