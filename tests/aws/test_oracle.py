"""botocore's SigV4 signer as an oracle for ours, on the exact bytes our client puts on the wire.

Each case drives the real `AwsKmsClient` (generated client + `SigV4Auth`) against an
`httpx.MockTransport` that records the request. botocore then signs a request with the same
method, URL, body bytes and the headers botocore's own KMS client carries before signing
(learned from a real boto3 client, not from our signer), with its clock frozen at our time.
"""

from __future__ import annotations

import base64
import json
import random
import string
import uuid
from datetime import UTC, datetime
from typing import Any

import boto3
import botocore.auth
import httpx
import pytest
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials as BotoCredentials
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from kms_pubkey_aws import AwsKmsClient

FIXED = datetime(2026, 3, 14, 15, 9, 26, tzinfo=UTC)
CASES = 240
SEED = 20260314

REGIONS = [
    "us-east-1", "us-east-2", "us-west-1", "us-west-2", "eu-west-1", "eu-central-1", "eu-north-1",
    "ap-southeast-1", "ap-northeast-1", "ap-south-1", "sa-east-1", "ca-central-1", "me-south-1",
    "af-south-1", "il-central-1", "mx-central-1", "cn-north-1", "cn-northwest-1",
]
ODD = "ключ-ü-é-ß-中文-キー-🔑- \t\"'\\/%+&=?#~*<>{}[]|^`\u00a0\u200b\u2028é"


def _der() -> bytes:
    key = ec.generate_private_key(ec.SECP256R1()).public_key()
    return key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)


DER = _der()


def _region(rng: random.Random) -> str:
    if rng.random() < 0.8:
        return rng.choice(REGIONS)
    # a region name that does not exist yet but has the right shape
    middle = "".join(rng.choices(string.ascii_lowercase, k=5))
    return f"{rng.choice(['xx', 'zz', 'cn', 'us-gov'])}-{middle}-{rng.randint(1, 9)}"


def _key_id(rng: random.Random, region: str) -> str:
    account = "".join(rng.choices(string.digits, k=12))
    key = str(uuid.UUID(int=rng.getrandbits(128)))
    alias_chars = string.ascii_letters + string.digits + "/_-"
    alias = "alias/" + "".join(rng.choices(alias_chars, k=rng.randint(1, 40)))
    partition = "aws-cn" if region.startswith("cn-") else "aws"
    kind = rng.randrange(6)
    if kind == 0:
        return key
    if kind == 1:
        return f"arn:{partition}:kms:{region}:{account}:key/{key}"
    if kind == 2:
        return alias
    if kind == 3:
        return f"arn:{partition}:kms:{region}:{account}:{alias}"
    if kind == 4:
        return "".join(rng.choices(ODD, k=rng.randint(1, 60)))
    return "mrk-" + key.replace("-", "")


def _token(rng: random.Random, low: int, high: int) -> str:
    return "".join(rng.choices(string.ascii_letters + string.digits + "+/=", k=rng.randint(low, high)))


def _inputs() -> list[dict[str, Any]]:
    rng = random.Random(SEED)
    cases = []
    for _ in range(CASES):
        region = _region(rng)
        cases.append({
            "region": region,
            "key_id": _key_id(rng, region),
            "grant_tokens": [_token(rng, 1, 200) for _ in range(rng.randint(0, 10))],
            "access_key_id": rng.choice(["AKIA", "ASIA"])
            + "".join(rng.choices(string.ascii_uppercase + string.digits, k=16)),
            "secret_access_key": _token(rng, 40, 40),
            "session_token": _token(rng, 100, 600) if rng.random() < 0.5 else None,
        })
    return cases


INPUTS = _inputs()


@pytest.fixture(scope="module")
def botocore_presign_headers() -> set[str]:
    """The headers botocore's own KMS client has on a GetPublicKey request when it signs it."""
    seen: dict[str, Any] = {}

    def before_sign(request: AWSRequest, **_: Any) -> None:
        seen["headers"] = {k.lower() for k in request.headers}
        raise _Stop

    session = boto3.session.Session(
        aws_access_key_id="AKIDEXAMPLE", aws_secret_access_key="secret", region_name="us-east-1"
    )
    client = session.client("kms")
    client.meta.events.register("before-sign.kms.GetPublicKey", before_sign)
    with pytest.raises(_Stop):
        client.get_public_key(KeyId="k")
    return set(seen["headers"])


class _Stop(Exception):
    pass


def _wire_request(case: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> httpx.Request:
    for name in ("AWS_ENDPOINT_URL_KMS", "AWS_ENDPOINT_URL"):
        monkeypatch.delenv(name, raising=False)
    sent: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        request.read()
        sent.append(request)
        asked = json.loads(request.content)["KeyId"]  # echoed, as the service names the key it answers for
        body = {"KeyId": asked, "PublicKey": base64.b64encode(DER).decode(), "KeySpec": "ECC_NIST_P256"}
        return httpx.Response(200, json=body, headers={"x-amzn-RequestId": "r"})

    with AwsKmsClient(
        case["region"],
        access_key_id=case["access_key_id"],
        secret_access_key=case["secret_access_key"],
        session_token=case["session_token"],
        clock=lambda: FIXED,
        transport=httpx.MockTransport(handler),
        max_retries=0,
    ) as client:
        key = client.get_public_key(case["key_id"], grant_tokens=case["grant_tokens"])
    assert key.der == DER
    assert len(sent) == 1
    return sent[0]


def _botocore_authorization(
    case: dict[str, Any], wire: httpx.Request, presign_headers: set[str], monkeypatch: pytest.MonkeyPatch
) -> AWSRequest:
    monkeypatch.setattr(botocore.auth, "get_current_datetime", lambda *a, **k: FIXED.replace(tzinfo=None))
    headers = {k: v for k, v in wire.headers.items() if k.lower() in presign_headers}
    request = AWSRequest(method=wire.method, url=str(wire.url), headers=headers, data=wire.content)
    creds = BotoCredentials(case["access_key_id"], case["secret_access_key"], case["session_token"])
    botocore.auth.SigV4Auth(creds, "kms", case["region"]).add_auth(request)
    return request


def test_presign_header_set_is_what_design_says(botocore_presign_headers: set[str]) -> None:
    # botocore adds host, x-amz-date and the token itself while signing.
    assert {"x-amz-target", "content-type"} <= botocore_presign_headers
    assert "authorization" not in botocore_presign_headers


def test_enough_varied_inputs() -> None:
    assert len(INPUTS) >= 200
    assert any(c["session_token"] for c in INPUTS) and any(not c["session_token"] for c in INPUTS)
    assert {len(c["grant_tokens"]) for c in INPUTS} == set(range(11))
    assert any(c["region"].startswith("cn-") for c in INPUTS)
    assert any(any(ord(ch) > 127 for ch in c["key_id"]) for c in INPUTS)


@pytest.mark.parametrize("index", range(CASES))
def test_authorization_matches_botocore(
    index: int, botocore_presign_headers: set[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    case = INPUTS[index]
    wire = _wire_request(case, monkeypatch)

    # The wire request is shaped as the design says, checked independently of the signer.
    assert wire.method == "POST"
    assert wire.url.raw_path == b"/"
    assert wire.headers["X-Amz-Target"] == "TrentService.GetPublicKey"
    assert wire.headers["Content-Type"] == "application/x-amz-json-1.1"
    body = json.loads(wire.content)
    assert body["KeyId"] == case["key_id"]
    assert body.get("GrantTokens", []) == case["grant_tokens"]
    suffix = ".amazonaws.com.cn" if case["region"].startswith("cn-") else ".amazonaws.com"
    assert wire.url.host == f"kms.{case['region']}{suffix}"

    oracle = _botocore_authorization(case, wire, botocore_presign_headers, monkeypatch)
    assert wire.headers["X-Amz-Date"] == oracle.headers["X-Amz-Date"]
    assert wire.headers.get("X-Amz-Security-Token") == oracle.headers.get("X-Amz-Security-Token")
    assert wire.headers["Authorization"] == oracle.headers["Authorization"]


def test_oracle_notices_a_difference(
    botocore_presign_headers: set[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The comparison can fail: one changed byte of body gives a different botocore signature."""
    case = INPUTS[0]
    wire = _wire_request(case, monkeypatch)
    tampered = httpx.Request(wire.method, wire.url, headers=wire.headers, content=wire.content + b" ")
    oracle = _botocore_authorization(case, tampered, botocore_presign_headers, monkeypatch)
    assert wire.headers["Authorization"] != oracle.headers["Authorization"]


@pytest.mark.parametrize("region", [*REGIONS, "us-gov-west-1", "ap-southeast-7"])
def test_endpoint_matches_boto3(region: str, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("AWS_ENDPOINT_URL_KMS", "AWS_ENDPOINT_URL"):
        monkeypatch.delenv(name, raising=False)
    session = boto3.session.Session(aws_access_key_id="a", aws_secret_access_key="b", region_name=region)
    expected = session.client("kms").meta.endpoint_url
    with AwsKmsClient(region, access_key_id="a", secret_access_key="b") as client:
        assert client.endpoint == expected.rstrip("/")
