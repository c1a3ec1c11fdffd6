"""SM2 keys on the emulator, driven by the official SDKs and checked by OpenSSL and `PublicKey`.

boto3 (SM2DSA, SM2PKE), huaweicloudsdkkms (SM2DSA_SM3, SM2_ENCRYPT) and alibabacloud-kms20160120
(SM2DSA, SM2PKE) sign, verify, encrypt and decrypt with SM2 keys made on demand on an emulator
of this module's own (the seeded set is counted elsewhere). Outside oracles:

- the OpenSSL command line verifies every signature over the message with
  `-rawin -digest sm3 -pkeyopt distid:1234567812345678` and refuses it under another ID, decrypts
  every emulator ciphertext (DER C1C3C2, OpenSSL's layout), and its own ciphertexts and
  signatures go through the SDKs;
- a digest (AWS DIGEST, Huawei's and Alibaba's only input) is e = SM3(Z_A || M), computed in
  `tests/support/openssl.py` from hashlib and the published curve constants. Sources: Alibaba's
  AsymmetricSign doc for SM2DSA, Huawei's DEW FAQ "How Do I Calculate the SM3 Digest During SM2
  Signature?" (which also says SM2 keys sign digests only), and botocore's MessageType doc ("KMS
  skips the hashing step"; SM2DSA's hashing step is SM3 over Z_A || M): AWS's reading unconfirmed.

Then each key, fetched with our clients, verifies each signature through `PublicKey.verify` and
refuses it under a wrong distinguishing ID, and `PublicKey.encrypt` ciphertexts decrypt through
each SDK on the emulator.
"""

from __future__ import annotations

import base64
from collections.abc import Iterator
from typing import Any

import boto3
import httpx
import pytest
from alibabacloud_kms20160120 import models
from alibabacloud_tea_openapi.exceptions import ClientException
from botocore.config import Config
from botocore.exceptions import ClientError
from huaweicloudsdkcore.exceptions import exceptions
from huaweicloudsdkkms.v2 import (
    DecryptDataRequest,
    DecryptDataRequestBody,
    EncryptDataRequest,
    EncryptDataRequestBody,
    SignRequest,
    SignRequestBody,
    ValidateSignatureRequest,
    VerifyRequestBody,
)

from kms_pubkey import InvalidSignatureError, PublicKey
from kms_pubkey_alibaba import AlibabaKmsClient
from kms_pubkey_aws import AwsKmsClient
from kms_pubkey_emulator import Emulator, EmulatorConfig
from kms_pubkey_emulator.keys import StoredKey
from kms_pubkey_huawei import HuaweiKmsClient
from tests.alibaba.test_official_sdk import _official as alibaba_official
from tests.huawei.test_official_sdk import official as huawei_official
from tests.support import openssl

pytestmark = pytest.mark.integration

MESSAGE = b"an SM2 release manifest"
OTHER_ID = b"8765432187654321"


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def flipped(data: bytes) -> bytes:
    return data[:-1] + bytes([data[-1] ^ 1])


def e_of(key: StoredKey, message: bytes = MESSAGE) -> bytes:
    return openssl.sm2_e(openssl.pem_of(key.public_der), message)


def outside_checks(key: StoredKey, signature: bytes, message: bytes = MESSAGE) -> None:
    assert openssl.verify_sm2(key.public_der, message, signature)
    assert not openssl.verify_sm2(key.public_der, message, signature, OTHER_ID)
    assert not openssl.verify_sm2(key.public_der, message + b"!", signature)


def offline_checks(
    key: PublicKey, algorithm: str, signature: bytes, stored: StoredKey, message_type: str
) -> None:
    """`PublicKey.verify` accepts the signature over the message (RAW) or e (DIGEST), and refuses
    it under another distinguishing ID (passed, or folded into e) and when flipped."""
    if message_type == "RAW":
        key.verify(signature, MESSAGE, algorithm=algorithm, message_type="RAW")
        with pytest.raises(InvalidSignatureError):
            key.verify(
                signature, MESSAGE, algorithm=algorithm, message_type="RAW", distinguishing_id=OTHER_ID
            )
        assert not key.is_valid_signature(
            flipped(signature), MESSAGE, algorithm=algorithm, message_type="RAW"
        )
        return
    key.verify(signature, e_of(stored), algorithm=algorithm, message_type="DIGEST")
    other = openssl.sm2_e(openssl.pem_of(stored.public_der), MESSAGE, OTHER_ID)
    with pytest.raises(InvalidSignatureError):
        key.verify(signature, other, algorithm=algorithm, message_type="DIGEST")
    assert not key.is_valid_signature(
        flipped(signature), e_of(stored), algorithm=algorithm, message_type="DIGEST"
    )


@pytest.fixture(scope="module")
def own(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Emulator]:
    with Emulator(EmulatorConfig(port=0, state_dir=tmp_path_factory.mktemp("sm2"))) as emu:
        yield emu


@pytest.fixture
def env(own: Emulator, monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in own.client_env().items():
        monkeypatch.setenv(name, value)


@pytest.fixture(scope="module")
def keys(own: Emulator) -> dict[str, StoredKey]:
    return {
        "aws-sign": own.create_key("aws", "SM2", "SIGN_VERIFY"),
        "aws-encrypt": own.create_key("aws", "SM2", "ENCRYPT_DECRYPT"),
        "huawei-sign": own.create_key("huawei", "SM2", "SIGN_VERIFY"),
        "huawei-encrypt": own.create_key("huawei", "SM2", "ENCRYPT_DECRYPT"),
        "alibaba-sign": own.create_key("alibaba", "EC_SM2", "SIGN/VERIFY"),
        "alibaba-encrypt": own.create_key("alibaba", "EC_SM2", "ENCRYPT/DECRYPT"),
    }


# --- AWS: boto3 -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def kms(own: Emulator) -> Any:
    c = own.config
    session = boto3.session.Session(
        aws_access_key_id=c.access_key_id, aws_secret_access_key=c.secret_access_key, region_name="cn-north-1"
    )
    return session.client("kms", endpoint_url=own.url, config=Config(retries={"max_attempts": 1}))


def aws_key(own: Emulator, key: StoredKey) -> PublicKey:
    with AwsKmsClient(endpoint=own.url, region="cn-north-1", max_retries=0) as client:
        return client.get_public_key(key.key_id)


def aws_error(call: Any) -> str:
    with pytest.raises(ClientError) as caught:
        call()
    code: str = caught.value.response["Error"]["Code"]
    return code


def test_aws_get_public_key_names_the_sm2_algorithms(kms: Any, keys: dict[str, StoredKey]) -> None:
    sign, encrypt = (
        kms.get_public_key(KeyId=keys["aws-sign"].key_id),
        kms.get_public_key(KeyId=keys["aws-encrypt"].key_id),
    )
    assert (sign["KeySpec"], sign["SigningAlgorithms"]) == ("SM2", ["SM2DSA"])
    assert (encrypt["KeyUsage"], encrypt["EncryptionAlgorithms"]) == ("ENCRYPT_DECRYPT", ["SM2PKE"])
    assert sign["PublicKey"] == keys["aws-sign"].public_der


def test_aws_sm2dsa_raw_and_digest(own: Emulator, env: None, kms: Any, keys: dict[str, StoredKey]) -> None:
    stored = keys["aws-sign"]
    raw = kms.sign(KeyId=stored.key_id, Message=MESSAGE, SigningAlgorithm="SM2DSA")["Signature"]
    outside_checks(stored, raw)
    e = e_of(stored)
    digest = kms.sign(KeyId=stored.key_id, Message=e, MessageType="DIGEST", SigningAlgorithm="SM2DSA")
    outside_checks(stored, digest["Signature"])  # the digest was e: OpenSSL checks it over M
    key = aws_key(own, stored)
    for signature in (raw, digest["Signature"]):
        offline_checks(key, "SM2DSA", signature, stored, "RAW")
        offline_checks(key, "SM2DSA", signature, stored, "DIGEST")
    for signature in (raw, digest["Signature"]):
        answer = kms.verify(
            KeyId=stored.key_id, Message=MESSAGE, Signature=signature, SigningAlgorithm="SM2DSA"
        )
        assert answer["SignatureValid"] is True
        answer = kms.verify(
            KeyId=stored.key_id,
            Message=e,
            MessageType="DIGEST",
            Signature=signature,
            SigningAlgorithm="SM2DSA",
        )
        assert answer["SignatureValid"] is True


def test_aws_verifies_openssls_signature_and_refuses_bad_ones(kms: Any, keys: dict[str, StoredKey]) -> None:
    stored = keys["aws-sign"]
    theirs = openssl.sign_sm2(stored.private_der, MESSAGE)
    assert kms.verify(KeyId=stored.key_id, Message=MESSAGE, Signature=theirs, SigningAlgorithm="SM2DSA")[
        "SignatureValid"
    ]
    other_id = openssl.sign_sm2(stored.private_der, MESSAGE, OTHER_ID)
    for signature in (flipped(theirs), theirs[:-2], other_id):
        assert (
            aws_error(
                lambda s=signature: kms.verify(
                    KeyId=stored.key_id, Message=MESSAGE, Signature=s, SigningAlgorithm="SM2DSA"
                )
            )
            == "KMSInvalidSignatureException"
        )
    sign = lambda **kw: kms.sign(KeyId=stored.key_id, SigningAlgorithm="SM2DSA", **kw)  # noqa: E731
    assert aws_error(lambda: sign(Message=b"\x01" * 31, MessageType="DIGEST")) == "ValidationException"
    assert aws_error(lambda: sign(Message=b"x" * 4097)) == "ValidationException"
    assert (
        aws_error(lambda: kms.sign(KeyId=stored.key_id, Message=MESSAGE, SigningAlgorithm="ECDSA_SHA_256"))
        == "InvalidKeyUsageException"
    )


def test_aws_sm2pke(own: Emulator, env: None, kms: Any, keys: dict[str, StoredKey]) -> None:
    stored = keys["aws-encrypt"]
    plaintext = b"k" * 1024  # SM2PKE's documented limit
    ciphertext = kms.encrypt(KeyId=stored.key_id, Plaintext=plaintext, EncryptionAlgorithm="SM2PKE")
    assert ciphertext["EncryptionAlgorithm"] == "SM2PKE"
    assert openssl.decrypt_sm2(stored.private_der, ciphertext["CiphertextBlob"]) == plaintext
    theirs = openssl.encrypt_sm2(stored.public_der, b"from openssl")
    ours = aws_key(own, stored).encrypt(b"from kms-pubkey", algorithm="SM2PKE")
    for blob, expected in ((theirs, b"from openssl"), (ours, b"from kms-pubkey")):
        answer = kms.decrypt(KeyId=stored.key_id, CiphertextBlob=blob, EncryptionAlgorithm="SM2PKE")
        assert answer["Plaintext"] == expected
    decrypt = lambda blob: kms.decrypt(  # noqa: E731
        KeyId=stored.key_id, CiphertextBlob=blob, EncryptionAlgorithm="SM2PKE"
    )
    assert aws_error(lambda: decrypt(flipped(theirs))) == "InvalidCiphertextException"
    encrypt = lambda data, algorithm="SM2PKE": kms.encrypt(  # noqa: E731
        KeyId=stored.key_id, Plaintext=data, EncryptionAlgorithm=algorithm
    )
    assert aws_error(lambda: encrypt(plaintext + b"k")) == "ValidationException"
    assert aws_error(lambda: encrypt(b"x", "RSAES_OAEP_SHA_256")) == "InvalidKeyUsageException"
    assert (
        aws_error(lambda: kms.sign(KeyId=stored.key_id, Message=MESSAGE, SigningAlgorithm="SM2DSA"))
        == "InvalidKeyUsageException"
    )


# --- Huawei: huaweicloudsdkkms --------------------------------------------------------------


def huawei_key(own: Emulator, key: StoredKey) -> PublicKey:
    with HuaweiKmsClient(endpoint=own.url, max_retries=0) as client:
        return client.get_public_key(key.key_id)


def huawei_error(call: Any) -> tuple[int, str]:
    with pytest.raises(exceptions.ClientRequestException) as caught:
        call()
    return caught.value.status_code, caught.value.error_code


def test_huawei_sm2dsa_sm3_signs_digests(own: Emulator, env: None, keys: dict[str, StoredKey]) -> None:
    stored, client = keys["huawei-sign"], huawei_official(own)
    e = e_of(stored)
    body = SignRequestBody(key_id=stored.key_id, message=b64(e), signing_algorithm="SM2DSA_SM3")
    signature = base64.b64decode(client.sign(SignRequest(body=body)).signature)  # DIGEST by default
    outside_checks(stored, signature)
    key = huawei_key(own, stored)
    key.verify(signature, e, algorithm="SM2DSA_SM3")  # our Huawei default: DIGEST
    offline_checks(key, "SM2DSA_SM3", signature, stored, "DIGEST")
    offline_checks(key, "SM2DSA_SM3", signature, stored, "RAW")  # offline, RAW computes e itself

    def valid(message: bytes, sig: bytes) -> str:
        verify = VerifyRequestBody(
            key_id=stored.key_id, message=b64(message), signature=b64(sig), signing_algorithm="SM2DSA_SM3"
        )
        answer: str = client.validate_signature(ValidateSignatureRequest(body=verify)).signature_valid
        return answer

    assert valid(e, signature) == "true"
    assert valid(e, openssl.sign_sm2(stored.private_der, MESSAGE)) == "true"
    assert valid(e, flipped(signature)) == "false"
    assert valid(e_of(stored, MESSAGE + b"!"), signature) == "false"
    raw = SignRequestBody(
        key_id=stored.key_id, message=b64(MESSAGE), signing_algorithm="SM2DSA_SM3", message_type="RAW"
    )
    assert huawei_error(lambda: client.sign(SignRequest(body=raw))) == (400, "KMS.0203")
    short = SignRequestBody(key_id=stored.key_id, message=b64(e[:31]), signing_algorithm="SM2DSA_SM3")
    assert huawei_error(lambda: client.sign(SignRequest(body=short))) == (400, "KMS.0203")


def test_huawei_sm2_encrypt(own: Emulator, env: None, keys: dict[str, StoredKey]) -> None:
    stored, client = keys["huawei-encrypt"], huawei_official(own)
    body = EncryptDataRequestBody(
        key_id=stored.key_id, plain_text="a data key", encryption_algorithm="SM2_ENCRYPT"
    )
    ciphertext = base64.b64decode(client.encrypt_data(EncryptDataRequest(body=body)).cipher_text)
    assert openssl.decrypt_sm2(stored.private_der, ciphertext) == b"a data key"
    ours = huawei_key(own, stored).encrypt(b"from kms-pubkey", algorithm="SM2_ENCRYPT")
    theirs = openssl.encrypt_sm2(stored.public_der, b"from openssl")
    for blob, expected in ((ours, b"from kms-pubkey"), (theirs, b"from openssl")):
        decrypt = DecryptDataRequestBody(
            cipher_text=b64(blob), key_id=stored.key_id, encryption_algorithm="SM2_ENCRYPT"
        )
        answer = client.decrypt_data(DecryptDataRequest(body=decrypt))
        assert base64.b64decode(answer.plain_text_base64) == expected
    wrong = EncryptDataRequestBody(
        key_id=stored.key_id, plain_text="x", encryption_algorithm="RSAES_OAEP_SHA_256"
    )
    assert huawei_error(lambda: client.encrypt_data(EncryptDataRequest(body=wrong))) == (400, "KMS.0203")
    bad = DecryptDataRequestBody(
        cipher_text=b64(flipped(theirs)), key_id=stored.key_id, encryption_algorithm="SM2_ENCRYPT"
    )
    assert huawei_error(lambda: client.decrypt_data(DecryptDataRequest(body=bad))) == (400, "KMS.0203")


# --- Alibaba shared gateway: alibabacloud-kms20160120 ---------------------------------------


def alibaba_key(own: Emulator, key: StoredKey) -> PublicKey:
    with AlibabaKmsClient(endpoint=own.url, max_retries=0) as client:
        return client.get_public_key(key.key_id, key.key_version_id)


def alibaba_error(call: Any) -> tuple[str, int]:
    with pytest.raises(ClientException) as caught:
        call()
    return caught.value.code, caught.value.status_code


def test_alibaba_sm2dsa_signs_digests(own: Emulator, env: None, keys: dict[str, StoredKey]) -> None:
    stored, client = keys["alibaba-sign"], alibaba_official(own, "v3")
    ids = {"key_id": stored.key_id, "key_version_id": stored.key_version_id, "algorithm": "SM2DSA"}
    e = e_of(stored)
    answer = client.asymmetric_sign(models.AsymmetricSignRequest(**ids, digest=b64(e))).body
    signature = base64.b64decode(answer.value)
    outside_checks(stored, signature)
    key = alibaba_key(own, stored)
    key.verify(signature, e, algorithm="SM2DSA")  # the shared gateway's default: DIGEST
    offline_checks(key, "SM2DSA", signature, stored, "DIGEST")

    def valid(digest: bytes, sig: bytes) -> bool:
        request = models.AsymmetricVerifyRequest(**ids, digest=b64(digest), value=b64(sig))
        value: bool = client.asymmetric_verify(request).body.value
        return value

    assert valid(e, signature) is True
    assert valid(e, openssl.sign_sm2(stored.private_der, MESSAGE)) is True
    assert valid(e, flipped(signature)) is False
    short = models.AsymmetricSignRequest(**ids, digest=b64(e[:31]))
    assert alibaba_error(lambda: client.asymmetric_sign(short)) == ("InvalidParameter", 400)


def test_alibaba_sm2pke(own: Emulator, env: None, keys: dict[str, StoredKey]) -> None:
    stored, client = keys["alibaba-encrypt"], alibaba_official(own, "v3")
    ids = {"key_id": stored.key_id, "key_version_id": stored.key_version_id, "algorithm": "SM2PKE"}
    answer = client.asymmetric_encrypt(models.AsymmetricEncryptRequest(**ids, plaintext=b64(b"a data key")))
    assert (
        openssl.decrypt_sm2(stored.private_der, base64.b64decode(answer.body.ciphertext_blob))
        == b"a data key"
    )
    ours = alibaba_key(own, stored).encrypt(b"from kms-pubkey", algorithm="SM2PKE")
    theirs = openssl.encrypt_sm2(stored.public_der, b"from openssl")
    for blob, expected in ((ours, b"from kms-pubkey"), (theirs, b"from openssl")):
        request = models.AsymmetricDecryptRequest(**ids, ciphertext_blob=b64(blob))
        assert base64.b64decode(client.asymmetric_decrypt(request).body.plaintext) == expected
    too_long = models.AsymmetricEncryptRequest(**ids, plaintext=b64(b"k" * 6048))
    assert alibaba_error(lambda: client.asymmetric_encrypt(too_long)) == ("InvalidParameter", 400)
    oaep = models.AsymmetricEncryptRequest(**{**ids, "algorithm": "RSAES_OAEP_SHA_256"}, plaintext=b64(b"x"))
    assert alibaba_error(lambda: client.asymmetric_encrypt(oaep)) == ("InvalidParameter", 400)


def test_admin_route_makes_sm2_keys_openssl_reads(own: Emulator) -> None:
    answer = httpx.post(
        f"{own.url}/_emulator/keys", json={"vendor": "huawei", "key_spec": "SM2", "key_usage": "SIGN_VERIFY"}
    )
    assert answer.status_code == 201, answer.text
    made = answer.json()
    text = openssl._cli_input(["pkey", "-pubin", "-noout", "-text"], made["public_key_pem"].encode()).decode()
    assert "ASN1 OID: SM2" in text
    listed = httpx.get(f"{own.url}/_emulator/keys").json()
    assert made["key_id"] in {k["key_id"] for k in listed}
    refused = httpx.post(
        f"{own.url}/_emulator/keys",
        json={"vendor": "aws", "key_spec": "SM2", "key_usage": "GENERATE_VERIFY_MAC"},
    )
    assert refused.status_code == 400
