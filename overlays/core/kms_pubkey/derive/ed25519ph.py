"""Ed25519ph verification (RFC 8032 section 5.1, prehash with SHA-512, empty context).

`cryptography` verifies pure Ed25519 only. Verification is public: a short implementation of
the RFC's own algorithm replaces a dependency (see the core README for the libraries weighed).
Points are in extended coordinates (X, Y, Z, T), x = X/Z, y = Y/Z, xy = T/Z, with the RFC's
complete addition formula, so no special case is needed.
"""

from __future__ import annotations

import hashlib

from kms_pubkey.derive.shamir import twin

P = 2**255 - 19
L = 2**252 + 27742317777372353535851937790883648493
D = -121665 * pow(121666, -1, P) % P
_SQRT_M1 = pow(2, (P - 1) // 4, P)
_GY = 4 * pow(5, -1, P) % P

Point = tuple[int, int, int, int]
_IDENTITY: Point = (0, 1, 1, 0)

# dom2(phflag=1, context=""), RFC 8032 section 2. AWS and Huawei document no context: empty
# is assumed (unconfirmed; it is what every Ed25519ph signer does when none is given).
DOM2_PH = b"SigEd25519 no Ed25519 collisions" + bytes([1, 0])


def _add(p1: Point, p2: Point) -> Point:
    x1, y1, z1, t1 = p1
    x2, y2, z2, t2 = p2
    a = (y1 - x1) * (y2 - x2) % P
    b = (y1 + x1) * (y2 + x2) % P
    c = 2 * D * t1 * t2 % P
    d = 2 * z1 * z2 % P
    e, f, g, h = b - a, d - c, d + c, b + a
    return e * f % P, g * h % P, f * g % P, e * h % P


def _decode(encoded: bytes) -> Point | None:
    """RFC 8032 section 5.1.3; None for a y >= p or an x that does not exist."""
    y = int.from_bytes(encoded, "little")
    sign = y >> 255
    y &= (1 << 255) - 1
    if y >= P:
        return None
    u, v = (y * y - 1) % P, (D * y * y + 1) % P
    x = u * pow(v, 3, P) * pow(u * pow(v, 7, P), (P - 5) // 8, P) % P
    if v * x * x % P == (-u) % P:
        x = x * _SQRT_M1 % P
    elif v * x * x % P != u:
        return None
    if x == 0 and sign:
        return None
    if x & 1 != sign:
        x = P - x
    return x, y, 1, x * y % P


_BASE = _decode(_GY.to_bytes(32, "little"))
assert _BASE is not None
_B: Point = _BASE


def _double(point: Point) -> Point:
    return _add(point, point)  # the extended-coordinate addition is unified: it doubles too


def verify(public: bytes, signature: bytes, dom: bytes, message: bytes) -> bool:
    """RFC 8032 section 5.1.7 with `dom` (dom2 or empty) and `message` (PH(M) for Ed25519ph).

    Checks [S]B = R + [k]A without the cofactor, as libsodium and OpenSSL do.
    """
    if len(public) != 32 or len(signature) != 64:
        return False
    a, r = _decode(public), _decode(signature[:32])
    s = int.from_bytes(signature[32:], "little")
    if a is None or r is None or s >= L:
        return False
    k = int.from_bytes(hashlib.sha512(dom + signature[:32] + public + message).digest(), "little") % L
    x, y, z, _ = twin(s, _B, (L - k) % L, a, add=_add, double=_double, identity=_IDENTITY)  # [S]B - [k]A
    rx, ry, rz, _ = r
    return (x * rz - rx * z) % P == 0 and (y * rz - ry * z) % P == 0
