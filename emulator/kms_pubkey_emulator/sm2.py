"""SM2 with the private key: signing (GB/T 32918.2), decryption (GB/T 32918.4) and SM2 keys in
the DER forms OpenSSL reads and writes.

`cryptography` can neither make nor use SM2 keys, and the emulator imports nothing of the SDK,
so this is its own small SM2, written from the standard: e = SM3(Z_A || M) with Z_A over the
distinguishing ID (1234567812345678 by default, as every vendor signs), DER signatures (SEQUENCE
of r and s), DER C1C3C2 ciphertexts (GM/T 0009: SEQUENCE of x, y, the SM3 hash C3 and C2), the
SM3 key derivation function. SM3 comes from OpenSSL through `hashlib`. Each signature draws a
fresh k from `secrets`. Keys are SubjectPublicKeyInfo and PKCS#8 with id-ecPublicKey and the SM2
curve OID 1.2.156.10197.1.301, as `openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:SM2`
writes them. Tested against the OpenSSL command line; not constant-time: emulator keys only.
"""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import secrets

P = int("FFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00000000FFFFFFFFFFFFFFFF", 16)
A = P - 3
B = int("28E9FA9E9D9F5E344D5A9E4BCF6509A7F39789F515AB8F92DDBCBD414D940E93", 16)
N = int("FFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFF7203DF6B21C6052B53BBF40939D54123", 16)
GX = int("32C4AE2C1F1981195F9904466A39C9948FE30BBFF2660BE1715A4589334C74C7", 16)
GY = int("BC3736A2F4F6779C59BDCEE36B692153D0A9877CC62A474002DF32E52139F0A0", 16)
SIZE = 32
DIGEST_SIZE = 32  # SM3
DEFAULT_ID = b"1234567812345678"

_EC_PUBLIC_KEY = bytes.fromhex("06072a8648ce3d0201")  # OID 1.2.840.10045.2.1
_SM2_CURVE = bytes.fromhex("06082a811ccf5501822d")  # OID 1.2.156.10197.1.301
_ALGORITHM = b"\x30" + bytes([len(_EC_PUBLIC_KEY) + len(_SM2_CURVE)]) + _EC_PUBLIC_KEY + _SM2_CURVE

_Jacobian = tuple[int, int, int]  # x = X/Z^2, y = Y/Z^3; Z = 0 is the point at infinity
_INFINITY: _Jacobian = (1, 1, 0)
_G: _Jacobian = (GX, GY, 1)


def sm3(data: bytes) -> bytes:
    return hashlib.new("sm3", data).digest()


# ---------------------------------------------------------------- curve arithmetic


def _double(point: _Jacobian) -> _Jacobian:
    x, y, z = point
    if z == 0 or y == 0:
        return _INFINITY
    zz = z * z % P
    m = 3 * (x - zz) * (x + zz) % P  # 3x^2 + a*z^4, a = -3
    yy = y * y % P
    s = 4 * x * yy % P
    x3 = (m * m - 2 * s) % P
    return x3, (m * (s - x3) - 8 * yy * yy) % P, 2 * y * z % P


def _add(p1: _Jacobian, p2: _Jacobian) -> _Jacobian:
    if p1[2] == 0:
        return p2
    if p2[2] == 0:
        return p1
    x1, y1, z1 = p1
    x2, y2, z2 = p2
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


def _multiply(k: int, point: _Jacobian) -> _Jacobian:
    result = _INFINITY
    for bit in bin(k)[2:]:
        result = _double(result)
        if bit == "1":
            result = _add(result, point)
    return result


def _affine(point: _Jacobian) -> tuple[int, int] | None:
    x, y, z = point
    if z == 0:
        return None
    zi = pow(z, -1, P)
    return x * zi * zi % P, y * zi * zi * zi % P


def _on_curve(x: int, y: int) -> bool:
    return 0 <= x < P and 0 <= y < P and (y * y - (x * x * x + A * x + B)) % P == 0


def _bytes(value: int) -> bytes:
    return value.to_bytes(SIZE, "big")


# ---------------------------------------------------------------- keys


@dataclasses.dataclass(frozen=True)
class PublicKey:
    x: int
    y: int

    def spki(self) -> bytes:
        """SubjectPublicKeyInfo DER: id-ecPublicKey, the SM2 curve, the uncompressed point."""
        point = b"\x04" + _bytes(self.x) + _bytes(self.y)
        return _tlv(0x30, _ALGORITHM + _tlv(0x03, b"\x00" + point))


@dataclasses.dataclass(frozen=True)
class PrivateKey:
    d: int = dataclasses.field(repr=False)

    def public_key(self) -> PublicKey:
        point = _affine(_multiply(self.d, _G))
        assert point is not None
        return PublicKey(*point)

    def pkcs8(self) -> bytes:
        """PKCS#8 DER holding an RFC 5915 ECPrivateKey (with its public point), as OpenSSL writes it."""
        public = self.public_key()
        point = b"\x04" + _bytes(public.x) + _bytes(public.y)
        inner = _tlv(0x30, _integer(1) + _tlv(0x04, _bytes(self.d)) + _tlv(0xA1, _tlv(0x03, b"\x00" + point)))
        return _tlv(0x30, _integer(0) + _ALGORITHM + _tlv(0x04, inner))


def generate() -> PrivateKey:
    """d uniformly in [1, n-2] (GB/T 32918.1 6.1: 1 + d must be invertible mod n)."""
    return PrivateKey(secrets.randbelow(N - 2) + 1)


def load_pkcs8(der: bytes) -> PrivateKey:
    """The key in a PKCS#8 DER of an SM2 key (ours or OpenSSL's); ValueError for anything else."""
    version, algorithm, wrapped = _sequence(der, 3, 5)[:3]
    if _read_integer(version) != 0 or _tlv(*algorithm) != _ALGORITHM or wrapped[0] != 0x04:
        raise ValueError("not a PKCS#8 SM2 private key")
    fields = _sequence(wrapped[1], 2, 4)
    if _read_integer(fields[0]) != 1 or fields[1][0] != 0x04:
        raise ValueError("not an SM2 ECPrivateKey")
    d = int.from_bytes(fields[1][1], "big")
    if not 0 < d < N - 1:
        raise ValueError("the SM2 private key is out of range")
    return PrivateKey(d)


# ---------------------------------------------------------------- signatures


def message_digest(public: PublicKey, message: bytes, distinguishing_id: bytes = DEFAULT_ID) -> bytes:
    """e = SM3(Z_A || M), Z_A = SM3(ENTL || ID || a || b || xG || yG || xA || yA)."""
    entl = (8 * len(distinguishing_id)).to_bytes(2, "big")
    fields = b"".join(_bytes(v) for v in (A, B, GX, GY, public.x, public.y))
    return sm3(sm3(entl + distinguishing_id + fields) + message)


def sign_digest(key: PrivateKey, e: bytes) -> bytes:
    """GB/T 32918.2 6.1 steps A3-A7 over e; the DER SEQUENCE of r and s."""
    value = int.from_bytes(e, "big")
    while True:
        k = secrets.randbelow(N - 1) + 1
        point = _affine(_multiply(k, _G))
        assert point is not None
        r = (value + point[0]) % N
        if r == 0 or r + k == N:
            continue
        s = pow(1 + key.d, -1, N) * (k - r * key.d) % N
        if s:
            return _tlv(0x30, _integer(r) + _integer(s))


def verify_digest(public: PublicKey, e: bytes, signature: bytes) -> bool:
    """GB/T 32918.2 7.1 over e; only a strict DER SEQUENCE of r and s is read."""
    try:
        r_tlv, s_tlv = _sequence(signature, 2, 2)
        r, s = _read_integer(r_tlv), _read_integer(s_tlv)
    except ValueError:
        return False
    if not (0 < r < N and 0 < s < N) or (r + s) % N == 0:
        return False
    point = _affine(_add(_multiply(s, _G), _multiply((r + s) % N, (public.x, public.y, 1))))
    return point is not None and (int.from_bytes(e, "big") + point[0]) % N == r


# ---------------------------------------------------------------- encryption


def _kdf(shared: bytes, length: int) -> bytes:
    """GB/T 32918.4 5.4.3: SM3(Z || ct) for a 32-bit big-endian counter ct from 1."""
    blocks = -(-length // DIGEST_SIZE)
    return b"".join(sm3(shared + i.to_bytes(4, "big")) for i in range(1, blocks + 1))[:length]


def encrypt(public: PublicKey, plaintext: bytes) -> bytes:
    """GB/T 32918.4 6.1, DER C1C3C2 (what KMS returns; OpenSSL's layout too)."""
    while True:
        k = secrets.randbelow(N - 1) + 1
        c1 = _affine(_multiply(k, _G))
        shared = _affine(_multiply(k, (public.x, public.y, 1)))
        assert c1 is not None and shared is not None
        x2, y2 = _bytes(shared[0]), _bytes(shared[1])
        mask = _kdf(x2 + y2, len(plaintext))
        if plaintext and not any(mask):
            continue
        c2 = bytes(m ^ t for m, t in zip(plaintext, mask, strict=True))
        c3 = sm3(x2 + plaintext + y2)
        body = _integer(c1[0]) + _integer(c1[1]) + _tlv(0x04, c3) + _tlv(0x04, c2)
        return _tlv(0x30, body)


def decrypt(key: PrivateKey, ciphertext: bytes) -> bytes | None:
    """GB/T 32918.4 7.1; None for anything that is not a ciphertext to this key (all alike)."""
    try:
        x_tlv, y_tlv, c3_tlv, c2_tlv = _sequence(ciphertext, 4, 4)
        x, y = _read_integer(x_tlv), _read_integer(y_tlv)
    except ValueError:
        return None
    if c3_tlv[0] != 0x04 or c2_tlv[0] != 0x04 or not _on_curve(x, y):
        return None
    c3, c2 = c3_tlv[1], c2_tlv[1]
    shared = _affine(_multiply(key.d, (x, y, 1)))
    if shared is None or len(c3) != DIGEST_SIZE:
        return None
    x2, y2 = _bytes(shared[0]), _bytes(shared[1])
    mask = _kdf(x2 + y2, len(c2))
    if c2 and not any(mask):
        return None
    plaintext = bytes(c ^ t for c, t in zip(c2, mask, strict=True))
    return plaintext if hmac.compare_digest(sm3(x2 + plaintext + y2), c3) else None


# ---------------------------------------------------------------- just enough DER


def _length(size: int) -> bytes:
    if size < 0x80:
        return bytes([size])
    raw = size.to_bytes((size.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(raw)]) + raw


def _tlv(tag: int, content: bytes) -> bytes:
    return bytes([tag]) + _length(len(content)) + content


def _integer(value: int) -> bytes:
    """A non-negative DER INTEGER: minimal, with a 0 byte where the top bit is set."""
    return _tlv(0x02, value.to_bytes(value.bit_length() // 8 + 1, "big"))


_Tlv = tuple[int, bytes]  # (tag, content)


def _split(data: bytes) -> tuple[_Tlv, bytes]:
    """The first TLV of `data` and what follows; ValueError unless its length is DER-minimal."""
    if len(data) < 2:
        raise ValueError("truncated DER")
    first = data[1]
    if first < 0x80:
        start, size = 2, first
    else:
        count = first & 0x7F
        if not 1 <= count <= 4 or len(data) < 2 + count or data[2] == 0:
            raise ValueError("bad DER length")
        size = int.from_bytes(data[2 : 2 + count], "big")
        start = 2 + count
        if size < 0x80:
            raise ValueError("non-minimal DER length")
    end = start + size
    if end > len(data):
        raise ValueError("truncated DER")
    return (data[0], data[start:end]), data[end:]


def _sequence(data: bytes, least: int, most: int) -> list[_Tlv]:
    """The TLVs inside a SEQUENCE that fills `data` exactly."""
    (tag, inner), rest = _split(data)
    if rest or tag != 0x30:
        raise ValueError("not one DER SEQUENCE")
    items = []
    while inner:
        item, inner = _split(inner)
        items.append(item)
    if not least <= len(items) <= most:
        raise ValueError("unexpected DER SEQUENCE size")
    return items


def _read_integer(item: _Tlv) -> int:
    """A non-negative DER INTEGER, refused unless minimally encoded."""
    tag, content = item
    value = int.from_bytes(content, "big")
    if tag != 0x02 or _integer(value) != _tlv(tag, content):
        raise ValueError("not a minimal non-negative DER INTEGER")
    return value
