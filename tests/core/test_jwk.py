"""`PublicKey.to_jwk` against RFC 7517/7518/8037, checked with cryptography's numbers and RFC examples."""

from __future__ import annotations

import base64
import functools
import random

import pytest
from cryptography.hazmat.primitives.asymmetric import ec, ed448, ed25519, mlkem, rsa, x25519
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from kms_pubkey import KeyFormatError, PublicKey, UnsupportedKeyError, load_public_key
from tests.support.der import oid, tlv

CURVES = {
    "P-256": (ec.SECP256R1, "1.2.840.10045.3.1.7", 32),
    "P-384": (ec.SECP384R1, "1.3.132.0.34", 48),
    "P-521": (ec.SECP521R1, "1.3.132.0.35", 66),
    "secp256k1": (ec.SECP256K1, "1.3.132.0.10", 32),
}


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64url_int(value: int, size: int | None = None) -> str:
    return b64url(value.to_bytes(size or (value.bit_length() + 7) // 8, "big"))


def members(jwk: dict) -> dict:  # type: ignore[type-arg]
    """The key's own members: what these tests check (kid, use, alg: tests/core/test_jwk_options.py)."""
    return {k: v for k, v in jwk.items() if k not in ("kid", "use", "alg", "key_ops")}


def unb64url(text: str) -> bytes:
    assert "=" not in text and "+" not in text and "/" not in text
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def ec_spki(curve_oid: str, point: bytes) -> bytes:
    return tlv(0x30, tlv(0x30, oid("1.2.840.10045.2.1") + oid(curve_oid)) + tlv(0x03, b"\x00" + point))


def spki(public) -> bytes:  # type: ignore[no-untyped-def]
    return bytes(public.public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo))


@functools.cache
def rsa_key(bits: int) -> rsa.RSAPublicKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=bits).public_key()


@pytest.mark.parametrize("bits", [2048, 3072, 4096])
def test_rsa(bits: int) -> None:
    public = rsa_key(bits)
    numbers = public.public_numbers()
    jwk = members(load_public_key(spki(public)).to_jwk())
    assert jwk == {"kty": "RSA", "n": b64url_int(numbers.n), "e": "AQAB"}
    # RFC 7518 6.3.1.1: n is unsigned big-endian with no leading zero octet.
    assert len(unb64url(jwk["n"])) == bits // 8 and unb64url(jwk["n"])[0] != 0


def test_rsa_from_pkcs1_and_other_exponent() -> None:
    public = rsa.generate_private_key(public_exponent=3, key_size=2048).public_key()
    jwk = load_public_key(public.public_bytes(Encoding.PEM, PublicFormat.PKCS1)).to_jwk()
    assert jwk["e"] == "Aw" and int.from_bytes(unb64url(jwk["n"]), "big") == public.public_numbers().n


@pytest.mark.parametrize("crv", sorted(CURVES))
def test_ec(crv: str) -> None:
    curve, _, size = CURVES[crv]
    for _ in range(4):
        public = ec.generate_private_key(curve()).public_key()
        numbers = public.public_numbers()
        jwk = members(load_public_key(spki(public)).to_jwk())
        assert jwk == {
            "kty": "EC",
            "crv": crv,
            "x": b64url_int(numbers.x, size),
            "y": b64url_int(numbers.y, size),
        }
        # RFC 7518 6.2.1.2: coordinates are full-length, leading zeros kept.
        assert len(unb64url(jwk["x"])) == size and len(unb64url(jwk["y"])) == size
        back = ec.EllipticCurvePublicNumbers(
            int.from_bytes(unb64url(jwk["x"]), "big"), int.from_bytes(unb64url(jwk["y"]), "big"), curve()
        ).public_key()
        assert back.public_numbers() == numbers


@pytest.mark.parametrize("crv", sorted(CURVES))
def test_compressed_point_is_decompressed(crv: str) -> None:
    # Decision: a compressed point is decompressed (pure integer arithmetic, checked on the
    # curve), because RFC 7518 needs y. cryptography is the oracle for the result.
    curve, curve_oid, size = CURVES[crv]
    parities = set()
    for _ in range(40):
        public = ec.generate_private_key(curve()).public_key()
        numbers = public.public_numbers()
        compressed = public.public_bytes(Encoding.X962, PublicFormat.CompressedPoint)
        parities.add(compressed[0])
        key = load_public_key(ec_spki(curve_oid, compressed))
        assert key.to_jwk() == load_public_key(spki(public)).to_jwk()
        assert key.to_jwk()["y"] == b64url_int(numbers.y, size)
        if parities == {2, 3}:
            break
    assert parities == {2, 3}


def test_rfc7517_appendix_a1_ec_example() -> None:
    # RFC 7517 A.1, the P-256 example key; its SPKI is built here from the published x and y.
    x = "MKBCTNIcKUSDii11ySs3526iDZ8AiTo7Tu6KPAqv7D4"
    y = "4Etl6SRW2YiLUrN5vfvVHuhp7x8PxltmWWlbbM4IFyM"
    der = ec_spki("1.2.840.10045.3.1.7", b"\x04" + unb64url(x) + unb64url(y))
    key = load_public_key(der, key_id="1", key_usage="ENCRYPT_DECRYPT")
    assert key.to_jwk(kid="key_id") == {"kty": "EC", "crv": "P-256", "x": x, "y": y, "use": "enc", "kid": "1"}


def test_rfc8037_ed25519_example() -> None:
    # RFC 8037 A.2: the RFC 8032 test 1 public key.
    raw = bytes.fromhex("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a")
    der = tlv(0x30, tlv(0x30, oid("1.3.101.112")) + tlv(0x03, b"\x00" + raw))
    assert der == spki(ed25519.Ed25519PublicKey.from_public_bytes(raw))
    jwk = members(load_public_key(der).to_jwk())
    assert jwk == {"kty": "OKP", "crv": "Ed25519", "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}


@pytest.mark.parametrize(
    ("make", "crv"),
    [
        (ed25519.Ed25519PrivateKey.generate, "Ed25519"),
        (ed448.Ed448PrivateKey.generate, "Ed448"),
        (x25519.X25519PrivateKey.generate, "X25519"),
    ],
)
def test_okp(make, crv: str) -> None:  # type: ignore[no-untyped-def]
    public = make().public_key()
    raw = public.public_bytes(Encoding.Raw, PublicFormat.Raw)
    assert members(load_public_key(spki(public)).to_jwk()) == {"kty": "OKP", "crv": crv, "x": b64url(raw)}


@pytest.mark.parametrize(
    ("usage", "use"),
    [
        ("SIGN_VERIFY", "sig"),  # AWS, Huawei
        ("SIGN/VERIFY", "sig"),  # Alibaba
        ("ENCRYPT_DECRYPT", "enc"),
        ("ENCRYPT/DECRYPT", "enc"),
        ("KEY_AGREEMENT", "enc"),  # RFC 7518 4.6: ECDH-ES is a key management ("enc") use
        (None, None),  # a P-256 key of unknown vendor may be an ECDH key: no guess
        ("SOMETHING_NEW", None),
    ],
)
def test_kid_and_use(usage: str | None, use: str | None) -> None:
    public = ec.generate_private_key(ec.SECP256R1()).public_key()
    key = load_public_key(spki(public), key_id="arn:aws:kms:eu-west-1:111122223333:key/abc", key_usage=usage)
    jwk = key.to_jwk(kid="key_id")
    # The key id without the account and region an ARN would publish.
    assert jwk["kid"] == "abc"
    assert jwk.get("use") == use


def sm2_spki() -> bytes:
    # 1*G on the SM2 curve (GB/T 32918.5 generator).
    gx = 0x32C4AE2C1F1981195F9904466A39C9948FE30BBFF2660BE1715A4589334C74C7
    gy = 0xBC3736A2F4F6779C59BDCEE36B692153D0A9877CC62A474002DF32E52139F0A0
    return ec_spki("1.2.156.10197.1.301", b"\x04" + gx.to_bytes(32, "big") + gy.to_bytes(32, "big"))


def ml_kem_512_spki() -> bytes:
    raw = random.Random(5).randbytes(800)
    return tlv(0x30, tlv(0x30, oid("2.16.840.1.101.3.4.4.1")) + tlv(0x03, b"\x00" + raw))


@pytest.mark.parametrize(
    "der",
    [
        pytest.param(sm2_spki(), id="sm2"),
        pytest.param(ml_kem_512_spki(), id="ml-kem-512"),
        pytest.param(spki(mlkem.MLKEM768PrivateKey.generate().public_key()), id="ml-kem-768"),
    ],
)
def test_unsupported_keys(der: bytes) -> None:
    key = load_public_key(der)
    with pytest.raises(UnsupportedKeyError) as info:
        key.to_jwk()
    assert key.key_spec in str(info.value)
    assert "JOSE has no registered form" in str(info.value)


def test_hand_made_public_key_with_bad_der_is_a_key_format_error() -> None:
    key = PublicKey(der=b"\x30\x03\x02\x01\x01", key_spec="RSA_2048")
    with pytest.raises(KeyFormatError):
        key.to_jwk()
    with pytest.raises(KeyFormatError):
        key.to_cryptography()
