"""`PublicKey.encrypt`, `derive_shared_secret` and `encapsulate`: independent code opens what we make.

Ground truth: the OpenSSL command line decrypts our OAEP and SM2 ciphertexts (with
`rsa_oaep_md`/`rsa_mgf1_md` as the vendors document them), and `cryptography`'s private keys,
called directly, decrypt, exchange and decapsulate.
"""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, mlkem, padding, rsa
from hypothesis import given, settings
from hypothesis import strategies as st

from kms_pubkey import UnsupportedKeyError, ValidationError, load_public_key
from tests.support import openssl
from tests.support.der import public_spki as spki
from tests.support.der import spki as make_spki


@pytest.mark.parametrize(
    ("algorithm", "md"), [("RSAES_OAEP_SHA_1", "sha1"), ("RSAES_OAEP_SHA_256", "sha256")]
)
def test_openssl_decrypts_our_oaep(rsa_key: openssl.Key, algorithm: str, md: str) -> None:
    key = load_public_key(rsa_key.public_pem, vendor="aws")
    plaintext = b"a data key, 32 bytes long......."
    ciphertext = key.encrypt(plaintext, algorithm=algorithm)
    options = ("rsa_padding_mode:oaep", f"rsa_oaep_md:{md}", f"rsa_mgf1_md:{md}")
    assert rsa_key.decrypt(ciphertext, *(x for o in options for x in ("-pkeyopt", o))) == plaintext


@pytest.mark.parametrize("vendor", ["aws", "alibaba", "huawei"])
def test_openssl_decrypts_our_sm2_ciphertext(sm2_key: openssl.Key, vendor: str) -> None:
    key = load_public_key(sm2_key.public_pem, vendor=vendor)
    algorithm = "SM2_ENCRYPT" if vendor == "huawei" else "SM2PKE"
    for plaintext in (b"x", b"an SM2 plaintext of some length" * 3):
        ciphertext = key.encrypt(plaintext, algorithm=algorithm)
        assert sm2_key.decrypt(ciphertext) == plaintext


# RSA-2048 214/190, 3072 342/318, 4096 470/446 (RFC 8017: k - 2 hLen - 2).
LIMITS = [(2048, 214, 190), (3072, 342, 318), (4096, 470, 446)]


@pytest.mark.parametrize(("bits", "sha1_limit", "sha256_limit"), LIMITS)
def test_oaep_limits_are_exact_and_over_them_is_a_validation_error(
    bits: int, sha1_limit: int, sha256_limit: int
) -> None:
    private = rsa.generate_private_key(public_exponent=65537, key_size=bits)
    key = load_public_key(spki(private))
    for algorithm, limit, digest in (
        ("RSAES_OAEP_SHA_1", sha1_limit, hashes.SHA1()),
        ("RSAES_OAEP_SHA_256", sha256_limit, hashes.SHA256()),
    ):
        ciphertext = key.encrypt(b"\xa5" * limit, algorithm=algorithm)
        oaep = padding.OAEP(mgf=padding.MGF1(digest), algorithm=digest, label=None)
        assert private.decrypt(ciphertext, oaep) == b"\xa5" * limit
        with pytest.raises(ValidationError, match=f"at most {limit} bytes, not {limit + 1}"):
            key.encrypt(b"\xa5" * (limit + 1), algorithm=algorithm)


RSA_PRIVATE = rsa.generate_private_key(public_exponent=65537, key_size=2048)


@settings(max_examples=30, deadline=None)
@given(plaintext=st.binary(min_size=1, max_size=190))
def test_cryptography_decrypts_any_plaintext_within_the_limit(plaintext: bytes) -> None:
    key = load_public_key(spki(RSA_PRIVATE), vendor="huawei")
    ciphertext = key.encrypt(plaintext, algorithm="RSAES_OAEP_SHA_256")
    oaep = padding.OAEP(mgf=padding.MGF1(hashes.SHA256()), algorithm=hashes.SHA256(), label=None)
    assert RSA_PRIVATE.decrypt(ciphertext, oaep) == plaintext


def test_sm2_limits_per_vendor(sm2_key: openssl.Key) -> None:
    for vendor, algorithm, limit in (("aws", "SM2PKE", 1024), ("alibaba", "SM2PKE", 6047)):
        key = load_public_key(sm2_key.public_pem, vendor=vendor)
        with pytest.raises(ValidationError, match=f"at most {limit} bytes"):
            key.encrypt(b"x" * (limit + 1), algorithm=algorithm)
    assert (
        sm2_key.decrypt(load_public_key(sm2_key.public_pem).encrypt(b"y" * 1024, algorithm="SM2PKE"))
        == b"y" * 1024
    )


@pytest.mark.parametrize(
    ("vendor", "algorithm", "usage", "match"),
    [
        ("aws", "SM2PKE", None, "does not fit a RSA_2048 key"),
        ("huawei", "RSAES_OAEP_SHA_1", None, "not one of huawei's encryption algorithms"),
        ("aws", "RSASSA_PSS_SHA_256", None, "not one of aws's encryption"),
        ("aws", "RSAES_OAEP_SHA_256", "SIGN_VERIFY", "usage is SIGN_VERIFY"),
        ("alibaba", "RSAES_OAEP_SHA_256", "SIGN/VERIFY", "usage is SIGN/VERIFY"),
    ],
)
def test_encrypt_names_that_do_not_fit(vendor: str, algorithm: str, usage: str | None, match: str) -> None:
    key = load_public_key(spki(RSA_PRIVATE), vendor=vendor, key_usage=usage)
    with pytest.raises(ValidationError, match=match):
        key.encrypt(b"x", algorithm=algorithm)


def test_empty_plaintext_is_a_validation_error() -> None:
    with pytest.raises(ValidationError, match="empty"):
        load_public_key(spki(RSA_PRIVATE)).encrypt(b"", algorithm="RSAES_OAEP_SHA_256")


@pytest.mark.parametrize("curve", [ec.SECP256R1(), ec.SECP384R1(), ec.SECP521R1()])
def test_ecdh_is_the_raw_z_the_kms_side_computes(curve: ec.EllipticCurve) -> None:
    kms_side = ec.generate_private_key(curve)
    mine = ec.generate_private_key(curve)
    key = load_public_key(spki(kms_side), key_usage="KEY_AGREEMENT", key_agreement_algorithms=["ECDH"])
    # DeriveSharedSecret returns the KMS key's exchange with our public key, no KDF.
    assert key.derive_shared_secret(mine) == kms_side.exchange(ec.ECDH(), mine.public_key())


def test_ecdh_refusals() -> None:
    kms_side = ec.generate_private_key(ec.SECP256R1())
    key = load_public_key(spki(kms_side))
    with pytest.raises(ValidationError, match="curve secp256r1"):
        key.derive_shared_secret(ec.generate_private_key(ec.SECP384R1()))
    signing = load_public_key(spki(kms_side), key_usage="SIGN_VERIFY")
    with pytest.raises(ValidationError, match="usage is SIGN_VERIFY"):
        signing.derive_shared_secret(ec.generate_private_key(ec.SECP256R1()))
    with pytest.raises(ValidationError, match="not one of huawei's key agreement"):
        load_public_key(spki(kms_side), vendor="huawei").derive_shared_secret(
            ec.generate_private_key(ec.SECP256R1())
        )
    with pytest.raises(ValidationError, match="does not fit"):
        load_public_key(spki(RSA_PRIVATE)).derive_shared_secret(ec.generate_private_key(ec.SECP256R1()))


def test_sm2_agreement_is_unsupported(sm2_key: openssl.Key) -> None:
    with pytest.raises(UnsupportedKeyError, match="SM2"):
        load_public_key(sm2_key.public_pem).derive_shared_secret(ec.generate_private_key(ec.SECP256R1()))


@pytest.mark.parametrize("private_type", [mlkem.MLKEM768PrivateKey, mlkem.MLKEM1024PrivateKey])
def test_ml_kem_encapsulation_decapsulates_with_the_private_key(
    private_type: type[mlkem.MLKEM768PrivateKey],
) -> None:
    private = private_type.generate()
    key = load_public_key(
        spki(private), key_usage="ENCAPSULATE_DECAPSULATE", encapsulation_algorithms=["ML_KEM"]
    )
    secret, ciphertext = key.encapsulate()
    assert private.decapsulate(ciphertext) == secret
    assert len(secret) == 32


def test_ml_kem_512_is_unsupported_and_other_keys_do_not_fit() -> None:
    kem512 = load_public_key(make_spki("2.16.840.1.101.3.4.4.1", None, bytes(800)))
    with pytest.raises(UnsupportedKeyError):
        kem512.encapsulate()
    with pytest.raises(ValidationError, match="does not fit"):
        load_public_key(spki(RSA_PRIVATE)).encapsulate()
