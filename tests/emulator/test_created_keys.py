"""Keys made after start (`Emulator.create_key`, `POST /_emulator/keys`) for the usages not seeded.

The seeded set stays one key per spec (other tests count it), so these run on an emulator of
their own: RSA-2048 for encryption (OAEP-SHA-256's 190-byte limit, DESIGN.md's example), P-256
for key agreement and P-521 for signing, driven by boto3 and huaweicloudsdkkms and checked by
the OpenSSL command line.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterator
from typing import Any

import boto3
import httpx
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from huaweicloudsdkkms.v2 import EncryptDataRequest, EncryptDataRequestBody

from kms_pubkey_emulator import Emulator, EmulatorConfig
from kms_pubkey_emulator.vendors import aws, huawei
from tests.huawei.test_official_sdk import official
from tests.support import openssl

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def own(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Emulator]:
    config = EmulatorConfig(port=0, state_dir=tmp_path_factory.mktemp("created"))
    with Emulator(config, protocols=[aws.PROTOCOL, huawei.PROTOCOL]) as emu:
        yield emu


@pytest.fixture(scope="module")
def kms(own: Emulator) -> Any:
    c = own.config
    return boto3.session.Session(
        aws_access_key_id=c.access_key_id, aws_secret_access_key=c.secret_access_key, region_name="us-east-1"
    ).client("kms", endpoint_url=own.url, config=Config(retries={"max_attempts": 1}))


def test_rsa_2048_for_encryption_has_the_190_byte_limit(own: Emulator, kms: Any) -> None:
    key = own.create_key("aws", "RSA_2048", "ENCRYPT_DECRYPT")
    assert key.aliases == ("alias/emulator-rsa-2048-encrypt-decrypt",)
    answer = kms.get_public_key(KeyId=key.aliases[0])
    assert (answer["KeyUsage"], answer["EncryptionAlgorithms"]) == (
        "ENCRYPT_DECRYPT",
        ["RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256"],
    )
    assert "SigningAlgorithms" not in answer
    ciphertext = kms.encrypt(KeyId=key.key_id, Plaintext=b"a" * 190, EncryptionAlgorithm="RSAES_OAEP_SHA_256")
    assert openssl.decrypt_oaep(key.private_key(), ciphertext["CiphertextBlob"], "sha256") == b"a" * 190
    with pytest.raises(ClientError) as caught:
        kms.encrypt(KeyId=key.key_id, Plaintext=b"a" * 191, EncryptionAlgorithm="RSAES_OAEP_SHA_256")
    assert caught.value.response["Error"]["Code"] == "ValidationException"
    # The seeded RSA_2048 key is still the signing one behind the spec's alias.
    assert kms.get_public_key(KeyId="alias/emulator-rsa-2048")["KeyUsage"] == "SIGN_VERIFY"


def test_p256_key_agreement_and_p521_signing(own: Emulator, kms: Any) -> None:
    agreeing = own.create_key("aws", "ECC_NIST_P256", "KEY_AGREEMENT")
    mine = ec.generate_private_key(ec.SECP256R1())
    mine_der = mine.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    secret = kms.derive_shared_secret(KeyId=agreeing.key_id, KeyAgreementAlgorithm="ECDH", PublicKey=mine_der)
    assert secret["SharedSecret"] == openssl.derive(
        mine, kms.get_public_key(KeyId=agreeing.key_id)["PublicKey"]
    )
    signing = own.create_key("aws", "ECC_NIST_P521", "SIGN_VERIFY")
    digest = hashlib.sha512(b"p-521").digest()
    signature = kms.sign(
        KeyId=signing.key_id, Message=digest, MessageType="DIGEST", SigningAlgorithm="ECDSA_SHA_512"
    )
    der = kms.get_public_key(KeyId=signing.key_id)["PublicKey"]
    assert openssl.verify_digest(der, digest, signature["Signature"], ["digest:sha512"])


def test_huawei_rsa_2048_for_encryption(own: Emulator) -> None:
    key = own.create_key("huawei", "RSA_2048", "ENCRYPT_DECRYPT")
    client = official(own)
    body = EncryptDataRequestBody(
        key_id=key.key_id, plain_text="b" * 190, encryption_algorithm="RSAES_OAEP_SHA_256"
    )
    ciphertext = base64.b64decode(client.encrypt_data(EncryptDataRequest(body=body)).cipher_text)
    assert openssl.decrypt_oaep(key.private_key(), ciphertext, "sha256") == b"b" * 190


def test_admin_route_refuses_a_usage_the_vendor_does_not_allow(own: Emulator) -> None:
    made = httpx.post(
        own.url + "/_emulator/keys",
        json={"vendor": "aws", "key_spec": "RSA_3072", "key_usage": "ENCRYPT_DECRYPT"},
        timeout=30,
    )
    assert made.status_code == 201
    assert made.json()["key_usage"] == "ENCRYPT_DECRYPT"
    for wanted in (
        {"vendor": "aws", "key_spec": "ECC_SECG_P256K1", "key_usage": "KEY_AGREEMENT"},
        {"vendor": "aws", "key_spec": "NO_SUCH_SPEC", "key_usage": "SIGN_VERIFY"},
        {"vendor": "nobody", "key_spec": "RSA_2048", "key_usage": "SIGN_VERIFY"},
    ):
        assert httpx.post(own.url + "/_emulator/keys", json=wanted, timeout=30).status_code == 400
    with pytest.raises(ValueError, match="cannot make"):
        own.create_key("huawei", "ED25519", "ENCRYPT_DECRYPT")


def test_created_keys_survive_a_restart(own: Emulator) -> None:
    key = own.create_key("aws", "ECC_NIST_P384", "KEY_AGREEMENT")
    with Emulator(EmulatorConfig(port=0, state_dir=own.config.state_dir), protocols=[aws.PROTOCOL]) as again:
        restored = again.store.get("aws", key.key_id)
        assert restored is not None
        assert (restored.key_usage, restored.public_der, restored.private_der) == (
            key.key_usage,
            key.public_der,
            key.private_der,
        )


def test_a_key_saved_without_its_private_half_is_unavailable(own: Emulator, kms: Any) -> None:
    """As a hand-written keys.json with only `public_key_pem` leaves it: GetPublicKey works."""
    key = own.create_key("aws", "ECC_NIST_P384", "SIGN_VERIFY")
    key.private_der = b""
    assert kms.get_public_key(KeyId=key.key_id)["PublicKey"] == key.public_der
    with pytest.raises(ClientError) as caught:
        kms.sign(KeyId=key.key_id, Message=b"m", SigningAlgorithm="ECDSA_SHA_384")
    assert caught.value.response["Error"]["Code"] == "KeyUnavailableException"
