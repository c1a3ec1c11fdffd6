"""boto3 (the official SDK, as an oracle) against the emulator's AWS protocol over 127.0.0.1.

boto3 signs for real; the emulator must accept its requests, answer what the key list says,
and refuse bad ones with the status, `__type`, body shape and headers that AWS KMS uses.
"""

from __future__ import annotations

import base64
import json
import uuid
from datetime import UTC, datetime, timedelta

import boto3
import botocore.auth
import httpx
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError
from cryptography.hazmat.primitives import serialization

pytestmark = pytest.mark.integration

REGION = "us-east-1"
ACCOUNT = "111122223333"
ACCESS_KEY = "emulator-access-key"
SECRET = "emulator-secret-key"


def listed_keys(emulator, vendor: str = "aws") -> list[dict]:
    answer = httpx.get(emulator.url + "/_emulator/keys", timeout=10)
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("application/json")
    return [k for k in answer.json() if k["vendor"] == vendor]


def der_of(pem: str) -> bytes:
    key = serialization.load_pem_public_key(pem.encode())
    return key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)


def kms(
    emulator,
    *,
    access_key: str = ACCESS_KEY,
    secret: str = SECRET,
    token: str | None = None,
    region: str = REGION,
):
    session = boto3.session.Session(
        aws_access_key_id=access_key,
        aws_secret_access_key=secret,
        aws_session_token=token,
        region_name=region,
    )
    return session.client(
        "kms", endpoint_url=emulator.url, config=Config(retries={"max_attempts": 1, "mode": "standard"})
    )


class Captured:
    """The raw HTTP answer botocore received, through its own event hook."""

    def __init__(self, client) -> None:
        self.status: int | None = None
        self.headers: dict[str, str] = {}
        self.body: bytes = b""
        client.meta.events.register("after-call.kms.GetPublicKey", self._after)

    def _after(self, http_response, **_kwargs) -> None:
        self.status = http_response.status_code
        self.headers = {k.lower(): v for k, v in http_response.headers.items()}
        self.body = http_response.content


def expect_error(client, key_id: str, code: str) -> tuple[ClientError, Captured]:
    captured = Captured(client)
    with pytest.raises(ClientError) as caught:
        client.get_public_key(KeyId=key_id)
    error = caught.value
    assert error.response["Error"]["Code"] == code
    assert error.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert captured.status == 400
    assert captured.headers["content-type"] == "application/x-amz-json-1.1"
    request_id = captured.headers["x-amzn-requestid"]
    assert uuid.UUID(request_id)
    assert error.response["ResponseMetadata"]["RequestId"] == request_id
    body = json.loads(captured.body)
    assert body["__type"] == code
    assert set(body) <= {"__type", "message"}
    return error, captured


# The seeded AWS specs: every KeySpec botocore knows that cryptography can generate.
EXPECTED_SPECS = {
    "RSA_2048",
    "RSA_3072",
    "RSA_4096",
    "ECC_NIST_P256",
    "ECC_NIST_P384",
    "ECC_NIST_P521",
    "ECC_SECG_P256K1",
    "ECC_NIST_EDWARDS25519",
    "ML_DSA_44",
    "ML_DSA_65",
    "ML_DSA_87",
    "ML_KEM_768",
    "ML_KEM_1024",
}


def test_seeds_one_key_per_generatable_spec(emulator):
    specs = [k["key_spec"] for k in listed_keys(emulator)]
    assert sorted(specs) == sorted(EXPECTED_SPECS)  # SM2 and ML-KEM-512: cryptography cannot make them
    model = boto3.session.Session().get_available_services()
    assert "kms" in model


def test_every_key_through_boto3(emulator):
    client = kms(emulator)
    keys = listed_keys(emulator)
    assert keys
    for listed in keys:
        answer = client.get_public_key(KeyId=listed["key_id"])
        assert answer["PublicKey"] == der_of(listed["public_key_pem"]), listed["key_spec"]
        assert answer["KeyId"] == f"arn:aws:kms:{REGION}:{ACCOUNT}:key/{listed['key_id']}"
        assert answer["KeySpec"] == listed["key_spec"]
        assert answer["KeyUsage"] == listed["key_usage"]
        assert uuid.UUID(answer["ResponseMetadata"]["RequestId"])
        # The public key really is of the spec named.
        loaded = serialization.load_der_public_key(answer["PublicKey"])
        assert loaded is not None


ALGORITHMS = {
    ("RSA_2048", "SIGN_VERIFY"): (
        "SigningAlgorithms",
        [
            "RSASSA_PSS_SHA_256",
            "RSASSA_PSS_SHA_384",
            "RSASSA_PSS_SHA_512",
            "RSASSA_PKCS1_V1_5_SHA_256",
            "RSASSA_PKCS1_V1_5_SHA_384",
            "RSASSA_PKCS1_V1_5_SHA_512",
        ],
    ),
    ("RSA_4096", "ENCRYPT_DECRYPT"): ("EncryptionAlgorithms", ["RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256"]),
    ("ECC_NIST_P256", "SIGN_VERIFY"): ("SigningAlgorithms", ["ECDSA_SHA_256"]),
    ("ECC_NIST_P384", "SIGN_VERIFY"): ("SigningAlgorithms", ["ECDSA_SHA_384"]),
    ("ECC_NIST_P521", "KEY_AGREEMENT"): ("KeyAgreementAlgorithms", ["ECDH"]),
    ("ECC_SECG_P256K1", "SIGN_VERIFY"): ("SigningAlgorithms", ["ECDSA_SHA_256"]),
    ("ECC_NIST_EDWARDS25519", "SIGN_VERIFY"): (
        "SigningAlgorithms",
        ["ED25519_SHA_512", "ED25519_PH_SHA_512"],
    ),
    ("ML_DSA_65", "SIGN_VERIFY"): ("SigningAlgorithms", ["ML_DSA_SHAKE_256"]),
    ("ML_KEM_768", "ENCAPSULATE_DECAPSULATE"): ("EncapsulationAlgorithms", ["ML_KEM"]),
}


@pytest.mark.parametrize(("spec", "usage"), sorted(ALGORITHMS))
def test_algorithm_lists_per_spec(emulator, spec, usage):
    field, expected = ALGORITHMS[(spec, usage)]
    answer = kms(emulator).get_public_key(KeyId="alias/emulator-" + spec.lower().replace("_", "-"))
    assert answer["KeySpec"] == spec
    assert answer["KeyUsage"] == usage
    assert answer[field] == expected
    others = {
        "SigningAlgorithms",
        "EncryptionAlgorithms",
        "KeyAgreementAlgorithms",
        "EncapsulationAlgorithms",
    } - {field}
    assert not others & set(answer)
    legacy = spec.startswith(("RSA_", "ECC_NIST_P", "ECC_SECG"))
    assert answer.get("CustomerMasterKeySpec") == (spec if legacy else None)


@pytest.mark.parametrize("form", ["key_id", "key_arn", "alias", "alias_arn"])
def test_key_reference_forms(emulator, form):
    listed = next(k for k in listed_keys(emulator) if k["key_spec"] == "ECC_NIST_P384")
    alias = "alias/emulator-ecc-nist-p384"
    reference = {
        "key_id": listed["key_id"],
        "key_arn": f"arn:aws:kms:{REGION}:{ACCOUNT}:key/{listed['key_id']}",
        "alias": alias,
        "alias_arn": f"arn:aws:kms:{REGION}:{ACCOUNT}:{alias}",
    }[form]
    answer = kms(emulator).get_public_key(KeyId=reference)
    assert answer["KeyId"] == f"arn:aws:kms:{REGION}:{ACCOUNT}:key/{listed['key_id']}"
    assert answer["PublicKey"] == der_of(listed["public_key_pem"])


def test_other_region_answers_with_its_own_arn(emulator):
    listed = listed_keys(emulator)[0]
    answer = kms(emulator, region="eu-west-1").get_public_key(KeyId=listed["key_id"])
    assert answer["KeyId"] == f"arn:aws:kms:eu-west-1:{ACCOUNT}:key/{listed['key_id']}"


def test_wrong_secret_is_invalid_signature(emulator):
    error, _ = expect_error(
        kms(emulator, secret="not-the-secret"), "alias/emulator-rsa-2048", "InvalidSignatureException"
    )
    message = error.response["Error"]["Message"]
    assert message.startswith(
        "The request signature we calculated does not match the signature you provided."
    )
    assert "kms/aws4_request" in message  # the string to sign is shown, as AWS does


def test_unknown_access_key_is_unrecognized_client(emulator):
    error, _ = expect_error(
        kms(emulator, access_key="AKIAIOSFODNN7EXAMPLE"),
        "alias/emulator-rsa-2048",
        "UnrecognizedClientException",
    )
    assert error.response["Error"]["Message"] == "The security token included in the request is invalid."


def test_session_token_is_unrecognized_client(emulator):
    expect_error(
        kms(emulator, token="some-sts-token"), "alias/emulator-rsa-2048", "UnrecognizedClientException"
    )


def test_unknown_key_is_not_found(emulator):
    missing = str(uuid.uuid4())
    error, _ = expect_error(kms(emulator), missing, "NotFoundException")
    assert error.response["Error"]["Message"] == (
        f"Key 'arn:aws:kms:{REGION}:{ACCOUNT}:key/{missing}' does not exist"
    )


@pytest.mark.parametrize(
    "reference",
    [
        "alias/no-such-alias",
        f"arn:aws:kms:{REGION}:{ACCOUNT}:alias/no-such-alias",
        "not-a-key-id",
        f"arn:aws:kms:{REGION}:999999999999:key/00000000-0000-0000-0000-000000000000",
    ],
)
def test_unknown_references_are_not_found(emulator, reference):
    expect_error(kms(emulator), reference, "NotFoundException")


def test_key_arn_of_another_region_is_not_found(emulator):
    listed = listed_keys(emulator)[0]
    expect_error(
        kms(emulator), f"arn:aws:kms:eu-west-1:{ACCOUNT}:key/{listed['key_id']}", "NotFoundException"
    )


def test_disabled_key(emulator):
    listed = next(k for k in listed_keys(emulator) if k["key_spec"] == "ECC_SECG_P256K1")
    disabled = httpx.post(f"{emulator.url}/_emulator/keys/{listed['key_id']}/disable", timeout=10)
    assert disabled.status_code == 200
    try:
        assert not next(k for k in listed_keys(emulator) if k["key_id"] == listed["key_id"])["enabled"]
        error, _ = expect_error(kms(emulator), listed["key_id"], "DisabledException")
        assert error.response["Error"]["Message"] == (
            f"arn:aws:kms:{REGION}:{ACCOUNT}:key/{listed['key_id']} is disabled."
        )
    finally:
        assert (
            httpx.post(f"{emulator.url}/_emulator/keys/{listed['key_id']}/enable", timeout=10).status_code
            == 200
        )
    assert kms(emulator).get_public_key(KeyId=listed["key_id"])["PublicKey"] == der_of(
        listed["public_key_pem"]
    )


def frozen(monkeypatch, offset: timedelta) -> str:
    """Make botocore sign with a clock `offset` away from now; returns the X-Amz-Date it will use."""
    when = datetime.now(UTC).replace(tzinfo=None) + offset
    monkeypatch.setattr(botocore.auth, "get_current_datetime", lambda *a, **k: when)
    return when.strftime("%Y%m%dT%H%M%SZ")


def test_clock_twenty_minutes_behind_is_expired(emulator, monkeypatch):
    stamp = frozen(monkeypatch, timedelta(minutes=-20))
    error, _ = expect_error(kms(emulator), "alias/emulator-rsa-2048", "InvalidSignatureException")
    message = error.response["Error"]["Message"]
    assert message.startswith(f"Signature expired: {stamp} is now earlier than ")
    assert message.endswith(" - 15 min.)")


def test_clock_twenty_minutes_ahead_is_not_yet_current(emulator, monkeypatch):
    stamp = frozen(monkeypatch, timedelta(minutes=20))
    error, _ = expect_error(kms(emulator), "alias/emulator-rsa-2048", "InvalidSignatureException")
    assert error.response["Error"]["Message"].startswith(
        f"Signature not yet current: {stamp} is still later than "
    )


@pytest.mark.parametrize("minutes", [-14, 14])
def test_clock_within_fifteen_minutes_is_accepted(emulator, monkeypatch, minutes):
    frozen(monkeypatch, timedelta(minutes=minutes))
    assert kms(emulator).get_public_key(KeyId="alias/emulator-rsa-2048")["KeySpec"] == "RSA_2048"


def raw_post(emulator, headers: dict[str, str], body: bytes = b'{"KeyId": "alias/emulator-rsa-2048"}'):
    return httpx.post(emulator.url + "/", content=body, headers=headers, timeout=10)


def test_unsigned_request_is_missing_token(emulator):
    answer = raw_post(
        emulator, {"X-Amz-Target": "TrentService.GetPublicKey", "Content-Type": "application/x-amz-json-1.1"}
    )
    assert answer.status_code == 400
    assert answer.json()["__type"] == "MissingAuthenticationTokenException"
    assert answer.headers["x-amzn-RequestId"]


def test_malformed_authorization_is_incomplete_signature(emulator):
    answer = raw_post(
        emulator,
        {
            "X-Amz-Target": "TrentService.GetPublicKey",
            "Content-Type": "application/x-amz-json-1.1",
            "X-Amz-Date": "20250101T000000Z",
            "Authorization": "AWS4-HMAC-SHA256 Credential=emulator-access-key",
        },
    )
    assert answer.status_code == 400
    assert answer.json()["__type"] == "IncompleteSignatureException"


def test_body_changed_after_signing_is_refused(emulator):
    """Sign with botocore's own signer, then alter one byte of the body."""
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    body = json.dumps({"KeyId": "alias/emulator-rsa-2048"}).encode()
    request = AWSRequest(
        method="POST",
        url=emulator.url + "/",
        data=body,
        headers={"X-Amz-Target": "TrentService.GetPublicKey", "Content-Type": "application/x-amz-json-1.1"},
    )
    botocore.auth.SigV4Auth(Credentials(ACCESS_KEY, SECRET), "kms", REGION).add_auth(request)
    headers = dict(request.headers.items())
    good = raw_post(emulator, headers, body)
    assert good.status_code == 200
    assert base64.b64decode(good.json()["PublicKey"])
    bad = raw_post(emulator, headers, body.replace(b"2048", b"3072"))
    assert bad.status_code == 400
    assert bad.json()["__type"] == "InvalidSignatureException"


def test_unknown_operation(emulator):
    client = kms(emulator)
    with pytest.raises(ClientError) as caught:
        client.list_keys()
    assert caught.value.response["Error"]["Code"] == "UnknownOperationException"
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
