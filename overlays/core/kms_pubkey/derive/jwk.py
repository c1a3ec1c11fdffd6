"""JWK export (RFC 7517/7518/8037), done from DER so that serving a JWKS needs no crypto backend.

A compressed EC point is decompressed here, in plain integer arithmetic (`numbers.ec_point`,
which also checks the point is on its curve): RFC 7518 needs both coordinates, and doing it
ourselves keeps this path free of `cryptography`, like the rest of key parsing.
"""

from __future__ import annotations

import base64
from typing import TYPE_CHECKING

from kms_pubkey.errors import KeyFormatError, UnsupportedKeyError
from kms_pubkey.read import der, numbers, parse_spki

if TYPE_CHECKING:
    from kms_pubkey.public_key import PublicKey

# Curves with a registered JWK name (RFC 7518 section 6.2.1.1, RFC 8812 for secp256k1).
_EC_CURVES = {"P256": "P-256", "P384": "P-384", "P521": "P-521", "SECP256K1": "secp256k1"}
# RFC 8037 section 2.
_OKP_CURVES = {"ED25519": "Ed25519", "ED448": "Ed448", "X25519": "X25519", "X448": "X448"}
_SIGN = frozenset({"SIGN_VERIFY", "SIGN/VERIFY", "SIGN"})
_ENCRYPT = frozenset({"ENCRYPT_DECRYPT", "ENCRYPT/DECRYPT", "ENCRYPT", "KEY_AGREEMENT"})


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unsigned(value: int) -> bytes:
    return value.to_bytes(max(1, (value.bit_length() + 7) // 8), "big")


def to_jwk(key: PublicKey) -> dict[str, str]:
    neutral, _, key_bits = parse_spki(key.der)
    jwk: dict[str, str]
    try:
        if neutral.startswith("RSA_"):
            n, e = numbers.rsa_numbers(key_bits)
            jwk = {"kty": "RSA", "n": _b64url(_unsigned(n)), "e": _b64url(_unsigned(e))}
        elif neutral in _EC_CURVES:
            size = numbers.CURVES[neutral][3]
            x, y = numbers.ec_point(neutral, key_bits)
            jwk = {
                "kty": "EC",
                "crv": _EC_CURVES[neutral],
                "x": _b64url(x.to_bytes(size, "big")),
                "y": _b64url(y.to_bytes(size, "big")),
            }
        elif neutral in _OKP_CURVES:
            jwk = {"kty": "OKP", "crv": _OKP_CURVES[neutral], "x": _b64url(key_bits)}
        else:
            raise UnsupportedKeyError(f"JWK has no registered form for a {key.key_spec} key")
    except der.DerError as exc:  # pragma: no cover - parse_spki already checked the key
        raise KeyFormatError(f"not a usable public key: {exc}") from None
    if key.key_id:
        jwk["kid"] = key.key_id
    if key.key_usage in _SIGN:
        jwk["use"] = "sig"
    elif key.key_usage in _ENCRYPT:
        jwk["use"] = "enc"
    return jwk
