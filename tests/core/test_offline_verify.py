"""`PublicKey.verify` accepts what independent signers make and refuses everything else, typed.

Ground truth, never our own output: the OpenSSL command line (`tests/support/openssl.py`),
Project Wycheproof and RFC 8032 vectors (`tests/vectors/`), and `cryptography` called directly
with the parameters the vendors document (shared/DESIGN.md, "Offline use"). moto is used only
as the unfaithful peer whose max-salt PSS signature strict verification must refuse.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, mldsa, padding, rsa, utils
from hypothesis import given, settings
from hypothesis import strategies as st

import kms_pubkey
from kms_pubkey import InvalidSignatureError, ValidationError, load_public_key
from tests.support import openssl
from tests.support.der import public_spki as spki
from tests.support.vectors import load_json

MESSAGE = b"the message a KMS signed"


# --- OpenSSL signs, we verify ---------------------------------------------------------------


@pytest.mark.parametrize("bits", [256, 384, 512])
def test_openssl_pss_with_salt_equal_to_the_digest_verifies_raw_and_digest(
    rsa_key: openssl.Key, bits: int
) -> None:
    key = load_public_key(rsa_key.public_pem, vendor="aws")
    algorithm = f"RSASSA_PSS_SHA_{bits}"
    raw = rsa_key.dgst_sign(MESSAGE, f"sha{bits}", "rsa_padding_mode:pss", "rsa_pss_saltlen:digest")
    key.verify(raw, MESSAGE, algorithm=algorithm)  # AWS's default message type is RAW
    digest = hashlib.new(f"sha{bits}", MESSAGE).digest()
    signed_digest = rsa_key.sign(
        digest,
        "-pkeyopt",
        f"digest:sha{bits}",
        "-pkeyopt",
        "rsa_padding_mode:pss",
        "-pkeyopt",
        "rsa_pss_saltlen:digest",
    )
    key.verify(signed_digest, digest, algorithm=algorithm, message_type="DIGEST")


def test_openssl_pss_with_the_maximum_salt_is_refused(rsa_key: openssl.Key) -> None:
    key = load_public_key(rsa_key.public_pem)
    signature = rsa_key.dgst_sign(MESSAGE, "sha256", "rsa_padding_mode:pss", "rsa_pss_saltlen:max")
    with pytest.raises(InvalidSignatureError):
        key.verify(signature, MESSAGE, algorithm="RSASSA_PSS_SHA_256")


@pytest.mark.parametrize("bits", [256, 384, 512])
def test_openssl_pkcs1_v1_5_verifies(rsa_key: openssl.Key, bits: int) -> None:
    key = load_public_key(rsa_key.public_pem, vendor="huawei")
    signature = rsa_key.dgst_sign(MESSAGE, f"sha{bits}")
    key.verify(signature, MESSAGE, algorithm=f"RSASSA_PKCS1_V1_5_SHA_{bits}", message_type="RAW")
    digest = hashlib.new(f"sha{bits}", MESSAGE).digest()
    key.verify(signature, digest, algorithm=f"RSASSA_PKCS1_V1_5_SHA_{bits}")  # Huawei's default: DIGEST


@pytest.mark.parametrize(
    ("curve", "bits"), [("prime256v1", 256), ("secp256k1", 256), ("secp384r1", 384), ("secp521r1", 512)]
)
def test_openssl_ecdsa_verifies_as_der_and_as_raw(folder: Path, curve: str, bits: int) -> None:
    signer = openssl.Key(folder, curve, "-algorithm", "EC", "-pkeyopt", f"ec_paramgen_curve:{curve}")
    key = load_public_key(signer.public_pem)
    signature = signer.dgst_sign(MESSAGE, f"sha{bits}")
    key.verify(signature, MESSAGE, algorithm=f"ECDSA_SHA_{bits}")
    r, s = utils.decode_dss_signature(signature)
    size = 66 if curve == "secp521r1" else bits // 8
    raw = r.to_bytes(size, "big") + s.to_bytes(size, "big")
    key.verify(raw, MESSAGE, algorithm=f"ECDSA_SHA_{bits}", signature_format="raw")
    with pytest.raises(InvalidSignatureError):
        key.verify(raw[:-1], MESSAGE, algorithm=f"ECDSA_SHA_{bits}", signature_format="raw")


def test_openssl_ed25519_verifies(folder: Path) -> None:
    signer = openssl.Key(folder, "ed25519", "-algorithm", "ED25519")
    key = load_public_key(signer.public_pem)
    key.verify(signer.sign(MESSAGE, rawin=True), MESSAGE, algorithm="ED25519_SHA_512")


def test_openssl_sm2_with_the_default_id_verifies_and_a_wrong_id_is_refused(sm2_key: openssl.Key) -> None:
    key = load_public_key(sm2_key.public_pem, vendor="aws")
    signature = sm2_key.sign(MESSAGE, "-digest", "sm3", "-pkeyopt", "distid:1234567812345678", rawin=True)
    key.verify(signature, MESSAGE, algorithm="SM2DSA")
    with pytest.raises(InvalidSignatureError):
        key.verify(signature, MESSAGE, algorithm="SM2DSA", distinguishing_id=b"1234567812345679")


def test_openssl_sm2_with_another_id_verifies_with_that_id(sm2_key: openssl.Key) -> None:
    key = load_public_key(sm2_key.public_pem, vendor="huawei")
    signature = sm2_key.sign(MESSAGE, "-digest", "sm3", "-pkeyopt", "distid:alice@example", rawin=True)
    key.verify(
        signature, MESSAGE, algorithm="SM2DSA_SM3", message_type="RAW", distinguishing_id=b"alice@example"
    )
    with pytest.raises(InvalidSignatureError):
        key.verify(signature, MESSAGE, algorithm="SM2DSA_SM3", message_type="RAW")


@settings(max_examples=12, deadline=None)
@given(
    message=st.binary(min_size=1, max_size=200),
    distinguishing_id=st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789@.", min_size=1, max_size=40),
)
def test_openssl_sm2_signatures_verify_for_any_message_and_id(
    sm2_key: openssl.Key, message: bytes, distinguishing_id: str
) -> None:
    """Property: whatever the message and ID (so whatever ENTL in Z_A), OpenSSL's signature verifies."""
    key = load_public_key(sm2_key.public_pem)
    option = f"distid:{distinguishing_id}"
    signature = sm2_key.sign(message, "-digest", "sm3", "-pkeyopt", option, rawin=True)
    key.verify(signature, message, algorithm="SM2DSA", distinguishing_id=distinguishing_id.encode())


def test_openssl_sm2_digest_is_e_computed_from_the_standard(sm2_key: openssl.Key) -> None:
    """Alibaba's AsymmetricSign takes e = SM3(Z_A || M) as the SM2DSA digest; OpenSSL signs e as given."""
    e = openssl.sm2_e(sm2_key.public_pem, MESSAGE)
    signature = sm2_key.sign(e)
    key = load_public_key(sm2_key.public_pem, vendor="alibaba")
    key.verify(signature, e, algorithm="SM2DSA")  # the shared gateway's default: DIGEST
    r, s = utils.decode_dss_signature(signature)
    key.verify(r.to_bytes(32, "big") + s.to_bytes(32, "big"), e, algorithm="SM2DSA", signature_format="raw")
    with pytest.raises(InvalidSignatureError):
        key.verify(signature, openssl.sm2_e(sm2_key.public_pem, MESSAGE, b"another id"), algorithm="SM2DSA")


# --- published vectors -----------------------------------------------------------------------


def test_rfc8032_ed25519ph_vector_verifies_as_raw_and_as_digest() -> None:
    """Huawei's names: RAW is the message M, DIGEST is PH(M) = SHA-512(M) (unconfirmed)."""
    (case,) = load_json("rfc8032", "ed25519ph.json")["cases"]
    public = bytes.fromhex(case["public_key"])
    der = ed25519.Ed25519PublicKey.from_public_bytes(public).public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    key = load_public_key(der, vendor="huawei")
    message, signature = bytes.fromhex(case["message"]), bytes.fromhex(case["signature"])
    key.verify(signature, message, algorithm="ED25519_PH_SHA_512", message_type="RAW")
    key.verify(signature, hashlib.sha512(message).digest(), algorithm="ED25519_PH_SHA_512")  # DIGEST
    flipped = bytes([signature[0] ^ 1]) + signature[1:]
    for bad_signature, bad_message in ((flipped, message), (signature, b"abd"), (signature[:63], message)):
        with pytest.raises(InvalidSignatureError):
            key.verify(bad_signature, bad_message, algorithm="ED25519_PH_SHA_512", message_type="RAW")
    with pytest.raises(ValidationError, match="RAW"):  # pure Ed25519 has no digest form
        key.verify(signature, message, algorithm="ED25519_SHA_512", message_type="DIGEST")


def test_aws_ed25519ph_takes_a_digest_that_kms_hashes_again() -> None:
    """botocore's MessageType doc: ED25519_PH_SHA_512 requires DIGEST and KMS "still performs the
    SHA-512 prehash": the 64-byte digest is Ed25519ph's message M. So an RFC 8032 signature over
    M verifies with M given as the DIGEST, and RAW is refused."""
    (case,) = load_json("rfc8032", "ed25519ph.json")["cases"]
    der = ed25519.Ed25519PublicKey.from_public_bytes(bytes.fromhex(case["public_key"])).public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    key = load_public_key(der, vendor="aws")
    signature = bytes.fromhex(case["signature"])
    with pytest.raises(ValidationError, match="takes message type DIGEST"):
        key.verify(signature, b"abc", algorithm="ED25519_PH_SHA_512", message_type="RAW")
    with pytest.raises(ValidationError, match="64 bytes, not 3"):  # AWS's default here is DIGEST
        key.verify(signature, b"abc", algorithm="ED25519_PH_SHA_512")
    # The vector's M is 3 bytes, so AWS cannot have signed it; a 64-byte M refuses the signature.
    with pytest.raises(InvalidSignatureError):
        key.verify(signature, hashlib.sha512(b"abc").digest(), algorithm="ED25519_PH_SHA_512")


WYCHEPROOF = [
    ("rsa_pss_2048_sha256_mgf1_32_test.json", "RSASSA_PSS_SHA_256", "der"),
    ("rsa_signature_2048_sha256_test.json", "RSASSA_PKCS1_V1_5_SHA_256", "der"),
    ("ecdsa_secp256r1_sha256_test.json", "ECDSA_SHA_256", "der"),
    ("ecdsa_secp256r1_sha256_p1363_test.json", "ECDSA_SHA_256", "raw"),
    ("ed25519_test.json", "ED25519_SHA_512", "der"),
]


@pytest.mark.parametrize(("file", "algorithm", "signature_format"), WYCHEPROOF)
def test_wycheproof(file: str, algorithm: str, signature_format: str) -> None:
    checked = 0
    for group in load_json("wycheproof", file)["testGroups"]:
        key = load_public_key(bytes.fromhex(group["publicKeyDer"]))
        for case in group["tests"]:
            signature, message = bytes.fromhex(case["sig"]), bytes.fromhex(case["msg"])
            valid = key.is_valid_signature(
                signature,
                message,
                algorithm=algorithm,
                signature_format=signature_format,  # type: ignore[arg-type]
            )
            if case["result"] != "acceptable":
                assert valid == (case["result"] == "valid"), (file, case["tcId"], case["comment"])
                checked += 1
    assert checked > 100


# --- cryptography with the documented parameters ------------------------------------------


@pytest.mark.parametrize(
    ("name", "private_type"), [("ML_DSA_44", mldsa.MLDSA44PrivateKey), ("ML_DSA_65", mldsa.MLDSA65PrivateKey)]
)
def test_ml_dsa_raw_and_external_mu(name: str, private_type: type[mldsa.MLDSA44PrivateKey]) -> None:
    private = private_type.generate()
    key = load_public_key(spki(private))
    assert key.key_spec == name
    signature = private.sign(MESSAGE)
    key.verify(signature, MESSAGE, algorithm="ML_DSA_SHAKE_256")
    # FIPS 204: mu = SHAKE256(tr || 0x00 || len(ctx) || ctx || M), tr = SHAKE256(pk); empty ctx.
    tr = hashlib.shake_256(private.public_key().public_bytes_raw()).digest(64)
    mu = hashlib.shake_256(tr + b"\x00\x00" + MESSAGE).digest(64)
    key.verify(signature, mu, algorithm="ML_DSA_SHAKE_256", message_type="EXTERNAL_MU")
    with pytest.raises(InvalidSignatureError):
        key.verify(
            signature, bytes([mu[0] ^ 1]) + mu[1:], algorithm="ML_DSA_SHAKE_256", message_type="EXTERNAL_MU"
        )
    with pytest.raises(ValidationError, match="RAW or EXTERNAL_MU"):
        key.verify(
            signature, hashlib.sha256(MESSAGE).digest(), algorithm="ML_DSA_SHAKE_256", message_type="DIGEST"
        )


RSA_PRIVATE = rsa.generate_private_key(public_exponent=65537, key_size=2048)
EC_PRIVATE = ec.generate_private_key(ec.SECP256R1())


def _pss(private: rsa.RSAPrivateKey, message: bytes) -> bytes:
    return private.sign(
        message, padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=32), hashes.SHA256()
    )


@settings(max_examples=40, deadline=None)
@given(message=st.binary(max_size=300), position=st.integers(min_value=0), signature_side=st.booleans())
def test_any_one_bit_flip_is_refused_and_the_original_verifies(
    message: bytes, position: int, signature_side: bool
) -> None:
    """Property: cryptography's PSS and ECDSA signatures verify; flipping any one bit of the
    signature or of a non-empty message makes them `InvalidSignatureError`."""
    for private, algorithm, signature in (
        (RSA_PRIVATE, "RSASSA_PSS_SHA_256", _pss(RSA_PRIVATE, message)),
        (EC_PRIVATE, "ECDSA_SHA_256", EC_PRIVATE.sign(message, ec.ECDSA(hashes.SHA256()))),
    ):
        key = load_public_key(spki(private))
        key.verify(signature, message, algorithm=algorithm)
        if not signature_side and not message:
            continue
        target = bytearray(signature if signature_side else message)
        bit = position % (8 * len(target))
        target[bit // 8] ^= 1 << (bit % 8)
        args = (bytes(target), message) if signature_side else (signature, bytes(target))
        with pytest.raises(InvalidSignatureError):
            key.verify(*args, algorithm=algorithm)
        assert key.is_valid_signature(*args, algorithm=algorithm) is False


@settings(max_examples=25, deadline=None)
@given(message=st.binary(max_size=200))
def test_our_edwards_arithmetic_checks_cryptography_pure_ed25519_signatures(message: bytes) -> None:
    """Ed25519ph differs from Ed25519 only in its prefix and prehash (RFC 8032 section 5.1):
    run with no prefix on the message itself, our verification must accept what the
    `cryptography` signer makes, and refuse it for another message."""
    from kms_pubkey.derive import ed25519ph

    private = ed25519.Ed25519PrivateKey.generate()
    public = private.public_key().public_bytes_raw()
    signature = private.sign(message)
    assert ed25519ph.verify(public, signature, b"", message)
    assert not ed25519ph.verify(public, signature, b"", message + b"!")


def test_our_edwards_arithmetic_agrees_with_every_wycheproof_ed25519_case() -> None:
    """Ed25519ph shares all its curve code with pure Ed25519 (RFC 8032 section 5.1): run with no
    prefix, it must accept exactly Wycheproof's valid cases, edge cases (non-canonical
    encodings, S >= L, small-order points) included."""
    from kms_pubkey.derive import ed25519ph

    checked = 0
    for group in load_json("wycheproof", "ed25519_test.json")["testGroups"]:
        public = bytes.fromhex(group["publicKey"]["pk"])
        for case in group["tests"]:
            valid = ed25519ph.verify(public, bytes.fromhex(case["sig"]), b"", bytes.fromhex(case["msg"]))
            assert valid == (case["result"] == "valid"), (case["tcId"], case["comment"])
            checked += 1
    assert checked == 151


# --- refusals before any crypto runs --------------------------------------------------------


def test_digest_of_the_wrong_length_is_a_validation_error() -> None:
    key = load_public_key(spki(EC_PRIVATE), vendor="huawei")
    with pytest.raises(ValidationError, match="32 bytes, not 31"):
        key.verify(b"sig", b"\x00" * 31, algorithm="ECDSA_SHA_256")


def test_aws_raw_message_over_4096_bytes_is_a_validation_error() -> None:
    key = load_public_key(spki(EC_PRIVATE), vendor="aws")
    big = b"x" * 4097
    signature = EC_PRIVATE.sign(big, ec.ECDSA(hashes.SHA256()))
    with pytest.raises(ValidationError, match="4096"):
        key.verify(signature, big, algorithm="ECDSA_SHA_256")
    huawei = load_public_key(spki(EC_PRIVATE), vendor="huawei")  # no cap documented there
    huawei.verify(signature, big, algorithm="ECDSA_SHA_256", message_type="RAW")


@pytest.mark.parametrize(
    ("vendor", "algorithm", "message_type", "match"),
    [
        ("aws", "ECDSA_SHA_384", None, "does not fit a ECC_NIST_P256 key"),  # curve/hash mismatch
        ("aws", "SM2DSA", None, "does not fit"),
        ("aws", "RSASSA_PSS_SHA_256", None, "does not fit"),
        ("aws", "ECDSA_SHA256", None, "not one of aws's signing algorithms"),
        ("aws", "RSA_PSS_SHA_256", None, "not one of aws's"),  # Alibaba's name, AWS key
        ("huawei", "SM2DSA", None, "not one of huawei's"),  # Huawei calls it SM2DSA_SM3
        ("alibaba", "ECDSA_SHA_256", "RAW", "takes message type DIGEST"),  # the shared gateway signs digests
        ("aws", "ECDSA_SHA_256", "EXTERNAL_MU", "RAW or DIGEST"),
        ("aws", "RSAES_OAEP_SHA_256", None, "not one of aws's signing"),
    ],
)
def test_names_that_do_not_fit_are_validation_errors(
    vendor: str, algorithm: str, message_type: str | None, match: str
) -> None:
    key = load_public_key(spki(EC_PRIVATE), vendor=vendor)
    with pytest.raises(ValidationError, match=match):
        key.verify(b"sig", MESSAGE, algorithm=algorithm, message_type=message_type)


def test_an_encryption_key_or_an_unadvertised_algorithm_is_refused_before_crypto() -> None:
    der = spki(RSA_PRIVATE)
    encryption_key = load_public_key(
        der, key_usage="ENCRYPT_DECRYPT", encryption_algorithms=["RSAES_OAEP_SHA_256"]
    )
    with pytest.raises(ValidationError, match="usage is ENCRYPT_DECRYPT"):
        encryption_key.verify(_pss(RSA_PRIVATE, MESSAGE), MESSAGE, algorithm="RSASSA_PSS_SHA_256")
    pkcs1_only = load_public_key(
        der, key_usage="SIGN_VERIFY", signing_algorithms=["RSASSA_PKCS1_V1_5_SHA_256"]
    )
    with pytest.raises(ValidationError, match="does not advertise RSASSA_PSS_SHA_256"):
        pkcs1_only.verify(_pss(RSA_PRIVATE, MESSAGE), MESSAGE, algorithm="RSASSA_PSS_SHA_256")


def test_signature_format_must_be_der_or_raw() -> None:
    key = load_public_key(spki(EC_PRIVATE))
    with pytest.raises(ValidationError, match="'der' or 'raw'"):
        key.verify(b"sig", MESSAGE, algorithm="ECDSA_SHA_256", signature_format="jws")  # type: ignore[arg-type]


def test_vendor_default_message_types() -> None:
    digest = hashlib.sha256(MESSAGE).digest()
    signature = EC_PRIVATE.sign(digest, ec.ECDSA(utils.Prehashed(hashes.SHA256())))
    der = spki(EC_PRIVATE)
    for vendor in ("huawei", "alibaba"):  # DIGEST by default
        load_public_key(der, vendor=vendor).verify(signature, digest, algorithm="ECDSA_SHA_256")
    for vendor in ("aws", "alibaba-instance", None):  # RAW by default (None speaks AWS's names)
        load_public_key(der, vendor=vendor).verify(signature, MESSAGE, algorithm="ECDSA_SHA_256")


def test_pure_ed25519_defaults_to_raw_even_where_the_vendor_defaults_to_digest(folder: Path) -> None:
    signer = openssl.Key(folder, "ed25519-huawei", "-algorithm", "ED25519")
    key = load_public_key(signer.public_pem, vendor="huawei")
    key.verify(signer.sign(MESSAGE, rawin=True), MESSAGE, algorithm="ED25519_SHA_512")


def test_truncated_signature_is_invalid_not_a_crash() -> None:
    signature = _pss(RSA_PRIVATE, MESSAGE)
    key = load_public_key(spki(RSA_PRIVATE))
    for cut in (signature[:-1], signature[:10], b""):
        with pytest.raises(InvalidSignatureError):
            key.verify(cut, MESSAGE, algorithm="RSASSA_PSS_SHA_256")


def test_invalid_signature_error_is_a_kms_error() -> None:
    assert issubclass(InvalidSignatureError, kms_pubkey.KmsError)
    assert "InvalidSignatureError" in kms_pubkey.__all__


# --- moto, the unfaithful peer ---------------------------------------------------------------


def test_moto_max_salt_pss_signature_fails_strict_verification() -> None:
    """moto signs PSS with the maximum salt (DESIGN.md): strict verification must refuse it,
    while `cryptography` with MAX_LENGTH shows the signature is otherwise well formed."""
    import boto3
    from moto import mock_aws

    with mock_aws():
        kms = boto3.client(
            "kms", region_name="us-east-1", aws_access_key_id="test", aws_secret_access_key="test"
        )
        key_id = kms.create_key(KeySpec="RSA_2048", KeyUsage="SIGN_VERIFY")["KeyMetadata"]["KeyId"]
        signature = kms.sign(
            KeyId=key_id, Message=MESSAGE, MessageType="RAW", SigningAlgorithm="RSASSA_PSS_SHA_256"
        )["Signature"]
        answer = kms.get_public_key(KeyId=key_id)
    key = load_public_key(answer["PublicKey"], vendor="aws", signing_algorithms=answer["SigningAlgorithms"])
    with pytest.raises(InvalidSignatureError):
        key.verify(signature, MESSAGE, algorithm="RSASSA_PSS_SHA_256")
    crypto_key = key.to_cryptography()
    assert isinstance(crypto_key, rsa.RSAPublicKey)
    crypto_key.verify(
        signature,
        MESSAGE,
        padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=padding.PSS.MAX_LENGTH),
        hashes.SHA256(),
    )


def test_every_asymmetric_aws_algorithm_in_the_spec_has_a_meaning() -> None:
    """The AWS spec's enums (specs/aws-kms.yaml, from the service model) against our table."""
    import yaml

    from kms_pubkey import algorithms

    schemas = yaml.safe_load((Path(__file__).parents[2] / "specs" / "aws-kms.yaml").read_text())[
        "components"
    ]["schemas"]
    assert set(schemas["SigningAlgorithm"]["enum"]) == set(algorithms.SIGNING["aws"])
    assert set(schemas["EncryptionAlgorithm"]["enum"]) - {"SYMMETRIC_DEFAULT"} == set(
        algorithms.ENCRYPTION["aws"]
    )
    assert set(schemas["KeyAgreementAlgorithm"]["enum"]) == set(algorithms.KEY_AGREEMENT["aws"])
    assert set(schemas["EncapsulationAlgorithm"]["enum"]) == set(algorithms.ENCAPSULATION["aws"])
