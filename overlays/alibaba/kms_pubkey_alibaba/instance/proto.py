"""The three Protocol Buffers messages of the KMS instance GetPublicKey, with a minimal codec.

Messages (proto3, from the vendor's `api.proto`, package `protobuf`)::

    message GetPublicKeyRequest  { string KeyId = 1; }
    message GetPublicKeyResponse { string KeyId = 1; string PublicKey = 2; string RequestId = 3; }
    message Error { int32 StatusCode = 1; string ErrorCode = 2; string ErrorMessage = 3;
                    string RequestId = 4; }

Why a hand-written codec and not the `protobuf` package:

- The messages are three flat records of strings and one int32: the wire format they use is
  a varint tag, then a varint or a length-delimited UTF-8 string. That is ~150 lines, every
  branch tested, and cross-checked in the tests against the vendor's own generated classes
  (`protobuf` 3.20, in the official SDK's separate virtual environment).
- `protobuf` would add a multi-megabyte install (a native extension per platform) and
  tens of milliseconds of import time to every CLI run and cold start, for three messages.
- The vendor SDK pins `protobuf` 3.20.x; a dependency of ours on a current `protobuf` would
  make our wheel and theirs impossible to install side by side, and a pin on theirs would
  hold users on an old release.

Decoding follows what the reference implementation does: unknown fields of any wire type
(varint, fixed64, length-delimited, groups, fixed32) are skipped; a known field sent with
another wire type is treated as unknown; the last value of a repeated scalar wins; a
negative int32 arrives as a 10-byte varint and is read back as negative. Anything malformed
(truncated varint or field, a varint over 10 bytes, field number 0, an unmatched group end,
invalid UTF-8) raises `ProtobufError`, a `ResponseError`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar, Self

from kms_pubkey.errors import ResponseError
from kms_pubkey.frozen import Frozen

VARINT = 0
FIXED64 = 1
LENGTH_DELIMITED = 2
START_GROUP = 3
END_GROUP = 4
FIXED32 = 5

MAX_FIELD_NUMBER = (1 << 29) - 1
_MAX_VARINT_BYTES = 10
_MAX_GROUP_DEPTH = 64
_UINT64 = (1 << 64) - 1


class ProtobufError(ResponseError):
    """Bytes that are not a valid encoding of the expected message."""


# ---------------------------------------------------------------- wire primitives


def encode_varint(value: int) -> bytes:
    """An unsigned varint; a negative value is written as its 64-bit two's complement (10 bytes)."""
    if value < 0:
        value &= _UINT64
    if value > _UINT64:
        raise ValueError("varint out of range")
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def decode_varint(data: bytes, pos: int) -> tuple[int, int]:
    """(value, next position) of the varint at `pos`."""
    result = 0
    for index in range(_MAX_VARINT_BYTES):
        if pos >= len(data):
            raise ProtobufError("truncated varint")
        byte = data[pos]
        pos += 1
        result |= (byte & 0x7F) << (7 * index)
        if not byte & 0x80:
            if result > _UINT64:
                raise ProtobufError("varint over 64 bits")
            return result, pos
    raise ProtobufError("varint longer than 10 bytes")


def _tag(number: int, wire_type: int) -> bytes:
    return encode_varint(number << 3 | wire_type)


def _read_tag(data: bytes, pos: int) -> tuple[int, int, int]:
    key, pos = decode_varint(data, pos)
    number, wire_type = key >> 3, key & 7
    if number == 0 or number > MAX_FIELD_NUMBER:
        raise ProtobufError(f"invalid field number {number}")
    return number, wire_type, pos


def _skip(data: bytes, pos: int, number: int, wire_type: int, depth: int = 0) -> int:
    """The position after the value of an unknown field."""
    if wire_type == VARINT:
        return decode_varint(data, pos)[1]
    if wire_type in (FIXED64, FIXED32):
        end = pos + (8 if wire_type == FIXED64 else 4)
        if end > len(data):
            raise ProtobufError("truncated fixed-width field")
        return end
    if wire_type == LENGTH_DELIMITED:
        length, pos = decode_varint(data, pos)
        if length > len(data) - pos:
            raise ProtobufError("truncated length-delimited field")
        return pos + length
    if wire_type == START_GROUP:
        if depth >= _MAX_GROUP_DEPTH:
            raise ProtobufError("groups nested too deeply")
        while True:
            if pos >= len(data):
                raise ProtobufError("unterminated group")
            inner, inner_type, pos = _read_tag(data, pos)
            if inner_type == END_GROUP:
                if inner != number:
                    raise ProtobufError("group ends with the wrong field number")
                return pos
            pos = _skip(data, pos, inner, inner_type, depth + 1)
    if wire_type == END_GROUP:
        raise ProtobufError("group end without a group start")
    raise ProtobufError(f"invalid wire type {wire_type}")


def _to_int32(value: int) -> int:
    value &= 0xFFFFFFFF
    return value - (1 << 32) if value & 0x80000000 else value


# ---------------------------------------------------------------- schema-driven messages

_STRING = "string"
_INT32 = "int32"


class _Field(Frozen):
    """One field of a message: its number on the wire, its attribute name, its proto3 type."""

    __slots__ = ("kind", "name", "number")
    number: int
    name: str
    kind: str

    def __init__(self, number: int, name: str, kind: str) -> None:
        self._set(number=number, name=name, kind=kind)


class _Message(Frozen):
    """A proto3 message of string and int32 fields: each subclass lists them in `FIELDS`, by
    number, and takes them as keyword arguments defaulting to proto3's "" and 0."""

    __slots__ = ()
    FIELDS: ClassVar[tuple[_Field, ...]] = ()

    def encode(self) -> bytes:
        """The canonical encoding: fields in number order, defaults ("" and 0) left out."""
        out = bytearray()
        for field in self.FIELDS:
            value = getattr(self, field.name)
            if field.kind == _STRING:
                if not isinstance(value, str):
                    raise TypeError(f"{field.name} must be a str")
                if value:
                    raw = value.encode("utf-8")
                    out += _tag(field.number, LENGTH_DELIMITED) + encode_varint(len(raw)) + raw
            else:
                if isinstance(value, bool) or not isinstance(value, int):
                    raise TypeError(f"{field.name} must be an int")
                if not -(1 << 31) <= value < 1 << 31:
                    raise ValueError(f"{field.name} is out of the int32 range")
                if value:
                    out += _tag(field.number, VARINT) + encode_varint(value)
        return bytes(out)

    @classmethod
    def decode(cls, data: bytes) -> Self:
        if not isinstance(data, (bytes, bytearray, memoryview)):
            raise ProtobufError(f"expected bytes, got {type(data).__name__}")
        data = bytes(data)
        by_number = {field.number: field for field in cls.FIELDS}
        values: dict[str, object] = {}
        pos = 0
        while pos < len(data):
            number, wire_type, pos = _read_tag(data, pos)
            field = by_number.get(number)
            if field is not None and field.kind == _STRING and wire_type == LENGTH_DELIMITED:
                length, pos = decode_varint(data, pos)
                if length > len(data) - pos:
                    raise ProtobufError(f"{cls.__name__}.{field.name} is truncated")
                try:
                    values[field.name] = data[pos : pos + length].decode("utf-8")
                except UnicodeDecodeError:
                    raise ProtobufError(f"{cls.__name__}.{field.name} is not valid UTF-8") from None
                pos += length
            elif field is not None and field.kind == _INT32 and wire_type == VARINT:
                raw, pos = decode_varint(data, pos)
                values[field.name] = _to_int32(raw)
            else:
                pos = _skip(data, pos, number, wire_type)
        make: Callable[..., Self] = cls
        return make(**values)


class GetPublicKeyRequest(_Message):
    __slots__ = ("key_id",)
    FIELDS = (_Field(1, "key_id", _STRING),)
    key_id: str

    def __init__(self, *, key_id: str = "") -> None:
        self._set(key_id=key_id)


class GetPublicKeyResponse(_Message):
    __slots__ = ("key_id", "public_key", "request_id")
    FIELDS = (
        _Field(1, "key_id", _STRING),
        _Field(2, "public_key", _STRING),
        _Field(3, "request_id", _STRING),
    )
    key_id: str
    public_key: str
    request_id: str

    def __init__(self, *, key_id: str = "", public_key: str = "", request_id: str = "") -> None:
        self._set(key_id=key_id, public_key=public_key, request_id=request_id)


class Error(_Message):
    __slots__ = ("error_code", "error_message", "request_id", "status_code")
    FIELDS = (
        _Field(1, "status_code", _INT32),
        _Field(2, "error_code", _STRING),
        _Field(3, "error_message", _STRING),
        _Field(4, "request_id", _STRING),
    )
    status_code: int
    error_code: str
    error_message: str
    request_id: str

    def __init__(
        self, *, status_code: int = 0, error_code: str = "", error_message: str = "", request_id: str = ""
    ) -> None:
        self._set(
            status_code=status_code, error_code=error_code, error_message=error_message, request_id=request_id
        )
