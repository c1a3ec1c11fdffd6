"""boto3 signs, verifies, encrypts, decrypts and derives on the emulator; outside oracles check it.

Ground truth never comes from the emulator's code: every signature verifies with the OpenSSL
command line (`rsa_padding_mode:pss`, `rsa_pss_saltlen:digest`, `digest:`) and with
`cryptography` called here with the documented parameters (PSS salt = digest length, DIGEST as
`Prehashed`, ECDSA DER); ciphertexts made here by OpenSSL and `cryptography` decrypt through
boto3; ECDH's raw Z matches OpenSSL's `pkeyutl -derive`. The rules and error names are those of
botocore's KMS model (see `kms_pubkey_emulator/vendors/aws_operations.py`). The session
emulator's AWS keys are enough: RSA_2048/3072 and the EC and Ed25519 and ML-DSA specs sign,
RSA_4096 encrypts, ECC_NIST_P521 agrees keys.
"""

from __future__ import annotations

import hashlib
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa, utils

from kms_pubkey_emulator import ed25519ph
from tests.support import openssl

pytestmark = pytest.mark.integration

REGION = "us-east-1"
HASHES = {"SHA_256": hashes.SHA256, "SHA_384": hashes.SHA384, "SHA_512": hashes.SHA512}
RSA_ALGORITHMS = [f"RSASSA_{pad}_SHA_{n}" for pad in ("PSS", "PKCS1_V1_5") for n in (256, 384, 512)]
EC_KEYS = {"ECC_NIST_P256": "SHA_256", "ECC_SECG_P256K1": "SHA_256", "ECC_NIST_P384": "SHA_384"}


@pytest.fixture(scope="module")
def kms(emulator: Any) -> Any:
    c = emulator.config
    return boto3.session.Session(
        aws_access_key_id=c.access_key_id, aws_secret_access_key=c.secret_access_key, region_name=REGION
    ).client("kms", endpoint_url=emulator.url, config=Config(retries={"max_attempts": 1}))


def alias(spec: str) -> str:
    return "alias/emulator-" + spec.lower().replace("_", "-")


def public_der(kms: Any, spec: str) -> bytes:
    """The key as boto3 fetches it (GetPublicKey), not from the emulator's store."""
    der: bytes = kms.get_public_key(KeyId=alias(spec))["PublicKey"]
    return der


def error_code(call: Any, **kwargs: Any) -> str:
    with pytest.raises(ClientError) as caught:
        call(**kwargs)
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    code: str = caught.value.response["Error"]["Code"]
    return code


def md(hash_name: str) -> str:
    return "sha" + hash_name.removeprefix("SHA_")


# ---------------------------------------------------------------- Sign, checked from outside


@pytest.mark.parametrize("spec", ["RSA_2048", "RSA_3072"])
@pytest.mark.parametrize("algorithm", RSA_ALGORITHMS)
@pytest.mark.parametrize("message_type", ["RAW", "DIGEST"])
def test_rsa_signatures_verify_with_openssl_and_cryptography(
    kms: Any, spec: str, algorithm: str, message_type: str
) -> None:
    hash_name = algorithm[-7:]
    message = b"kms-pubkey " + algorithm.encode()
    digest = hashlib.new(md(hash_name), message).digest()
    sent = digest if message_type == "DIGEST" else message
    answer = kms.sign(KeyId=alias(spec), Message=sent, MessageType=message_type, SigningAlgorithm=algorithm)
    signature = answer["Signature"]
    assert answer["SigningAlgorithm"] == algorithm
    der = public_der(kms, spec)
    pss = "PSS" in algorithm
    options = [f"digest:{md(hash_name)}"]
    options += ["rsa_padding_mode:pss", "rsa_pss_saltlen:digest"] if pss else ["rsa_padding_mode:pkcs1"]
    assert openssl.verify_digest(der, digest, signature, options)
    assert not openssl.verify_digest(der, digest, _flip(signature, 7), options)  # the oracle can say no
    assert openssl.verify_message(der, message, signature, md(hash_name), options[1:])
    key = serialization.load_der_public_key(der)
    assert isinstance(key, rsa.RSAPublicKey)
    h = HASHES[hash_name]()
    pad = padding.PSS(padding.MGF1(h), padding.PSS.DIGEST_LENGTH) if pss else padding.PKCS1v15()
    key.verify(signature, message, pad, h)  # the digest was not hashed again
    assert kms.verify(
        KeyId=alias(spec),
        Message=sent,
        MessageType=message_type,
        Signature=signature,
        SigningAlgorithm=algorithm,
    )["SignatureValid"]


@pytest.mark.parametrize("spec", sorted(EC_KEYS))
@pytest.mark.parametrize("message_type", ["RAW", "DIGEST"])
def test_ecdsa_signatures_are_der_and_verify_outside(kms: Any, spec: str, message_type: str) -> None:
    hash_name = EC_KEYS[spec]
    algorithm = "ECDSA_" + hash_name
    message = b"ecdsa " + spec.encode()
    digest = hashlib.new(md(hash_name), message).digest()
    sent = digest if message_type == "DIGEST" else message
    signature = kms.sign(
        KeyId=alias(spec), Message=sent, MessageType=message_type, SigningAlgorithm=algorithm
    )["Signature"]
    r, s = utils.decode_dss_signature(signature)  # DER, as AWS documents
    assert r > 0 and s > 0
    der = public_der(kms, spec)
    assert openssl.verify_digest(der, digest, signature, [f"digest:{md(hash_name)}"])
    key = serialization.load_der_public_key(der)
    assert isinstance(key, ec.EllipticCurvePublicKey)
    key.verify(signature, digest, ec.ECDSA(utils.Prehashed(HASHES[hash_name]())))


def test_ed25519_signs_the_raw_message(kms: Any) -> None:
    spec = "ECC_NIST_EDWARDS25519"
    message = b"pure ed25519"
    signature = kms.sign(
        KeyId=alias(spec), Message=message, MessageType="RAW", SigningAlgorithm="ED25519_SHA_512"
    )["Signature"]
    der = public_der(kms, spec)
    assert openssl.verify_ed25519(der, message, signature)
    key = serialization.load_der_public_key(der)
    assert isinstance(key, ed25519.Ed25519PublicKey)
    key.verify(signature, message)


def test_ed25519_message_type_rules_from_the_botocore_model(kms: Any) -> None:
    """botocore's MessageType doc: ED25519_SHA_512 requires RAW, ED25519_PH_SHA_512 requires DIGEST."""
    spec, digest = "ECC_NIST_EDWARDS25519", hashlib.sha512(b"m").digest()
    assert (
        error_code(
            kms.sign,
            KeyId=alias(spec),
            Message=digest,
            MessageType="DIGEST",
            SigningAlgorithm="ED25519_SHA_512",
        )
        == "ValidationException"
    )
    assert (
        error_code(
            kms.sign,
            KeyId=alias(spec),
            Message=b"m",
            MessageType="RAW",
            SigningAlgorithm="ED25519_PH_SHA_512",
        )
        == "ValidationException"
    )
    with pytest.raises(ClientError, match="Digest is invalid length"):
        kms.sign(
            KeyId=alias(spec),
            Message=digest[:32],
            MessageType="DIGEST",
            SigningAlgorithm="ED25519_PH_SHA_512",
        )
    signature = kms.sign(
        KeyId=alias(spec), Message=digest, MessageType="DIGEST", SigningAlgorithm="ED25519_PH_SHA_512"
    )["Signature"]
    assert len(signature) == 64
    # Not a pure Ed25519 signature of the digest: Ed25519ph's domain separation is in it.
    key = serialization.load_der_public_key(public_der(kms, spec))
    assert isinstance(key, ed25519.Ed25519PublicKey)
    with pytest.raises(InvalidSignature):
        key.verify(signature, digest)
    # Ed25519ph (RFC 8032) whose message M is the digest: KMS hashes it again. The checker is the
    # emulator's Ed25519ph, which tests/emulator/test_ed25519ph.py holds to the RFC's vector.
    assert ed25519ph.verify(key.public_bytes_raw(), signature, digest)
    assert not ed25519ph.verify_digest(key.public_bytes_raw(), signature, digest)


ML_DSA = ["ML_DSA_44", "ML_DSA_65", "ML_DSA_87"]


@pytest.mark.parametrize("spec", ML_DSA)
def test_ml_dsa_raw_and_external_mu_verify_with_cryptography(kms: Any, spec: str) -> None:
    der = public_der(kms, spec)
    key: Any = serialization.load_der_public_key(der)
    message = b"ml-dsa " + spec.encode()
    raw = kms.sign(KeyId=alias(spec), Message=message, MessageType="RAW", SigningAlgorithm="ML_DSA_SHAKE_256")
    key.verify(raw["Signature"], message)
    # FIPS 204: mu = SHAKE256(tr || M', 64), tr = SHAKE256(pk, 64), M' = 0x00 || len(ctx)=0 || M.
    tr = hashlib.shake_256(key.public_bytes_raw()).digest(64)
    mu = hashlib.shake_256(tr + b"\x00\x00" + message).digest(64)
    external = kms.sign(
        KeyId=alias(spec), Message=mu, MessageType="EXTERNAL_MU", SigningAlgorithm="ML_DSA_SHAKE_256"
    )
    key.verify(external["Signature"], message)  # signed over mu == signed over the message
    assert (
        error_code(
            kms.sign,
            KeyId=alias(spec),
            Message=mu[:32],
            MessageType="EXTERNAL_MU",
            SigningAlgorithm="ML_DSA_SHAKE_256",
        )
        == "ValidationException"
    )
    assert (
        error_code(
            kms.sign, KeyId=alias(spec), Message=mu, MessageType="DIGEST", SigningAlgorithm="ML_DSA_SHAKE_256"
        )
        == "ValidationException"
    )


# ---------------------------------------------------------------- Verify and its refusals


def _flip(data: bytes, index: int = 0) -> bytes:
    return data[:index] + bytes([data[index] ^ 1]) + data[index + 1 :]


@pytest.mark.parametrize(
    ("spec", "algorithm"),
    [
        ("RSA_2048", "RSASSA_PSS_SHA_256"),
        ("ECC_NIST_P256", "ECDSA_SHA_256"),
        ("ECC_NIST_EDWARDS25519", "ED25519_SHA_512"),
    ],
)
def test_tampering_is_kms_invalid_signature(kms: Any, spec: str, algorithm: str) -> None:
    message = b"to be tampered with"
    signature = kms.sign(KeyId=alias(spec), Message=message, SigningAlgorithm=algorithm)["Signature"]
    for bad_message, bad_signature in [
        (_flip(message), signature),
        (message, _flip(signature, len(signature) // 2)),
        (message, signature[:-1]),
    ]:
        assert (
            error_code(
                kms.verify,
                KeyId=alias(spec),
                Message=bad_message,
                Signature=bad_signature,
                SigningAlgorithm=algorithm,
            )
            == "KMSInvalidSignatureException"
        )


def test_max_salt_pss_is_refused_by_strict_verification(emulator: Any, kms: Any) -> None:
    """moto's PSS signature (maximum salt) is valid PSS but not KMS's: Verify must refuse it."""
    private = emulator.key("aws", "RSA_2048").private_key()
    message = b"moto signs like this"
    max_salt = private.sign(
        message, padding.PSS(padding.MGF1(hashes.SHA256()), padding.PSS.MAX_LENGTH), hashes.SHA256()
    )
    assert (
        error_code(
            kms.verify,
            KeyId=alias("RSA_2048"),
            Message=message,
            Signature=max_salt,
            SigningAlgorithm="RSASSA_PSS_SHA_256",
        )
        == "KMSInvalidSignatureException"
    )


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"KeyId": alias("ECC_NIST_P256"), "SigningAlgorithm": "ECDSA_SHA_384"}, "InvalidKeyUsageException"),
        ({"KeyId": alias("RSA_2048"), "SigningAlgorithm": "ECDSA_SHA_256"}, "InvalidKeyUsageException"),
        ({"KeyId": alias("RSA_4096"), "SigningAlgorithm": "RSASSA_PSS_SHA_256"}, "InvalidKeyUsageException"),
        ({"KeyId": alias("ECC_NIST_P521"), "SigningAlgorithm": "ECDSA_SHA_512"}, "InvalidKeyUsageException"),
        (
            {"KeyId": alias("RSA_2048"), "SigningAlgorithm": "RSASSA_PSS_SHA_256", "MessageType": "DIGEST"},
            "ValidationException",
        ),  # 13 bytes are no SHA-256 digest
        (
            {
                "KeyId": alias("RSA_2048"),
                "SigningAlgorithm": "RSASSA_PSS_SHA_256",
                "MessageType": "EXTERNAL_MU",
            },
            "ValidationException",
        ),
    ],
)
def test_sign_refusals(kms: Any, kwargs: dict[str, Any], code: str) -> None:
    assert error_code(kms.sign, Message=b"not a digest.", **kwargs) == code


def test_the_raw_message_cap_is_4096_bytes(kms: Any) -> None:
    ok = kms.sign(KeyId=alias("ECC_NIST_P256"), Message=b"x" * 4096, SigningAlgorithm="ECDSA_SHA_256")
    assert ok["Signature"]
    with pytest.raises(ClientError) as caught:
        kms.sign(KeyId=alias("ECC_NIST_P256"), Message=b"x" * 4097, SigningAlgorithm="ECDSA_SHA_256")
    assert caught.value.response["Error"]["Code"] == "ValidationException"
    assert "4096" in caught.value.response["Error"]["Message"]


def test_a_wrong_digest_length_names_the_algorithm(kms: Any) -> None:
    with pytest.raises(ClientError) as caught:
        kms.sign(
            KeyId=alias("ECC_NIST_P384"),
            Message=hashlib.sha256(b"m").digest(),
            MessageType="DIGEST",
            SigningAlgorithm="ECDSA_SHA_384",
        )
    assert caught.value.response["Error"] == {
        "Code": "ValidationException",
        "Message": "Digest is invalid length for algorithm ECDSA_SHA_384.",
    }


# ---------------------------------------------------------------- Encrypt and Decrypt


@pytest.mark.parametrize(
    ("algorithm", "hash_name", "limit"),
    [("RSAES_OAEP_SHA_1", "sha1", 470), ("RSAES_OAEP_SHA_256", "sha256", 446)],
)
def test_outside_ciphertexts_decrypt_through_boto3(
    kms: Any, algorithm: str, hash_name: str, limit: int
) -> None:
    der = public_der(kms, "RSA_4096")
    key = serialization.load_der_public_key(der)
    assert isinstance(key, rsa.RSAPublicKey)
    h = hashes.SHA1() if hash_name == "sha1" else hashes.SHA256()
    plaintext = bytes(range(256)) * 2
    plaintext = plaintext[:limit]
    by_cryptography = key.encrypt(plaintext, padding.OAEP(padding.MGF1(h), h, None))
    by_openssl = openssl.encrypt_oaep(der, b"openssl says hi", hash_name)
    for ciphertext, expected in [(by_cryptography, plaintext), (by_openssl, b"openssl says hi")]:
        answer = kms.decrypt(
            KeyId=alias("RSA_4096"), CiphertextBlob=ciphertext, EncryptionAlgorithm=algorithm
        )
        assert answer["Plaintext"] == expected
        assert answer["EncryptionAlgorithm"] == algorithm
        assert answer["KeyId"].startswith(f"arn:aws:kms:{REGION}:111122223333:key/")


@pytest.mark.parametrize(
    ("algorithm", "hash_name"), [("RSAES_OAEP_SHA_1", "sha1"), ("RSAES_OAEP_SHA_256", "sha256")]
)
def test_boto3_ciphertexts_decrypt_outside(emulator: Any, kms: Any, algorithm: str, hash_name: str) -> None:
    ciphertext = kms.encrypt(
        KeyId=alias("RSA_4096"), Plaintext=b"for openssl", EncryptionAlgorithm=algorithm
    )["CiphertextBlob"]
    assert len(ciphertext) == 512
    private = emulator.key("aws", "RSA_4096").private_key()
    assert openssl.decrypt_oaep(private, ciphertext, hash_name) == b"for openssl"
    h = hashes.SHA1() if hash_name == "sha1" else hashes.SHA256()
    assert private.decrypt(ciphertext, padding.OAEP(padding.MGF1(h), h, None)) == b"for openssl"


@pytest.mark.parametrize(("algorithm", "limit"), [("RSAES_OAEP_SHA_1", 470), ("RSAES_OAEP_SHA_256", 446)])
def test_oaep_plaintext_limit(kms: Any, algorithm: str, limit: int) -> None:
    assert kms.encrypt(KeyId=alias("RSA_4096"), Plaintext=b"a" * limit, EncryptionAlgorithm=algorithm)[
        "CiphertextBlob"
    ]
    with pytest.raises(ClientError) as caught:
        kms.encrypt(KeyId=alias("RSA_4096"), Plaintext=b"a" * (limit + 1), EncryptionAlgorithm=algorithm)
    assert caught.value.response["Error"]["Code"] == "ValidationException"
    assert str(limit) in caught.value.response["Error"]["Message"]


def test_encrypt_and_decrypt_refusals(kms: Any) -> None:
    ciphertext = kms.encrypt(
        KeyId=alias("RSA_4096"), Plaintext=b"p", EncryptionAlgorithm="RSAES_OAEP_SHA_256"
    )["CiphertextBlob"]
    key = alias("RSA_4096")
    assert (
        error_code(
            kms.encrypt, KeyId=alias("RSA_2048"), Plaintext=b"p", EncryptionAlgorithm="RSAES_OAEP_SHA_256"
        )
        == "InvalidKeyUsageException"
    )
    assert (
        error_code(kms.encrypt, KeyId=key, Plaintext=b"p") == "InvalidKeyUsageException"
    )  # SYMMETRIC_DEFAULT
    assert (
        error_code(kms.decrypt, KeyId=key, CiphertextBlob=ciphertext, EncryptionAlgorithm="RSAES_OAEP_SHA_1")
        == "InvalidCiphertextException"
    )
    assert (
        error_code(
            kms.decrypt,
            KeyId=key,
            CiphertextBlob=_flip(ciphertext, 100),
            EncryptionAlgorithm="RSAES_OAEP_SHA_256",
        )
        == "InvalidCiphertextException"
    )
    assert (
        error_code(
            kms.decrypt, KeyId=key, CiphertextBlob=ciphertext[:-1], EncryptionAlgorithm="RSAES_OAEP_SHA_256"
        )
        == "InvalidCiphertextException"
    )
    assert (
        error_code(kms.decrypt, CiphertextBlob=ciphertext, EncryptionAlgorithm="RSAES_OAEP_SHA_256")
        == "InvalidCiphertextException"
    )


# ---------------------------------------------------------------- DeriveSharedSecret


def test_derive_shared_secret_is_the_raw_ecdh_z(kms: Any) -> None:
    mine = ec.generate_private_key(ec.SECP521R1())
    mine_der = mine.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    answer = kms.derive_shared_secret(
        KeyId=alias("ECC_NIST_P521"), KeyAgreementAlgorithm="ECDH", PublicKey=mine_der
    )
    kms_der = public_der(kms, "ECC_NIST_P521")
    kms_key = serialization.load_der_public_key(kms_der)
    assert isinstance(kms_key, ec.EllipticCurvePublicKey)
    assert answer["SharedSecret"] == mine.exchange(ec.ECDH(), kms_key)
    assert answer["SharedSecret"] == openssl.derive(mine, kms_der)
    assert len(answer["SharedSecret"]) == 66  # P-521's field size: no KDF applied
    assert answer["KeyAgreementAlgorithm"] == "ECDH"


def test_derive_shared_secret_refusals(kms: Any) -> None:
    p256 = (
        ec.generate_private_key(ec.SECP256R1())
        .public_key()
        .public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    assert (
        error_code(
            kms.derive_shared_secret,
            KeyId=alias("ECC_NIST_P521"),
            KeyAgreementAlgorithm="ECDH",
            PublicKey=p256,
        )
        == "ValidationException"
    )
    assert (
        error_code(
            kms.derive_shared_secret,
            KeyId=alias("ECC_NIST_P256"),
            KeyAgreementAlgorithm="ECDH",
            PublicKey=p256,
        )
        == "InvalidKeyUsageException"
    )
