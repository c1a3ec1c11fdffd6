"""Ed25519ph (RFC 8032, section 5.1, phflag 1, empty context), which `cryptography` lacks.

Written from the RFC's reference algorithm; tested against the RFC's Ed25519ph vector and,
with the prehash switched off, against `cryptography`'s Ed25519. Slow and not constant-time:
fit for an emulator, not for real keys.
"""

from __future__ import annotations

import hashlib

_P = 2**255 - 19
_L = 2**252 + 27742317777372353535851937790883648493
_D = -121665 * pow(121666, _P - 2, _P) % _P
_SQRT_M1 = pow(2, (_P - 1) // 4, _P)
_DOM2 = b"SigEd25519 no Ed25519 collisions"

_Point = tuple[int, int, int, int]  # extended coordinates (X, Y, Z, T)


def _add(a: _Point, b: _Point) -> _Point:
    x1, y1, z1, t1 = a
    x2, y2, z2, t2 = b
    aa = (y1 - x1) * (y2 - x2) % _P
    bb = (y1 + x1) * (y2 + x2) % _P
    cc = 2 * t1 * t2 * _D % _P
    dd = 2 * z1 * z2 % _P
    e, f, g, h = bb - aa, dd - cc, dd + cc, bb + aa
    return (e * f % _P, g * h % _P, f * g % _P, e * h % _P)


def _mul(scalar: int, point: _Point) -> _Point:
    result: _Point = (0, 1, 1, 0)
    while scalar:
        if scalar & 1:
            result = _add(result, point)
        point = _add(point, point)
        scalar >>= 1
    return result


def _recover_x(y: int, sign: int) -> int | None:
    if y >= _P:
        return None
    x2 = (y * y - 1) * pow(_D * y * y + 1, _P - 2, _P) % _P
    if x2 == 0:
        return None if sign else 0
    x = pow(x2, (_P + 3) // 8, _P)
    if (x * x - x2) % _P:
        x = x * _SQRT_M1 % _P
    if (x * x - x2) % _P:
        return None
    return _P - x if (x & 1) != sign else x


_GY = 4 * pow(5, _P - 2, _P) % _P
_GX = _recover_x(_GY, 0) or 0
_G: _Point = (_GX, _GY, 1, _GX * _GY % _P)


def _encode(point: _Point) -> bytes:
    x, y, z, _ = point
    zi = pow(z, _P - 2, _P)
    x, y = x * zi % _P, y * zi % _P
    return int.to_bytes(y | ((x & 1) << 255), 32, "little")


def _decode(data: bytes) -> _Point | None:
    if len(data) != 32:
        return None
    y = int.from_bytes(data, "little")
    sign = y >> 255
    y &= (1 << 255) - 1
    x = _recover_x(y, sign)
    return None if x is None else (x, y, 1, x * y % _P)


def _equal(a: _Point, b: _Point) -> bool:
    return (a[0] * b[2] - b[0] * a[2]) % _P == 0 and (a[1] * b[2] - b[1] * a[2]) % _P == 0


def _h(*parts: bytes) -> int:
    return int.from_bytes(hashlib.sha512(b"".join(parts)).digest(), "little")


def _dom(prehash: bool) -> bytes:
    return _DOM2 + bytes([1, 0]) if prehash else b""


def _expand(seed: bytes) -> tuple[int, bytes]:
    digest = hashlib.sha512(seed).digest()
    scalar = int.from_bytes(digest[:32], "little")
    scalar &= (1 << 254) - 8
    scalar |= 1 << 254
    return scalar, digest[32:]


def public_key(seed: bytes) -> bytes:
    return _encode(_mul(_expand(seed)[0], _G))


def sign(seed: bytes, message: bytes, *, prehash: bool = True) -> bytes:
    """Ed25519ph over `message` (hashed here with SHA-512); plain Ed25519 when `prehash` is False."""
    return _sign(seed, hashlib.sha512(message).digest() if prehash else message, _dom(prehash))


def sign_digest(seed: bytes, digest: bytes) -> bytes:
    """Ed25519ph given PH(M), the SHA-512 digest of the message, instead of the message."""
    return _sign(seed, digest, _dom(True))


def verify(public: bytes, signature: bytes, message: bytes, *, prehash: bool = True) -> bool:
    return _verify(public, signature, hashlib.sha512(message).digest() if prehash else message, _dom(prehash))


def verify_digest(public: bytes, signature: bytes, digest: bytes) -> bool:
    return _verify(public, signature, digest, _dom(True))


def _sign(seed: bytes, m: bytes, dom: bytes) -> bytes:
    scalar, prefix = _expand(seed)
    a = _encode(_mul(scalar, _G))
    r = _h(dom, prefix, m) % _L
    big_r = _encode(_mul(r, _G))
    k = _h(dom, big_r, a, m) % _L
    return big_r + int.to_bytes((r + k * scalar) % _L, 32, "little")


def _verify(public: bytes, signature: bytes, m: bytes, dom: bytes) -> bool:
    if len(signature) != 64:
        return False
    a, big_r = _decode(public), _decode(signature[:32])
    s = int.from_bytes(signature[32:], "little")
    if a is None or big_r is None or s >= _L:
        return False
    k = _h(dom, signature[:32], public, m) % _L
    return _equal(_mul(s, _G), _add(big_r, _mul(k, a)))
