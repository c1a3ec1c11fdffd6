"""SM2 signature verification (GB/T 32918.2) and encryption (GB/T 32918.4), public-key side only.

`cryptography` has no SM2. Verifying and encrypting need only public-key arithmetic (no
secret scalar but the one-time encryption nonce, drawn from `secrets`), so a small
implementation here replaces a dependency: see the core README for the libraries weighed.
SM3 comes from OpenSSL through `hashlib`. Points are in Jacobian coordinates over the SM2
prime, whose curve has a = -3.
"""

from __future__ import annotations

import hashlib
import secrets

from kms_pubkey.derive.shamir import twin
from kms_pubkey.errors import UnsupportedKeyError
from kms_pubkey.read import der
from kms_pubkey.read.numbers import CURVES

P, A, B, SIZE = CURVES["SM2"]
N = int("FFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFF7203DF6B21C6052B53BBF40939D54123", 16)
GX = int("32C4AE2C1F1981195F9904466A39C9948FE30BBFF2660BE1715A4589334C74C7", 16)
GY = int("BC3736A2F4F6779C59BDCEE36B692153D0A9877CC62A474002DF32E52139F0A0", 16)

Jacobian = tuple[int, int, int]  # (X, Y, Z) for x = X/Z^2, y = Y/Z^3; Z = 0 is infinity
_INFINITY: Jacobian = (1, 1, 0)


def sm3(data: bytes) -> bytes:
    try:
        return hashlib.new("sm3", data).digest()
    except ValueError:
        raise UnsupportedKeyError(
            "SM2 needs the SM3 hash, which the OpenSSL this Python uses does not provide"
        ) from None


def _double(point: Jacobian) -> Jacobian:
    x, y, z = point
    if z == 0 or y == 0:
        return _INFINITY
    zz = z * z % P
    m = 3 * (x - zz) * (x + zz) % P  # 3x^2 + a z^4 with a = -3
    yy = y * y % P
    s = 4 * x * yy % P
    x3 = (m * m - 2 * s) % P
    return x3, (m * (s - x3) - 8 * yy * yy) % P, 2 * y * z % P


def _add(p1: Jacobian, p2: Jacobian) -> Jacobian:
    x1, y1, z1 = p1
    x2, y2, z2 = p2
    if z1 == 0:
        return p2
    if z2 == 0:
        return p1
    z1z1, z2z2 = z1 * z1 % P, z2 * z2 % P
    u1, u2 = x1 * z2z2 % P, x2 * z1z1 % P
    s1, s2 = y1 * z2 * z2z2 % P, y2 * z1 * z1z1 % P
    h, r = (u2 - u1) % P, (s2 - s1) % P
    if h == 0:
        return _double(p1) if r == 0 else _INFINITY
    hh = h * h % P
    hhh = h * hh % P
    v = u1 * hh % P
    x3 = (r * r - hhh - 2 * v) % P
    return x3, (r * (v - x3) - s1 * hhh) % P, h * z1 * z2 % P


def _affine(point: Jacobian) -> tuple[int, int] | None:
    x, y, z = point
    if z == 0:
        return None
    zi = pow(z, -1, P)
    zi2 = zi * zi % P
    return x * zi2 % P, y * zi2 * zi % P


def _multiply(k: int, point: Jacobian) -> Jacobian:
    result = _INFINITY
    for bit in bin(k)[2:]:
        result = _double(result)
        if bit == "1":
            result = _add(result, point)
    return result


def _bytes(value: int) -> bytes:
    return value.to_bytes(SIZE, "big")


def z_a(public: tuple[int, int], distinguishing_id: bytes) -> bytes:
    """Z_A = SM3(ENTL || ID || a || b || xG || yG || xA || yA), ENTL the ID's length in bits."""
    bits = 8 * len(distinguishing_id)
    if bits > 0xFFFF:
        raise ValueError("the SM2 distinguishing ID is longer than 8191 bytes")
    fields = (A, B, GX, GY, *public)
    return sm3(bits.to_bytes(2, "big") + distinguishing_id + b"".join(_bytes(v) for v in fields))


def signature_numbers(signature: bytes, signature_format: str) -> tuple[int, int] | None:
    """(r, s) from DER (SEQUENCE of two INTEGERs) or raw r||s; None when it is neither."""
    if signature_format == "raw":
        if len(signature) != 2 * SIZE:
            return None
        return int.from_bytes(signature[:SIZE], "big"), int.from_bytes(signature[SIZE:], "big")
    try:
        fields = der.top_sequence(signature)
        if len(fields) != 2 or any(tag != der.INTEGER for tag, _, _ in fields):
            return None
        return tuple(der.integer_value(signature[start:end]) for _, start, end in fields)  # type: ignore[return-value]
    except der.DerError:
        return None


def verify_digest(public: tuple[int, int], e: bytes, r: int, s: int) -> bool:
    """GB/T 32918.2 section 7: valid when R = (e + x1) mod n, (x1, y1) = s*G + (r + s)*P_A."""
    if not (0 < r < N and 0 < s < N):
        return False
    t = (r + s) % N
    if t == 0:
        return False
    point = _affine(twin(s, (GX, GY, 1), t, (*public, 1), add=_add, double=_double, identity=_INFINITY))
    if point is None:
        return False
    return (int.from_bytes(e, "big") + point[0]) % N == r


def _kdf(shared: bytes, length: int) -> bytes:
    """GB/T 32918.4 section 5.4.3: SM3(Z || counter) blocks, the counter from 1, 32-bit big-endian."""
    blocks = (length + 31) // 32
    return b"".join(sm3(shared + i.to_bytes(4, "big")) for i in range(1, blocks + 1))[:length]


def encrypt(public: tuple[int, int], plaintext: bytes) -> bytes:
    """C1C3C2 as GM/T 0009's ASN.1 (SEQUENCE x, y, C3 hash, C2 ciphertext): OpenSSL's layout too.

    The point at infinity cannot arise: the key is on the curve, which has prime order.
    """
    while True:
        k = secrets.randbelow(N - 1) + 1
        c1 = _affine(_multiply(k, (GX, GY, 1)))
        shared = _affine(_multiply(k, (*public, 1)))
        assert c1 is not None and shared is not None
        x2, y2 = _bytes(shared[0]), _bytes(shared[1])
        mask = _kdf(x2 + y2, len(plaintext))
        if plaintext and not any(mask):  # the standard's rule: draw k again
            continue
        c2 = bytes(m ^ t for m, t in zip(plaintext, mask, strict=True))
        c3 = sm3(x2 + plaintext + y2)
        body = b"".join(
            (
                _integer(c1[0]),
                _integer(c1[1]),
                der.encode_tlv(der.OCTET_STRING, c3),
                der.encode_tlv(der.OCTET_STRING, c2),
            )
        )
        return der.encode_tlv(der.SEQUENCE, body)


def _integer(value: int) -> bytes:
    """A non-negative DER INTEGER (a leading zero where the top bit is set)."""
    content = value.to_bytes(value.bit_length() // 8 + 1, "big")
    return der.encode_tlv(der.INTEGER, content)
