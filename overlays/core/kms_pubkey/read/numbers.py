"""The numbers inside a public key: RSA's (n, e), and an EC point checked on its curve.

Plain integer arithmetic, so that checking a key (reading) and exporting it (JWK) need no
crypto backend.
"""

from __future__ import annotations

from kms_pubkey.read import der

# Short Weierstrass curves y^2 = x^3 + ax + b over GF(p), as (p, a, b, coordinate bytes).
# Every p here is 3 mod 4, so a square root is one modular exponentiation.
_P256 = 2**256 - 2**224 + 2**192 + 2**96 - 1
_P384 = 2**384 - 2**128 - 2**96 + 2**32 - 1
_P521 = 2**521 - 1
_K256 = 2**256 - 2**32 - 977
_SM2P = int("FFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00000000FFFFFFFFFFFFFFFF", 16)
CURVES: dict[str, tuple[int, int, int, int]] = {
    "P256": (
        _P256,
        _P256 - 3,
        int("5ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604b", 16),
        32,
    ),
    "P384": (
        _P384,
        _P384 - 3,
        int(
            "b3312fa7e23ee7e4988e056be3f82d19181d9c6efe8141120314088f5013875a"
            "c656398d8a2ed19d2a85c8edd3ec2aef",
            16,
        ),
        48,
    ),
    "P521": (
        _P521,
        _P521 - 3,
        int(
            "51953eb9618e1c9a1f929a21a0b68540eea2da725b99b315f3b8b489918ef109"
            "e156193951ec7e937b1652c0bd3bb1bf073573df883d2c34f1ef451fd46b503f00",
            16,
        ),
        66,
    ),
    "SECP256K1": (_K256, 0, 7, 32),
    "SM2": (
        _SM2P,
        _SM2P - 3,
        int("28E9FA9E9D9F5E344D5A9E4BCF6509A7F39789F515AB8F92DDBCBD414D940E93", 16),
        32,
    ),
}


def rsa_numbers(key_bits: bytes) -> tuple[int, int]:
    """(n, e) of a DER RSAPublicKey, both positive."""
    fields = der.top_sequence(key_bits)
    if len(fields) != 2 or any(tag != der.INTEGER for tag, _, _ in fields):
        raise der.DerError("RSA key is not an RSAPublicKey")
    (_, n_start, n_end), (_, e_start, e_end) = fields
    modulus = der.integer_value(key_bits[n_start:n_end])
    exponent = der.integer_value(key_bits[e_start:e_end])
    if modulus <= 0 or exponent <= 0:
        raise der.DerError("RSA key has an invalid modulus or exponent")
    return modulus, exponent


def ec_point(name: str, encoded: bytes) -> tuple[int, int]:
    """The affine (x, y) of an SEC1-encoded point, decompressing it if needed.

    Raises `der.DerError` unless the point is on the curve (the point at infinity is refused).
    """
    p, a, b, size = CURVES[name]
    prefix = encoded[:1]
    if prefix == b"\x04" and len(encoded) == 1 + 2 * size:
        x = int.from_bytes(encoded[1 : 1 + size], "big")
        y = int.from_bytes(encoded[1 + size :], "big")
        if x >= p or y >= p or (y * y - (x * x * x + a * x + b)) % p:
            raise der.DerError(f"{name} public key is not a point on the curve")
        return x, y
    if prefix in (b"\x02", b"\x03") and len(encoded) == 1 + size:
        x = int.from_bytes(encoded[1:], "big")
        if x >= p:
            raise der.DerError(f"{name} public key is not a point on the curve")
        rhs = (x * x * x + a * x + b) % p
        y = pow(rhs, (p + 1) // 4, p)
        if y * y % p != rhs:
            raise der.DerError(f"{name} public key is not a point on the curve")
        if y & 1 != prefix[0] & 1:
            y = p - y
        return x, y % p
    raise der.DerError(f"{name} public key is neither a compressed nor an uncompressed point")
