"""`to_jwk(alg=, kid=, use=, key_ops=)`, `jwks()`, `fingerprint()` and `to_ssh()`'s refusals.

Expected values come from the RFCs (7638 section 3.1, 9964 appendix A.1), from joserfc's own
RFC 7638 code, from `hashlib` over `cryptography`'s DER, and from the JOSE algorithm tables
(RFC 7518 3.1, RFC 8037 3.1, RFC 8812 3.2, RFC 9864 2).
"""

from __future__ import annotations

import base64
import hashlib
import random
import uuid

import pytest
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, mldsa, mlkem, rsa, x25519
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from joserfc import jwk as joserfc_jwk

import kms_pubkey
from kms_pubkey import PublicKey, UnsupportedKeyError, ValidationError, load_public_key
from tests.support.der import oid, tlv

AWS_RSA_SIGN = (
    "RSASSA_PSS_SHA_256",
    "RSASSA_PSS_SHA_384",
    "RSASSA_PSS_SHA_512",
    "RSASSA_PKCS1_V1_5_SHA_256",
    "RSASSA_PKCS1_V1_5_SHA_384",
    "RSASSA_PKCS1_V1_5_SHA_512",
)


def spki(public) -> bytes:  # type: ignore[no-untyped-def]
    return bytes(public.public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo))


RSA_DER = spki(rsa.generate_private_key(65537, 2048).public_key())
P256_DER = spki(ec.generate_private_key(ec.SECP256R1()).public_key())
P384_DER = spki(ec.generate_private_key(ec.SECP384R1()).public_key())
P521_DER = spki(ec.generate_private_key(ec.SECP521R1()).public_key())
K256_DER = spki(ec.generate_private_key(ec.SECP256K1()).public_key())
ED25519_DER = spki(ed25519.Ed25519PrivateKey.generate().public_key())
ML_DSA_65_DER = spki(mldsa.MLDSA65PrivateKey.generate().public_key())
ML_KEM_768_DER = spki(mlkem.MLKEM768PrivateKey.generate().public_key())


def sm2_der() -> bytes:
    gx = 0x32C4AE2C1F1981195F9904466A39C9948FE30BBFF2660BE1715A4589334C74C7
    gy = 0xBC3736A2F4F6779C59BDCEE36B692153D0A9877CC62A474002DF32E52139F0A0
    point = b"\x04" + gx.to_bytes(32, "big") + gy.to_bytes(32, "big")
    algorithm = tlv(0x30, oid("1.2.840.10045.2.1") + oid("1.2.156.10197.1.301"))
    return tlv(0x30, algorithm + tlv(0x03, b"\x00" + point))


def ml_kem_512_der() -> bytes:
    raw = random.Random(5).randbytes(800)
    return tlv(0x30, tlv(0x30, oid("2.16.840.1.101.3.4.4.1")) + tlv(0x03, b"\x00" + raw))


# --- kid: RFC 7638 -----------------------------------------------------------------------------


def test_rfc7638_section_3_1_example_thumbprint() -> None:
    # RFC 7638 3.1: the RSA key of RFC 7517 A.1 and its published thumbprint.
    n = (
        "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECP"
        "ebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY"
        "368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0f"
        "M4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw"
    )
    modulus = int.from_bytes(base64.urlsafe_b64decode(n + "=" * (-len(n) % 4)), "big")
    key = load_public_key(spki(rsa.RSAPublicNumbers(65537, modulus).public_key()))
    jwk = key.to_jwk()
    assert jwk["n"] == n
    assert jwk["kid"] == "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"
    assert key.fingerprint("jwk-thumbprint") == "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"


def test_rfc9964_appendix_a1_ml_dsa_44_akp_thumbprint() -> None:
    # RFC 9964 (draft-ietf-cose-dilithium-11) A.1: ML-DSA-44 from the all-zero seed; its JWK's
    # kid is the AKP thumbprint over {alg, kty, pub} (section 6).
    public = mldsa.MLDSA44PrivateKey.from_seed_bytes(bytes(32)).public_key()
    key = load_public_key(spki(public), key_usage="SIGN_VERIFY")
    jwk = key.to_jwk()
    assert jwk["kty"] == "AKP" and jwk["alg"] == "ML-DSA-44"
    assert jwk["pub"].startswith("unH59k4RuutY-pxvu24U5h8YZD2rSVtHU5qRZsoBmBMcRPgmu9VuNOVdteXi1zNIXjnqJg")
    assert jwk["kid"] == "T4xl70S7MT6Zeq6r9V9fPJGVn76wfnXJ21-gyo0Gu6o"
    assert jwk["use"] == "sig"


@pytest.mark.parametrize(
    "der",
    [RSA_DER, P256_DER, P384_DER, P521_DER, K256_DER, ED25519_DER],
    ids=["rsa", "p256", "p384", "p521", "secp256k1", "ed25519"],
)
def test_joserfc_thumbprint_is_our_kid(der: bytes) -> None:
    jwk = load_public_key(der, key_usage="SIGN_VERIFY").to_jwk()
    assert joserfc_jwk.import_key(jwk).thumbprint() == jwk["kid"]


def test_kid_options() -> None:
    arn = "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    aws = load_public_key(P256_DER, vendor="aws", key_id=arn, key_usage="SIGN_VERIFY")
    assert aws.to_jwk(kid="key_id")["kid"] == "1234abcd-12ab-34cd-56ef-1234567890ab"
    assert aws.to_jwk()["kid"] != arn and "111122223333" not in str(aws.to_jwk())
    alias = load_public_key(P256_DER, key_id="arn:aws-cn:kms:cn-north-1:111122223333:alias/signing")
    assert alias.to_jwk(kid="key_id")["kid"] == "alias/signing"
    assert aws.to_jwk(kid=lambda key: f"k-{key.key_spec}")["kid"] == "k-ECC_NIST_P256"
    # Alibaba: two versions of one key never share a kid.
    key_id, versions = str(uuid.uuid4()), [str(uuid.uuid4()), str(uuid.uuid4())]
    kids = {
        load_public_key(P256_DER, vendor="alibaba", key_id=key_id, key_version_id=v).to_jwk(kid="key_id")[
            "kid"
        ]
        for v in versions
    }
    assert kids == {f"{key_id}/{v}" for v in versions}
    with pytest.raises(ValidationError, match="key id"):
        load_public_key(P256_DER).to_jwk(kid="key_id")
    with pytest.raises(ValidationError, match="kid must be"):
        aws.to_jwk(kid="arn")  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="non-empty"):
        aws.to_jwk(kid=lambda key: "")


# --- alg and use -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("der", "metadata", "alg", "use"),
    [
        # AWS advertises its algorithms: alg only when one JOSE alg fits them.
        (RSA_DER, {"key_usage": "SIGN_VERIFY", "signing_algorithms": AWS_RSA_SIGN}, None, "sig"),
        (RSA_DER, {"key_usage": "SIGN_VERIFY", "signing_algorithms": ["RSASSA_PSS_SHA_384"]}, "PS384", "sig"),
        (
            RSA_DER,
            {"key_usage": "SIGN_VERIFY", "signing_algorithms": ["RSASSA_PKCS1_V1_5_SHA_512"]},
            "RS512",
            "sig",
        ),
        (
            RSA_DER,
            {
                "key_usage": "ENCRYPT_DECRYPT",
                "encryption_algorithms": ["RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256"],
            },
            None,
            "enc",
        ),
        (
            RSA_DER,
            {"key_usage": "ENCRYPT_DECRYPT", "encryption_algorithms": ["RSAES_OAEP_SHA_256"]},
            "RSA-OAEP-256",
            "enc",
        ),
        (P256_DER, {"key_usage": "SIGN_VERIFY", "signing_algorithms": ["ECDSA_SHA_256"]}, "ES256", "sig"),
        (P384_DER, {"key_usage": "SIGN_VERIFY", "signing_algorithms": ["ECDSA_SHA_384"]}, "ES384", "sig"),
        (P521_DER, {"key_usage": "SIGN_VERIFY", "signing_algorithms": ["ECDSA_SHA_512"]}, "ES512", "sig"),
        (P256_DER, {"key_usage": "SIGN_VERIFY", "signing_algorithms": ["ECDSA_SHA_384"]}, None, "sig"),
        (K256_DER, {"key_usage": "SIGN_VERIFY", "signing_algorithms": ["ECDSA_SHA_256"]}, "ES256K", "sig"),
        (
            ED25519_DER,
            {"key_usage": "SIGN_VERIFY", "signing_algorithms": ["ED25519_SHA_512", "ED25519_PH_SHA_512"]},
            "EdDSA",
            "sig",
        ),
        (
            ED25519_DER,
            {"key_usage": "SIGN_VERIFY", "signing_algorithms": ["ED25519_PH_SHA_512"]},
            None,
            "sig",
        ),
        (P256_DER, {"key_usage": "KEY_AGREEMENT", "key_agreement_algorithms": ["ECDH"]}, None, "enc"),
        (
            ML_DSA_65_DER,
            {"key_usage": "SIGN_VERIFY", "signing_algorithms": ["ML_DSA_SHAKE_256"]},
            "ML-DSA-65",
            "sig",
        ),
        # moto: a usage, no algorithm lists.
        (P256_DER, {"vendor": "aws", "key_usage": "SIGN_VERIFY"}, "ES256", "sig"),
        (RSA_DER, {"vendor": "aws", "key_usage": "SIGN_VERIFY"}, None, "sig"),
        # Alibaba and Huawei answer with the key alone: EC keys only sign there, RSA keys may do either.
        (P256_DER, {"vendor": "alibaba"}, "ES256", "sig"),
        (K256_DER, {"vendor": "alibaba-instance"}, "ES256K", "sig"),
        (P384_DER, {"vendor": "huawei"}, "ES384", "sig"),
        (ED25519_DER, {"vendor": "huawei"}, "EdDSA", "sig"),
        (RSA_DER, {"vendor": "alibaba"}, None, None),
        (RSA_DER, {"vendor": "huawei"}, None, None),
        # A P-256 key of unknown origin may be an AWS ECDH key: neither guessed.
        (P256_DER, {}, None, None),
    ],
)
def test_alg_and_use_from_the_key(der: bytes, metadata: dict, alg: str | None, use: str | None) -> None:  # type: ignore[type-arg]
    jwk = load_public_key(der, **metadata).to_jwk()
    assert jwk.get("alg") == alg
    assert jwk.get("use") == use


def test_given_alg_is_checked_against_the_key() -> None:
    aws_rsa = load_public_key(RSA_DER, key_usage="SIGN_VERIFY", signing_algorithms=AWS_RSA_SIGN)
    assert aws_rsa.to_jwk(alg="PS256")["alg"] == "PS256"
    for wrong in ("RSA-OAEP", "ES256", "HS256", "none"):
        with pytest.raises(ValidationError, match="does not fit"):
            aws_rsa.to_jwk(alg=wrong)
    # A key with no usage: the alg names its use (the fix for Alibaba/Huawei RSA keys).
    alibaba_rsa = load_public_key(RSA_DER, vendor="alibaba")
    assert alibaba_rsa.to_jwk(alg="RS256")["use"] == "sig"
    assert alibaba_rsa.to_jwk(alg="RSA-OAEP-256")["use"] == "enc"
    assert "alg" not in alibaba_rsa.to_jwk(use="sig") and alibaba_rsa.to_jwk(use="sig")["use"] == "sig"
    # RFC 9864's Ed25519 is accepted where EdDSA fits.
    ed = load_public_key(ED25519_DER, key_usage="SIGN_VERIFY", signing_algorithms=["ED25519_SHA_512"])
    assert ed.to_jwk(alg="Ed25519")["alg"] == "Ed25519"
    with pytest.raises(ValidationError):
        ed.to_jwk(alg="Ed448")
    sign_only = load_public_key(P256_DER, key_usage="SIGN_VERIFY")
    with pytest.raises(ValidationError, match="does not fit"):
        sign_only.to_jwk(alg="ECDH-ES")


def test_given_use_must_agree() -> None:
    with pytest.raises(ValidationError, match="contradicts"):
        load_public_key(P256_DER, key_usage="SIGN_VERIFY").to_jwk(use="enc")
    with pytest.raises(ValidationError, match="cannot have use"):
        load_public_key(spki(x25519.X25519PrivateKey.generate().public_key())).to_jwk(use="sig")
    with pytest.raises(ValidationError, match="'sig' or 'enc'"):
        load_public_key(P256_DER).to_jwk(use="verify")  # type: ignore[arg-type]


def test_key_ops() -> None:
    assert load_public_key(P256_DER, key_usage="SIGN_VERIFY").to_jwk(key_ops=True)["key_ops"] == ["verify"]
    assert load_public_key(RSA_DER, key_usage="ENCRYPT_DECRYPT").to_jwk(key_ops=True)["key_ops"] == [
        "encrypt",
        "wrapKey",
    ]
    agree = load_public_key(P256_DER, key_usage="KEY_AGREEMENT").to_jwk(key_ops=True)
    assert agree["key_ops"] == ["deriveKey", "deriveBits"] and agree["use"] == "enc"
    assert "key_ops" not in load_public_key(RSA_DER).to_jwk(key_ops=True)  # no use known: nothing to say


# --- jwks --------------------------------------------------------------------------------------


def test_jwks_skips_or_refuses_keys_without_a_jose_form() -> None:
    good = [
        load_public_key(P256_DER, key_usage="SIGN_VERIFY"),
        load_public_key(RSA_DER, key_usage="SIGN_VERIFY"),
    ]
    bad = [load_public_key(sm2_der()), load_public_key(ML_KEM_768_DER), load_public_key(ml_kem_512_der())]
    document = kms_pubkey.jwks([*good, *bad])
    assert [k["kid"] for k in document["keys"]] == [k.to_jwk()["kid"] for k in good]
    for key in bad:
        with pytest.raises(UnsupportedKeyError, match="no registered form"):
            kms_pubkey.jwks([*good, key], on_unsupported="error")
    with pytest.raises(ValidationError, match="on_unsupported"):
        kms_pubkey.jwks(good, on_unsupported="ignore")  # type: ignore[arg-type]


def test_jwks_drops_repeats_and_refuses_kid_collisions() -> None:
    key = load_public_key(P256_DER, key_usage="SIGN_VERIFY", key_id="a")
    again = load_public_key(P256_DER, key_usage="SIGN_VERIFY", key_id="a", request_id="another call")
    assert len(kms_pubkey.jwks([key, again])["keys"]) == 1
    other = load_public_key(P384_DER, key_usage="SIGN_VERIFY", key_id="a")
    with pytest.raises(ValidationError, match="kid"):
        kms_pubkey.jwks([key, other], kid="key_id")
    assert len(kms_pubkey.jwks([key, other])["keys"]) == 2


# --- fingerprints and SSH refusals -------------------------------------------------------------


@pytest.mark.parametrize(
    "der",
    [RSA_DER, P256_DER, K256_DER, ED25519_DER, ML_DSA_65_DER, sm2_der()],
    ids=["rsa", "p256", "secp256k1", "ed25519", "ml-dsa-65", "sm2"],
)
def test_sha256_spki_fingerprint(der: bytes) -> None:
    key = load_public_key(der)
    assert key.fingerprint() == key.fingerprint("sha256-spki") == hashlib.sha256(der).hexdigest()


def test_fingerprint_kinds() -> None:
    key = load_public_key(P256_DER, key_usage="SIGN_VERIFY")
    assert key.fingerprint("jwk-thumbprint") == key.to_jwk()["kid"]
    assert key.fingerprint("ssh-sha256").startswith("SHA256:") and "=" not in key.fingerprint("ssh-sha256")
    with pytest.raises(ValidationError, match="fingerprint kind"):
        key.fingerprint("md5")  # type: ignore[arg-type]
    with pytest.raises(UnsupportedKeyError):
        load_public_key(K256_DER).fingerprint("ssh-sha256")
    with pytest.raises(UnsupportedKeyError):
        load_public_key(sm2_der()).fingerprint("jwk-thumbprint")


@pytest.mark.parametrize(
    "der",
    [K256_DER, sm2_der(), ML_DSA_65_DER, ML_KEM_768_DER, ml_kem_512_der()],
    ids=["secp256k1", "sm2", "ml-dsa-65", "ml-kem-768", "ml-kem-512"],
)
def test_to_ssh_refuses_keys_openssh_has_no_type_for(der: bytes) -> None:
    key = load_public_key(der)
    with pytest.raises(UnsupportedKeyError, match="OpenSSH has no key type") as info:
        key.to_ssh()
    assert key.key_spec in str(info.value)


def test_ssh_comment() -> None:
    key = load_public_key(ED25519_DER)
    line = key.to_ssh("kms key")
    assert line.startswith("ssh-ed25519 AAAA") and line.endswith(" kms key")
    with pytest.raises(ValidationError):
        key.to_ssh("two\nlines")


def test_hand_made_key_without_metadata() -> None:
    key = PublicKey(der=ED25519_DER, key_spec="ED25519")
    assert key.to_jwk()["alg"] == "EdDSA"


def test_ml_dsa_jwk_needs_a_cryptography_that_reads_ml_dsa(monkeypatch: pytest.MonkeyPatch) -> None:
    import kms_pubkey.derive.crypto

    def cannot(key: PublicKey) -> None:
        raise UnsupportedKeyError("the cryptography library cannot represent a ML_DSA_65 key")

    key = load_public_key(ML_DSA_65_DER, key_usage="SIGN_VERIFY")
    assert key.to_jwk()["kty"] == "AKP"
    monkeypatch.setattr(kms_pubkey.derive.crypto, "to_cryptography", cannot)
    with pytest.raises(UnsupportedKeyError, match="needs a cryptography release that reads ML-DSA"):
        key.to_jwk()
    assert kms_pubkey.jwks([key]) == {"keys": []}
