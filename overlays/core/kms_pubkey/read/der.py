"""Just enough DER to read SubjectPublicKeyInfo without `cryptography`.

We parse the key ourselves so that keys `cryptography` cannot load (SM2, ML-KEM-512) stay
readable, and so that the hot path never pays for importing a crypto backend.

The reader is strict DER, like `cryptography`'s own: minimal lengths, minimal INTEGERs and
OBJECT IDENTIFIER arcs, no indefinite lengths. A key we accept therefore has exactly one
encoding, which is what lets `PublicKey.der` be compared byte for byte.

Every size is bounded, so hostile input fails with `DerError` in time linear in its length:
the whole key (`MAX_DER_BYTES`), an OBJECT IDENTIFIER and each of its arcs (Python's
int-to-str digit limit would otherwise raise a plain ValueError), and nesting, which is
bounded by construction: callers walk the fixed SPKI shape (SEQUENCE, AlgorithmIdentifier,
parameters) and this module never recurses.
"""

from __future__ import annotations

SEQUENCE = 0x30
INTEGER = 0x02
BIT_STRING = 0x03
OCTET_STRING = 0x04
NULL = 0x05
OID = 0x06

_MAX_LENGTH_OCTETS = 4
MAX_DER_BYTES = 64 * 1024
"""Far above any public key (RSA-16384 and ML-DSA-87 are under 3 KB)."""
MAX_OID_BYTES = 64
MAX_ARC_BYTES = 20
"""140 bits: room for the 128-bit UUID arcs of 2.25.*."""


class DerError(ValueError):
    """Malformed DER. Internal: callers turn it into KeyFormatError.

    Messages name what is wrong, never the bytes themselves, so they are safe to show
    even when the input was a private key.
    """


def read_tlv(data: bytes, offset: int) -> tuple[int, int, int]:
    """Return (tag, content_start, content_end) for the element at offset."""
    if offset + 2 > len(data):
        raise DerError("truncated element")
    tag = data[offset]
    if tag & 0x1F == 0x1F:
        raise DerError("high tag numbers are not used in public keys")
    first = data[offset + 1]
    pos = offset + 2
    if first < 0x80:
        length = first
    else:
        count = first & 0x7F
        if count == 0:
            raise DerError("indefinite length is not DER")
        if count > _MAX_LENGTH_OCTETS:
            raise DerError("unsupported length encoding")
        if pos + count > len(data):
            raise DerError("truncated length")
        length_bytes = data[pos : pos + count]
        if length_bytes[0] == 0:
            raise DerError("length has leading zero octets (not DER)")
        length = int.from_bytes(length_bytes, "big")
        if length < 0x80:
            raise DerError("short length in long form (not DER)")
        pos += count
    end = pos + length
    if end > len(data):
        raise DerError("element runs past the end of the data")
    return tag, pos, end


def children(data: bytes, start: int, end: int) -> list[tuple[int, int, int]]:
    """The elements inside a constructed element's content."""
    items = []
    pos = start
    while pos < end:
        tag, content_start, content_end = read_tlv(data, pos)
        if content_end > end:
            raise DerError("element runs past its parent")
        items.append((tag, content_start, content_end))
        pos = content_end
    return items


def top_sequence(data: bytes) -> list[tuple[int, int, int]]:
    """The elements of a DER blob that must be exactly one SEQUENCE."""
    if len(data) > MAX_DER_BYTES:
        raise DerError(f"longer than {MAX_DER_BYTES} bytes, far more than any public key")
    tag, start, end = read_tlv(data, 0)
    if tag != SEQUENCE:
        raise DerError("not a SEQUENCE")
    if end != len(data):
        raise DerError("trailing data after the key")
    return children(data, start, end)


def decode_oid(content: bytes) -> str:
    if not content:
        raise DerError("empty OBJECT IDENTIFIER")
    if content[-1] & 0x80:
        raise DerError("truncated OBJECT IDENTIFIER")
    if len(content) > MAX_OID_BYTES:
        raise DerError(f"OBJECT IDENTIFIER longer than {MAX_OID_BYTES} bytes")
    arcs: list[int] = []
    value = 0
    arc_start = True
    arc_bytes = 0
    for byte in content:
        if arc_start and byte == 0x80:
            raise DerError("OBJECT IDENTIFIER arc has a leading zero (not DER)")
        value = (value << 7) | (byte & 0x7F)
        arc_bytes += 1
        if arc_bytes > MAX_ARC_BYTES:
            raise DerError(f"OBJECT IDENTIFIER arc longer than {MAX_ARC_BYTES} bytes")
        arc_start = not byte & 0x80
        if arc_start:
            arcs.append(value)
            value = 0
            arc_bytes = 0
    first = arcs[0]
    top = min(first // 40, 2)
    head = [top, first - 40 * top]
    return ".".join(str(arc) for arc in head + arcs[1:])


def encode_length(length: int) -> bytes:
    if length < 0x80:
        return bytes([length])
    body = length.to_bytes((length.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(body)]) + body


def encode_tlv(tag: int, content: bytes) -> bytes:
    return bytes([tag]) + encode_length(len(content)) + content


def integer_value(content: bytes) -> int:
    """A DER INTEGER's value; refuses the empty and the non-minimal encodings."""
    if not content:
        raise DerError("empty INTEGER")
    if len(content) > 1 and (
        (content[0] == 0x00 and content[1] < 0x80) or (content[0] == 0xFF and content[1] >= 0x80)
    ):
        raise DerError("INTEGER is not minimally encoded (not DER)")
    return int.from_bytes(content, "big", signed=True)
