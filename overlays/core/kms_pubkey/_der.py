"""Just enough DER to read SubjectPublicKeyInfo without `cryptography`.

We parse the key ourselves so that keys `cryptography` cannot load (SM2, ML-KEM-512) stay
readable, and so that the hot path never pays for importing a crypto backend.
"""

from __future__ import annotations

SEQUENCE = 0x30
INTEGER = 0x02
BIT_STRING = 0x03
OCTET_STRING = 0x04
NULL = 0x05
OID = 0x06


class DerError(ValueError):
    """Malformed DER. Internal: callers turn it into KeyFormatError."""


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
        if count == 0 or count > 4:
            raise DerError("unsupported length encoding")
        if pos + count > len(data):
            raise DerError("truncated length")
        length = int.from_bytes(data[pos : pos + count], "big")
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
    tag, start, end = read_tlv(data, 0)
    if tag != SEQUENCE:
        raise DerError("not a SEQUENCE")
    if end != len(data):
        raise DerError("trailing data after the key")
    return children(data, start, end)


def decode_oid(content: bytes) -> str:
    if not content:
        raise DerError("empty OBJECT IDENTIFIER")
    arcs: list[int] = []
    value = 0
    for byte in content:
        value = (value << 7) | (byte & 0x7F)
        if not byte & 0x80:
            arcs.append(value)
            value = 0
    if content[-1] & 0x80:
        raise DerError("truncated OBJECT IDENTIFIER")
    first = arcs[0]
    head = [min(first // 40, 2), first - 40 * min(first // 40, 2)]
    return ".".join(str(arc) for arc in head + arcs[1:])


def encode_length(length: int) -> bytes:
    if length < 0x80:
        return bytes([length])
    body = length.to_bytes((length.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(body)]) + body


def encode_tlv(tag: int, content: bytes) -> bytes:
    return bytes([tag]) + encode_length(len(content)) + content


def integer_value(content: bytes) -> int:
    if not content:
        raise DerError("empty INTEGER")
    return int.from_bytes(content, "big", signed=True)
