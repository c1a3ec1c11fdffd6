"""Every client kind, built against a local URL with every kind of credential, and the answers it expects.

A `Kind` knows how to build its sync or async client, call it, what a good answer and an
error answer look like on the wire, and where each attempt's signature is (to check that
every retry is signed afresh). Bodies are written here by hand from the wire facts in the
design guide, not produced by the clients' own code (the KMS-instance protobuf excepted:
its codec is cross-checked against the vendor's generated classes in tests/alibaba_instance).
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from kms_pubkey_alibaba import AlibabaKmsClient, AsyncAlibabaKmsClient
from kms_pubkey_alibaba.client_key import ClientKey
from kms_pubkey_alibaba.instance_client import AlibabaKmsInstanceClient, AsyncAlibabaKmsInstanceClient
from kms_pubkey_alibaba.instance_proto import Error, GetPublicKeyResponse
from kms_pubkey_aws import AsyncAwsKmsClient, AwsKmsClient
from kms_pubkey_huawei import AsyncHuaweiKmsClient, HuaweiKmsClient
from tests.reliability.server import Seen
from tests.support.transports import transport_args

PRIVATE = ec.generate_private_key(ec.SECP256R1())
DER = PRIVATE.public_key().public_bytes(
    serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
)
PEM = (
    PRIVATE.public_key()
    .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    .decode()
)
PRIVATE_PEM = PRIVATE.private_bytes(
    serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
).decode()
CLIENT_KEY = ClientKey("KAAP.3c2b9f0e-reliability", rsa.generate_private_key(65537, 2048))

# Every secret a credential carries; none may appear in a log record.
AWS_SECRET, AWS_TOKEN = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYzzSECRETaws", "IQoJb3JpZ2luX2VjEAWSsessionTOKEN/+="
ALI_SECRET, ALI_TOKEN = "aliSECRETkeyValue/+=0123456789", "CAIS+stsTOKENvalue/with=odd&chars"
HW_SECRET, HW_TOKEN = "huaweiSECRETkey0123456789abcdef", "gQpjbi1ub3J0aC00securityTOKEN+/="
HW_AUTH_TOKEN = "MIIHuaweiIamAUTHtokenValue0123456789+/="
SECRETS = (AWS_SECRET, AWS_TOKEN, ALI_SECRET, ALI_TOKEN, HW_SECRET, HW_TOKEN, HW_AUTH_TOKEN)

KEY_ID = "1234abcd-12ab-34cd-56ef-1234567890ab"
KEY_VERSION = "key-version-1"
HUAWEI_KEY = "0d0466b0-e727-4d9c-b35d-f84bb474a37f"
PROJECT = "0123456789abcdef0123456789abcdef"


def ticking_clock() -> Callable[[], datetime]:
    """A clock one second later at every reading, so no two attempts share a timestamp."""
    now = [datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)]

    def clock() -> datetime:
        now[0] += timedelta(seconds=1)
        return now[0]

    return clock


def _authorization(seen: Seen) -> str:
    return seen.headers.get("authorization", "")


@dataclass(frozen=True)
class Kind:
    name: str
    sync: type[Any]
    asynchronous: type[Any]
    arguments: Callable[[str], dict[str, Any]]
    call: Callable[[Any], Any]
    ok: Callable[[], tuple[bytes, str]]
    """A good answer: (body, content type)."""
    error: Callable[[str], tuple[bytes, str]]
    """An error answer naming `code`: (body, content type)."""
    signature: Callable[[Seen], str]
    json: bool = True
    secrets_on_wire: Callable[[Seen], tuple[str, ...]] = lambda seen: ()

    def build(self, url: str, *, asynchronous: bool, **policy: Any) -> Any:
        cls = self.asynchronous if asynchronous else self.sync
        return cls(**self.arguments(url), clock=ticking_clock(), **policy)


def _json(body: dict[str, Any], content_type: str = "application/json") -> tuple[bytes, str]:
    return json.dumps(body).encode(), content_type


AWS = Kind(
    "aws",
    AwsKmsClient,
    AsyncAwsKmsClient,
    lambda url: {
        "region": "us-east-1",
        "endpoint": url,
        "access_key_id": "AKIDEXAMPLERELIABLE",
        "secret_access_key": AWS_SECRET,
        "session_token": AWS_TOKEN,
    },
    lambda client: client.get_public_key(KEY_ID),
    lambda: _json(
        {
            "KeyId": f"arn:aws:kms:us-east-1:111122223333:key/{KEY_ID}",
            "PublicKey": base64.b64encode(DER).decode(),
            "KeySpec": "ECC_NIST_P256",
            "KeyUsage": "SIGN_VERIFY",
            "SigningAlgorithms": ["ECDSA_SHA_256"],
        },
        "application/x-amz-json-1.1",
    ),
    lambda code: _json({"__type": code, "message": "from the test"}, "application/x-amz-json-1.1"),
    _authorization,
    secrets_on_wire=lambda seen: (_authorization(seen), seen.headers.get("x-amz-security-token", "")),
)


def _alibaba(version: str) -> Kind:
    def signature(seen: Seen) -> str:
        return seen.query.get("Signature", "") if version == "v1" else _authorization(seen)

    def on_wire(seen: Seen) -> tuple[str, ...]:
        return (
            _authorization(seen),
            seen.headers.get("x-acs-security-token", ""),
            seen.query.get("Signature", ""),
            seen.query.get("SecurityToken", ""),
        )

    return Kind(
        f"alibaba-{version}",
        AlibabaKmsClient,
        AsyncAlibabaKmsClient,
        lambda url: {
            "region": "cn-hangzhou",
            "endpoint": url,
            "access_key_id": "LTAIreliabilityAK",
            "access_key_secret": ALI_SECRET,
            "security_token": ALI_TOKEN,
            "signature_version": version,
        },
        lambda client: client.get_public_key(KEY_ID, KEY_VERSION),
        lambda: _json({"KeyId": KEY_ID, "KeyVersionId": KEY_VERSION, "PublicKey": PEM, "RequestId": "req-1"}),
        lambda code: _json({"Code": code, "Message": "from the test", "RequestId": "req-err"}),
        signature,
        secrets_on_wire=on_wire,
    )


def _huawei(token: bool) -> Kind:
    def arguments(url: str) -> dict[str, Any]:
        base = {"region": "cn-north-4", "project_id": PROJECT, "endpoint": url}
        if token:
            return {**base, "auth_token": HW_AUTH_TOKEN}
        return {**base, "access_key": "HWAKRELIABILITY", "secret_key": HW_SECRET, "security_token": HW_TOKEN}

    return Kind(
        "huawei-token" if token else "huawei",
        HuaweiKmsClient,
        AsyncHuaweiKmsClient,
        arguments,
        lambda client: client.get_public_key(HUAWEI_KEY),
        lambda: _json({"key_id": HUAWEI_KEY, "public_key": PEM}),
        lambda code: _json({"error": {"error_code": code, "error_msg": "from the test"}}),
        # With a token there is no signature; X-Sdk-Date does not exist either.
        (lambda seen: seen.headers.get("x-auth-token", "")) if token else _authorization,
        secrets_on_wire=lambda seen: (
            _authorization(seen),
            seen.headers.get("x-security-token", ""),
            seen.headers.get("x-auth-token", ""),
        ),
    )


INSTANCE = Kind(
    "alibaba-instance",
    AlibabaKmsInstanceClient,
    AsyncAlibabaKmsInstanceClient,
    lambda url: {"endpoint": url, "client_key": CLIENT_KEY},
    lambda client: client.get_public_key(KEY_ID),
    lambda: (
        GetPublicKeyResponse(key_id=KEY_ID, public_key=PEM, request_id="req-1").encode(),
        "application/x-protobuf",
    ),
    lambda code: (
        Error(status_code=400, error_code=code, error_message="from the test", request_id="r").encode(),
        "application/x-protobuf",
    ),
    _authorization,
    json=False,
    secrets_on_wire=lambda seen: (_authorization(seen),),
)

HUAWEI = _huawei(token=False)

HUAWEI_TOKEN = _huawei(token=True)
KINDS = (AWS, _alibaba("v3"), _alibaba("v1"), HUAWEI, INSTANCE)
"""The fault matrix runs over these (in every mode of `TRANSPORTS`)."""
LOGGED_KINDS = (*KINDS, HUAWEI_TOKEN)
"""The logging test adds Huawei's IAM token."""


TRANSPORTS: dict[str, Callable[[], dict[str, Any]]] = {
    "sync": dict,
    "async": dict,
    "aiohttp": lambda: transport_args("aiohttp"),
}
"""How each client mode is built: the async clients run every test over httpx's own
transport and over `kms_pubkey.aiohttp_transport` (the `kms-pubkey[aiohttp]` extra)."""

THROTTLE_CODES = {
    "aws": "ThrottlingException",
    "alibaba-v3": "Throttling.User",
    "alibaba-v1": "Throttling.User",
    "huawei": "APIGW.0308",
    "alibaba-instance": "Rejected.Throttling",
}
SKEW_ERRORS: dict[str, tuple[int, str, str]] = {
    "aws": (
        400,
        "InvalidSignatureException",
        "Signature expired: 20260102T030406Z is now earlier than 20260102T030905Z "
        "(20260102T032405Z - 15 min.)",
    ),
    "alibaba-v3": (400, "InvalidTimeStamp.Expired", "Specified time stamp or date value is expired."),
    "alibaba-v1": (400, "InvalidTimeStamp.Expired", "Specified time stamp or date value is expired."),
    "huawei": (
        401,
        "APIGW.0301",
        "Incorrect IAM authentication information: calc ak sk signature fail:signature expired",
    ),
    "alibaba-instance": (
        400,
        "RequestTimeTooSkewed",
        "Request time exceeds server time more than 15 minutes.",
    ),
}
"""Each vendor's answer to a request time outside its window: (status, code, message), as
the vendors' pages quote them (Huawei's from its API gateway, at the top level)."""


def skew_error(kind: Kind) -> tuple[int, bytes, str]:
    """The vendor's clock-skew error for `kind`: (status, body, content type)."""
    status, code, message = SKEW_ERRORS[kind.name]
    if kind.name == "huawei":
        body, content_type = _json({"error_code": code, "error_msg": message, "request_id": "req-err"})
        return status, body, content_type
    if kind.name == "alibaba-instance":
        error = Error(status_code=status, error_code=code, error_message=message, request_id="r")
        return status, error.encode(), "application/x-protobuf"
    if kind.name == "aws":
        body, content_type = _json({"__type": code, "message": message}, "application/x-amz-json-1.1")
        return status, body, content_type
    body, content_type = _json({"Code": code, "Message": message, "RequestId": "req-err"})
    return status, body, content_type


UNKNOWN_CODES = {
    "aws": "RequestThrottledException",
    "alibaba-v3": "TooManyRequests",
    "alibaba-v1": "TooManyRequests",
    "huawei": "APIGW.9999",
    "alibaba-instance": "TooManyRequests",
}
