"""The official SDKs sign and decrypt on the emulator; `PublicKey.verify` and `encrypt` meet them.

The key comes through our own clients (GetPublicKey / ShowPublicKey, with the metadata each
service reports). boto3, huaweicloudsdkkms and alibabacloud-kms20160120 make the signatures and
open our ciphertexts; the emulator's signatures themselves are checked against OpenSSL and
`cryptography` in tests/*/test_official_sdk_crypto.py.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from alibabacloud_kms20160120 import models
from botocore.config import Config
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from huaweicloudsdkkms.v2 import DecryptDataRequest, DecryptDataRequestBody, SignRequest, SignRequestBody

from kms_pubkey import InvalidSignatureError, PublicKey, ValidationError
from kms_pubkey_alibaba import AlibabaKmsClient
from kms_pubkey_aws import AwsKmsClient
from kms_pubkey_huawei import HuaweiKmsClient
from tests.alibaba.test_official_sdk import _official as alibaba_official
from tests.huawei.test_official_sdk import official as huawei_official

pytestmark = pytest.mark.integration

MESSAGE = b"a release manifest"


def flipped(data: bytes) -> bytes:
    return bytes([data[0] ^ 0x01]) + data[1:]


@pytest.fixture
def env(emulator: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for name, value in emulator.client_env().items():
        monkeypatch.setenv(name, value)
    yield


# --- AWS: boto3 -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def kms(emulator: Any) -> Any:
    c = emulator.config
    session = boto3.session.Session(
        aws_access_key_id=c.access_key_id, aws_secret_access_key=c.secret_access_key, region_name="us-east-1"
    )
    return session.client("kms", endpoint_url=emulator.url, config=Config(retries={"max_attempts": 1}))


def aws_key(emulator: Any, alias: str) -> PublicKey:
    with AwsKmsClient(endpoint=emulator.url, max_retries=0) as client:
        return client.get_public_key(alias)


AWS_SIGNING = [
    ("alias/emulator-rsa-2048", "RSASSA_PSS_SHA_256", "RAW"),
    ("alias/emulator-rsa-2048", "RSASSA_PSS_SHA_512", "DIGEST"),
    ("alias/emulator-rsa-3072", "RSASSA_PKCS1_V1_5_SHA_384", "RAW"),
    ("alias/emulator-ecc-nist-p256", "ECDSA_SHA_256", "RAW"),
    ("alias/emulator-ecc-nist-p256", "ECDSA_SHA_256", "DIGEST"),
    ("alias/emulator-ecc-secg-p256k1", "ECDSA_SHA_256", "RAW"),
    ("alias/emulator-ecc-nist-p384", "ECDSA_SHA_384", "DIGEST"),
    ("alias/emulator-ecc-nist-edwards25519", "ED25519_SHA_512", "RAW"),
    # AWS takes DIGEST only and hashes it again (botocore's MessageType doc).
    ("alias/emulator-ecc-nist-edwards25519", "ED25519_PH_SHA_512", "DIGEST"),
    ("alias/emulator-ml-dsa-65", "ML_DSA_SHAKE_256", "RAW"),
]
_HASH_OF = {"256": "sha256", "384": "sha384", "512": "sha512"}


@pytest.mark.parametrize(("alias", "algorithm", "message_type"), AWS_SIGNING)
def test_boto3_signatures_verify_offline(
    emulator: Any, env: None, kms: Any, alias: str, algorithm: str, message_type: str
) -> None:
    message = MESSAGE
    if message_type == "DIGEST":
        message = hashlib.new(_HASH_OF[algorithm[-3:]], MESSAGE).digest()
    signature = kms.sign(KeyId=alias, Message=message, MessageType=message_type, SigningAlgorithm=algorithm)[
        "Signature"
    ]
    key = aws_key(emulator, alias)
    key.verify(signature, message, algorithm=algorithm, message_type=message_type)
    assert not key.is_valid_signature(
        flipped(signature), message, algorithm=algorithm, message_type=message_type
    )
    assert not key.is_valid_signature(
        signature, flipped(message), algorithm=algorithm, message_type=message_type
    )


def test_our_oaep_ciphertexts_decrypt_through_boto3(emulator: Any, env: None, kms: Any) -> None:
    key = aws_key(emulator, "alias/emulator-rsa-4096")
    for algorithm, limit in (("RSAES_OAEP_SHA_1", 470), ("RSAES_OAEP_SHA_256", 446)):
        plaintext = b"k" * limit
        ciphertext = key.encrypt(plaintext, algorithm=algorithm)
        answer = kms.decrypt(
            KeyId="alias/emulator-rsa-4096", CiphertextBlob=ciphertext, EncryptionAlgorithm=algorithm
        )
        assert answer["Plaintext"] == plaintext
        with pytest.raises(ValidationError, match=f"at most {limit} bytes"):
            key.encrypt(plaintext + b"k", algorithm=algorithm)


def test_our_raw_z_is_boto3_derive_shared_secret(emulator: Any, env: None, kms: Any) -> None:
    key = aws_key(emulator, "alias/emulator-ecc-nist-p521")
    mine = ec.generate_private_key(ec.SECP521R1())
    mine_der = mine.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    answer = kms.derive_shared_secret(
        KeyId="alias/emulator-ecc-nist-p521", KeyAgreementAlgorithm="ECDH", PublicKey=mine_der
    )
    assert key.derive_shared_secret(mine) == answer["SharedSecret"]


def test_a_signing_key_fetched_from_aws_refuses_to_encrypt_and_unlisted_algorithms(
    emulator: Any, env: None
) -> None:
    key = aws_key(emulator, "alias/emulator-ecc-nist-p256")
    assert key.signing_algorithms == ("ECDSA_SHA_256",)
    with pytest.raises(ValidationError, match="usage is SIGN_VERIFY"):
        key.encrypt(b"x", algorithm="RSAES_OAEP_SHA_256")
    with pytest.raises(ValidationError, match="ECDSA_SHA_384"):
        key.verify(b"sig", MESSAGE, algorithm="ECDSA_SHA_384")


# --- Huawei: huaweicloudsdkkms ------------------------------------------------------------


@pytest.mark.parametrize(
    ("spec", "algorithm"),
    [
        ("RSA_2048", "RSASSA_PSS_SHA_256"),
        ("RSA_4096", "RSASSA_PKCS1_V1_5_SHA_512"),
        ("EC_P256", "ECDSA_SHA_256"),
        ("EC_P384", "ECDSA_SHA_384"),
        ("SECP256K1", "ECDSA_SHA_256"),
    ],
)
def test_huawei_sdk_signatures_of_digests_verify_offline(
    emulator: Any, env: None, spec: str, algorithm: str
) -> None:
    stored = emulator.key("huawei", spec)
    digest = hashlib.new(_HASH_OF[algorithm[-3:]], MESSAGE).digest()
    body = SignRequestBody(
        key_id=stored.key_id, message=base64.b64encode(digest).decode(), signing_algorithm=algorithm
    )  # no message_type: Huawei's default, DIGEST
    signature = base64.b64decode(huawei_official(emulator).sign(SignRequest(body=body)).signature)
    with HuaweiKmsClient(endpoint=emulator.url, max_retries=0) as client:
        key = client.get_public_key(stored.key_id)
    key.verify(signature, digest, algorithm=algorithm)  # our default for Huawei: DIGEST too
    with pytest.raises(InvalidSignatureError):
        key.verify(signature, flipped(digest), algorithm=algorithm)


def test_our_ciphertext_decrypts_through_the_huawei_sdk(emulator: Any, env: None) -> None:
    stored = emulator.key("huawei", "RSA_3072")
    with HuaweiKmsClient(endpoint=emulator.url, max_retries=0) as client:
        key = client.get_public_key(stored.key_id)
    ciphertext = key.encrypt(b"a data key", algorithm="RSAES_OAEP_SHA_256")
    body = DecryptDataRequestBody(
        cipher_text=base64.b64encode(ciphertext).decode(),
        key_id=stored.key_id,
        encryption_algorithm="RSAES_OAEP_SHA_256",
    )
    answer = huawei_official(emulator).decrypt_data(DecryptDataRequest(body=body))
    assert answer.plain_text in ("a data key", base64.b64encode(b"a data key").decode())


# --- Alibaba: alibabacloud-kms20160120 ------------------------------------------------------


def alibaba_key(emulator: Any, stored: Any) -> PublicKey:
    with AlibabaKmsClient(endpoint=emulator.url, max_retries=0) as client:
        return client.get_public_key(stored.key_id, stored.key_version_id)


@pytest.mark.parametrize(
    ("spec", "algorithm"),
    [
        ("RSA_2048", "RSA_PSS_SHA_256"),
        ("RSA_2048", "RSA_PKCS1_SHA_256"),
        ("EC_P256", "ECDSA_SHA_256"),
        ("EC_P256K", "ECDSA_SHA_256"),
    ],
)
def test_alibaba_sdk_signatures_verify_offline(emulator: Any, env: None, spec: str, algorithm: str) -> None:
    stored = emulator.key("alibaba", spec)
    digest = hashlib.sha256(MESSAGE).digest()
    request = models.AsymmetricSignRequest(
        key_id=stored.key_id,
        key_version_id=stored.key_version_id,
        algorithm=algorithm,
        digest=base64.b64encode(digest).decode(),
    )
    signature = base64.b64decode(alibaba_official(emulator, "v3").asymmetric_sign(request).body.value)
    key = alibaba_key(emulator, stored)
    key.verify(signature, digest, algorithm=algorithm)  # the shared gateway signs digests only
    with pytest.raises(InvalidSignatureError):
        key.verify(flipped(signature), digest, algorithm=algorithm)
    with pytest.raises(ValidationError, match="takes message type DIGEST"):
        key.verify(signature, MESSAGE, algorithm=algorithm, message_type="RAW")


def test_our_ciphertext_decrypts_through_the_alibaba_sdk(emulator: Any, env: None) -> None:
    stored = emulator.key("alibaba", "RSA_3072")
    key = alibaba_key(emulator, stored)
    for algorithm in ("RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256"):
        ciphertext = key.encrypt(b"a data key", algorithm=algorithm)
        request = models.AsymmetricDecryptRequest(
            key_id=stored.key_id,
            key_version_id=stored.key_version_id,
            algorithm=algorithm,
            ciphertext_blob=base64.b64encode(ciphertext).decode(),
        )
        body = alibaba_official(emulator, "v3").asymmetric_decrypt(request).body
        assert base64.b64decode(body.plaintext) == b"a data key"
