"""An answer must be about the key (and Alibaba key version) the request named.

The rule on its own first (key id against key ARN, aliases, multi-region ids, versions, an
answer without an id), then through each vendor's real sync and async client over an
`httpx.MockTransport`, whose answers are written here by hand.
"""

from __future__ import annotations

import asyncio
import base64
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from kms_pubkey import ResponseError, load_public_key
from kms_pubkey.client_base import check_asked
from kms_pubkey_alibaba import AlibabaKmsClient, AsyncAlibabaKmsClient
from kms_pubkey_alibaba.client import ALIBABA
from kms_pubkey_aws import AsyncAwsKmsClient, AwsKmsClient
from kms_pubkey_aws.client import AWS
from kms_pubkey_huawei import AsyncHuaweiKmsClient, HuaweiKmsClient

PUBLIC = ec.generate_private_key(ec.SECP256R1()).public_key()
DER = PUBLIC.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
PEM = PUBLIC.public_bytes(
    serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
).decode()

KEY = "1234abcd-12ab-34cd-56ef-1234567890ab"
OTHER = "0987dcba-09ba-87dc-65fe-0987654321ba"
MRK = "mrk-1234abcd12ab34cd56ef1234567890ab"
ARN = f"arn:aws:kms:us-east-1:111122223333:key/{KEY}"


def _arn(key: str, region: str = "us-east-1") -> str:
    return f"arn:aws:kms:{region}:111122223333:key/{key}"


# (asked key id, answered key id): the same key either way.
SAME = [
    (KEY, KEY),
    (KEY, ARN),  # real AWS answers with the ARN
    (ARN, KEY),  # moto answers with the bare id
    (ARN, ARN),
    (MRK, _arn(MRK, "eu-west-1")),
    (_arn(MRK), _arn(MRK, "ap-south-1")),  # a multi-region replica: one key id in every region
    ("alias/signing", ARN),  # an alias names no key id to compare with
    ("arn:aws:kms:us-east-1:111122223333:alias/signing", ARN),
    ("key-hzz62f1cb66fa42qo3l", "key-hzz62f1cb66fa42qo3l"),
    ("acs:kms:cn-hangzhou:1234567890:key/key-hzz62f1cb66fa42qo3l", "key-hzz62f1cb66fa42qo3l"),
]
# Another key than asked.
DIFFERENT = [
    (KEY, OTHER),
    (KEY, _arn(OTHER)),
    (ARN, OTHER),
    (ARN, _arn(OTHER)),
    (MRK, _arn("mrk-0987dcba09ba87dc65fe0987654321ba")),
    (MRK, KEY),
    (KEY, "alias/signing"),  # an answer names a key id, never an alias
    ("key-hzz62f1cb66fa42qo3l", "key-other000000000000"),
]


def _key(**metadata: Any) -> Any:
    return load_public_key(DER, vendor="aws", **metadata)


@pytest.mark.parametrize(("asked", "answered"), SAME)
def test_same_key_accepted(asked: str, answered: str) -> None:
    check_asked(AWS, (asked, None), _key(key_id=answered))


@pytest.mark.parametrize(("asked", "answered"), DIFFERENT)
def test_other_key_refused_naming_both(asked: str, answered: str) -> None:
    with pytest.raises(ResponseError) as caught:
        check_asked(AWS, (asked, None), _key(key_id=answered))
    assert repr(asked) in str(caught.value)
    assert repr(answered) in str(caught.value)


def test_answer_without_key_id_accepted() -> None:
    check_asked(AWS, (KEY, None), _key())
    check_asked(ALIBABA, ("key-a", "v1"), _key())


def test_key_version() -> None:
    check_asked(ALIBABA, ("key-a", "v1"), _key(key_id="key-a", key_version_id="v1"))
    check_asked(ALIBABA, ("key-a", "v1"), _key(key_id="key-a"))  # no version named: nothing to compare
    check_asked(ALIBABA, ("alias/a", "v1"), _key(key_id="key-a", key_version_id="v1"))
    with pytest.raises(ResponseError, match="'v2'.*'v1'"):
        check_asked(ALIBABA, ("key-a", "v1"), _key(key_id="key-a", key_version_id="v2"))
    with pytest.raises(ResponseError, match="'v2'.*'v1'"):  # an alias does not excuse another version
        check_asked(ALIBABA, ("alias/a", "v1"), _key(key_id="key-a", key_version_id="v2"))


# -- through the real clients ----------------------------------------------------------------


def _run(sync: type[Any], asynchronous: type[Any], args: dict[str, Any], *call: str) -> list[Any]:
    """The sync and the async client's result (or error) for the same call."""
    results: list[Any] = []
    try:
        with sync(**args) as client:
            results.append(client.get_public_key(*call))
    except ResponseError as exc:
        results.append(exc)

    async def main() -> Any:
        async with asynchronous(**args) as client:
            return await client.get_public_key(*call)

    try:
        results.append(asyncio.run(main()))
    except ResponseError as exc:
        results.append(exc)
    return results


def _answering(body: dict[str, Any]) -> httpx.MockTransport:
    return httpx.MockTransport(lambda request: httpx.Response(200, json=body))


@pytest.mark.parametrize(
    ("asked", "answered", "good"), [(KEY, ARN, True), (ARN, KEY, True), (KEY, _arn(OTHER), False)]
)
def test_aws_client(asked: str, answered: str, good: bool) -> None:
    body = {"KeyId": answered, "PublicKey": base64.b64encode(DER).decode()}
    args = {
        "region": "us-east-1",
        "access_key_id": "AKIDEXAMPLE",
        "secret_access_key": "secret",
        "max_retries": 0,
        "transport": _answering(body),
    }
    for result in _run(AwsKmsClient, AsyncAwsKmsClient, args, asked):
        if good:
            assert result.der == DER
        else:
            assert isinstance(result, ResponseError)


@pytest.mark.parametrize(
    ("answer", "good"),
    [
        ({"KeyId": "key-a", "KeyVersionId": "v1"}, True),
        ({"KeyId": "key-b", "KeyVersionId": "v1"}, False),
        ({"KeyId": "key-a", "KeyVersionId": "v2"}, False),
        ({}, True),
    ],
)
def test_alibaba_client(answer: dict[str, str], good: bool) -> None:
    args = {
        "endpoint": "http://127.0.0.1:9",
        "access_key_id": "AK",
        "access_key_secret": "secret",
        "max_retries": 0,
        "transport": _answering({**answer, "PublicKey": PEM, "RequestId": "r"}),
    }
    for result in _run(AlibabaKmsClient, AsyncAlibabaKmsClient, args, "key-a", "v1"):
        if good:
            assert result.der == DER
        else:
            assert isinstance(result, ResponseError)


@pytest.mark.parametrize(("answered", "good"), [(KEY, True), (OTHER, False)])
def test_huawei_client(answered: str, good: bool) -> None:
    args = {
        "region": "cn-north-4",
        "project_id": "0123456789abcdef0123456789abcdef",
        "access_key": "AK",
        "secret_key": "secret",
        "max_retries": 0,
        "transport": _answering({"key_id": answered, "public_key": PEM}),
    }
    for result in _run(HuaweiKmsClient, AsyncHuaweiKmsClient, args, KEY):
        if good:
            assert result.der == DER
        else:
            assert isinstance(result, ResponseError)
