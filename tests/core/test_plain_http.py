"""A replayable credential (session/STS/security/IAM token, ClientKey Bearer signature) is never
sent over plain http to a host that is not loopback: refused when the client is built."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from kms_pubkey import ValidationError
from kms_pubkey_alibaba import AlibabaKmsClient, AlibabaKmsInstanceClient
from kms_pubkey_alibaba.instance.client_key import ClientKey
from kms_pubkey_aws import AwsKmsClient
from kms_pubkey_huawei import HuaweiKmsClient

PROJECT = "0123456789abcdef0123456789abcdef"
PLAIN = "http://kms.example.com"
_RSA = rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _builders(endpoint: str, transport: httpx.BaseTransport) -> dict[str, Any]:
    return {
        "aws session token": lambda: AwsKmsClient(
            "us-east-1",
            endpoint=endpoint,
            access_key_id="A",
            secret_access_key="S",
            session_token="T",
            transport=transport,
        ),
        "alibaba v3 sts token": lambda: AlibabaKmsClient(
            "cn-hangzhou",
            endpoint=endpoint,
            access_key_id="A",
            access_key_secret="S",
            security_token="T",
            transport=transport,
        ),
        "alibaba v1 sts token": lambda: AlibabaKmsClient(
            "cn-hangzhou",
            endpoint=endpoint,
            access_key_id="A",
            access_key_secret="S",
            security_token="T",
            signature_version="v1",
            transport=transport,
        ),
        "huawei security token": lambda: HuaweiKmsClient(
            "cn-north-4",
            endpoint=endpoint,
            project_id=PROJECT,
            access_key="A",
            secret_key="S",
            security_token="T",
            transport=transport,
        ),
        "huawei iam token": lambda: HuaweiKmsClient(
            "cn-north-4", endpoint=endpoint, project_id=PROJECT, auth_token="T", transport=transport
        ),
        "kms instance bearer": lambda: AlibabaKmsInstanceClient(
            endpoint, client_key=ClientKey("KAAP.test", _RSA), transport=transport
        ),
    }


KINDS = list(_builders(PLAIN, httpx.MockTransport(lambda r: httpx.Response(500))))


@pytest.mark.parametrize("kind", KINDS)
def test_a_token_is_refused_over_plain_http_before_anything_is_sent(kind: str) -> None:
    sent: list[httpx.Request] = []
    transport = httpx.MockTransport(lambda r: sent.append(r) or httpx.Response(500))
    with pytest.raises(ValidationError) as caught:
        _builders(PLAIN, transport)[kind]()
    message = str(caught.value)
    assert f"over plain http to {PLAIN}" in message
    assert "use an https:// endpoint" in message
    assert sent == []


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(
    "endpoint", ["https://kms.example.com", "http://127.0.0.1:8765", "http://localhost:1"]
)
def test_https_and_loopback_are_allowed(kind: str, endpoint: str) -> None:
    client = _builders(endpoint, httpx.MockTransport(lambda r: httpx.Response(500)))[kind]()
    assert client.endpoint == endpoint
    client.close()


@pytest.mark.parametrize(
    "build",
    [
        lambda: AwsKmsClient("us-east-1", endpoint=PLAIN, access_key_id="A", secret_access_key="S"),
        lambda: AlibabaKmsClient("cn-hangzhou", endpoint=PLAIN, access_key_id="A", access_key_secret="S"),
        lambda: HuaweiKmsClient(
            "cn-north-4", endpoint=PLAIN, project_id=PROJECT, access_key="A", secret_key="S"
        ),
    ],
    ids=["aws", "alibaba", "huawei"],
)
def test_plain_access_key_signing_may_use_http(build: Any) -> None:
    """A signature without a token is bound to its request and expires: private gateways use http."""
    client = build()
    assert client.endpoint == PLAIN
    client.close()
