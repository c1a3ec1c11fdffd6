"""JWK export (RFC 7517/7518/8037), done from DER so that serving a JWKS needs no crypto backend."""

from __future__ import annotations

import base64
from typing import TYPE_CHECKING

from kms_pubkey import _der
from kms_pubkey.errors import UnsupportedKeyError

if TYPE_CHECKING:
    from kms_pubkey.public_key import PublicKey

_EC_CURVES = {"P256": ("P-256", 32), "P384": ("P-384", 48), "P521": ("P-521", 66),
              "SECP256K1": ("secp256k1", 32)}
_OKP_CURVES = {"ED25519": "Ed25519", "ED448": "Ed448", "X25519": "X25519", "X448": "X448"}


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unsigned(value: int) -> bytes:
    return value.to_bytes(max(1, (value.bit_length() + 7) // 8), "big")


def to_jwk(key: PublicKey) -> dict[str, str]:
    from kms_pubkey.public_key import _split_spki, neutral_key_spec

    neutral = neutral_key_spec(key)
    _, _, key_bits = _split_spki(key.der)
    jwk: dict[str, str]
    if neutral.startswith("RSA_"):
        (_, n_start, n_end), (_, e_start, e_end) = _der.top_sequence(key_bits)
        n = _der.integer_value(key_bits[n_start:n_end])
        e = _der.integer_value(key_bits[e_start:e_end])
        jwk = {"kty": "RSA", "n": _b64url(_unsigned(n)), "e": _b64url(_unsigned(e))}
    elif neutral in _EC_CURVES:
        crv, size = _EC_CURVES[neutral]
        if key_bits[0] != 4:
            raise UnsupportedKeyError("JWK export needs an uncompressed EC point")
        x, y = key_bits[1 : 1 + size], key_bits[1 + size :]
        jwk = {"kty": "EC", "crv": crv, "x": _b64url(x), "y": _b64url(y)}
    elif neutral in _OKP_CURVES:
        jwk = {"kty": "OKP", "crv": _OKP_CURVES[neutral], "x": _b64url(key_bits)}
    else:
        raise UnsupportedKeyError(f"JWK has no registered form for a {key.key_spec} key")
    if key.key_id:
        jwk["kid"] = key.key_id
    if key.key_usage in ("SIGN_VERIFY", "SIGN/VERIFY", "SIGN"):
        jwk["use"] = "sig"
    elif key.key_usage in ("ENCRYPT_DECRYPT", "ENCRYPT/DECRYPT", "ENCRYPT"):
        jwk["use"] = "enc"
    return jwk
