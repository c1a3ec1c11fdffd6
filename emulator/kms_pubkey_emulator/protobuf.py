"""The dedicated gateway's protobuf messages (vendor `api.proto`, proto3), encoded by hand::

    message GetPublicKeyRequest  { string KeyId = 1; }
    message GetPublicKeyResponse { string KeyId = 1; string PublicKey = 2; string RequestId = 3; }
    message Error { int32 StatusCode = 1; string ErrorCode = 2; string ErrorMessage = 3;
                    string RequestId = 4; }

and, as alibabacloud-dkms-gcs's `api_pb2` declares them (field numbers in `SIGN` and friends
below): SignRequest/Response, VerifyRequest/Response, EncryptRequest/Response and
DecryptRequest/Response.

Wire rules: each field is a varint key `(number << 3) | wire type`, then a varint (type 0), 8
bytes (1), a varint length and that many bytes (2) or 4 bytes (5). Unknown fields are skipped;
the last value of a field wins; proto3 leaves default values (0, "") out.
"""

from __future__ import annotations

VARINT, FIXED64, LENGTH_DELIMITED, FIXED32 = 0, 1, 2, 5
_UINT64 = (1 << 64) - 1


class DecodeError(ValueError):
    """Bytes that are not a valid message."""


def _varint(value: int) -> bytes:
    value &= _UINT64  # a negative int32 is sent as its 64-bit two's complement
    out = bytearray()
    while value > 0x7F:
        out.append(value & 0x7F | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


def _read_varint(data: bytes, pos: int) -> tuple[int, int]:
    value = 0
    for shift in range(0, 70, 7):
        if pos >= len(data):
            raise DecodeError("truncated varint")
        byte = data[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return value & _UINT64, pos
    raise DecodeError("varint longer than 10 bytes")


def encode(fields: list[tuple[int, int | str | bytes]]) -> bytes:
    """A message from (field number, value) pairs: an int (or bool) is a varint, a str is UTF-8
    bytes, bytes are themselves."""
    out = bytearray()
    for number, value in fields:
        if isinstance(value, int):
            if value:
                out += _varint(number << 3 | VARINT) + _varint(value)
        elif value:
            raw = value.encode("utf-8") if isinstance(value, str) else value
            out += _varint(number << 3 | LENGTH_DELIMITED) + _varint(len(raw)) + raw
    return bytes(out)


def length_delimited(data: bytes) -> dict[int, bytes]:
    """The last value of every length-delimited field, by field number; other fields are skipped."""
    found: dict[int, bytes] = {}
    pos = 0
    while pos < len(data):
        key, pos = _read_varint(data, pos)
        number, wire_type = key >> 3, key & 7
        if number == 0:
            raise DecodeError("field number 0")
        if wire_type == VARINT:
            _, pos = _read_varint(data, pos)
        elif wire_type in (FIXED64, FIXED32):
            pos += 8 if wire_type == FIXED64 else 4
        elif wire_type == LENGTH_DELIMITED:
            length, pos = _read_varint(data, pos)
            found[number] = data[pos : pos + length]
            pos += length
        else:
            raise DecodeError(f"unsupported wire type {wire_type}")
        if pos > len(data):
            raise DecodeError("truncated field")
    return found


def get_public_key_request_key_id(data: bytes) -> str:
    """`GetPublicKeyRequest.KeyId` ("" when absent)."""
    try:
        return length_delimited(data).get(1, b"").decode("utf-8")
    except UnicodeDecodeError:
        raise DecodeError("KeyId is not UTF-8") from None


def get_public_key_response(key_id: str, public_key: str, request_id: str) -> bytes:
    return encode([(1, key_id), (2, public_key), (3, request_id)])


def error(status_code: int, error_code: str, message: str, request_id: str) -> bytes:
    return encode([(1, status_code), (2, error_code), (3, message), (4, request_id)])


def fields(data: bytes, names: dict[str, int]) -> dict[str, bytes]:
    """The length-delimited fields named in `names` (name -> number); absent ones are b""."""
    found = length_delimited(data)
    return {name: found.get(number, b"") for name, number in names.items()}


def text(value: bytes) -> str:
    try:
        return value.decode("utf-8")
    except UnicodeDecodeError:
        raise DecodeError("a string field is not UTF-8") from None


# Request field numbers (api_pb2 of alibabacloud-dkms-gcs 1.0.2).
SIGN_REQUEST = {"KeyId": 1, "Digest": 2, "Algorithm": 3, "Message": 4, "MessageType": 5}
VERIFY_REQUEST = {"KeyId": 1, "Digest": 2, "Signature": 3, "Algorithm": 4, "Message": 5, "MessageType": 6}
ENCRYPT_REQUEST = {"KeyId": 1, "Plaintext": 2, "Algorithm": 3, "Aad": 4, "Iv": 5, "PaddingMode": 6}
DECRYPT_REQUEST = {"CiphertextBlob": 1, "KeyId": 2, "Algorithm": 3, "Aad": 4, "Iv": 5, "PaddingMode": 6}


def sign_response(key_id: str, signature: bytes, request_id: str, algorithm: str, message_type: str) -> bytes:
    return encode([(1, key_id), (2, signature), (3, request_id), (4, algorithm), (5, message_type)])


def verify_response(key_id: str, value: bool, request_id: str, algorithm: str, message_type: str) -> bytes:
    return encode([(1, key_id), (2, int(value)), (3, request_id), (4, algorithm), (5, message_type)])


def encrypt_response(key_id: str, ciphertext: bytes, request_id: str, algorithm: str) -> bytes:
    return encode([(1, key_id), (2, ciphertext), (4, request_id), (5, algorithm)])


def decrypt_response(key_id: str, plaintext: bytes, request_id: str, algorithm: str) -> bytes:
    return encode([(1, key_id), (2, plaintext), (3, request_id), (4, algorithm)])
