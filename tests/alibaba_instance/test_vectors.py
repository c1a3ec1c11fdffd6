"""The minimal protobuf codec: byte vectors written from the wire-format rules, round trips, garbage.

Expected bytes are spelled out by hand from the encoding rules (tag = field << 3 | wire type,
base-128 varints, length-delimited UTF-8), not produced by our encoder. The cross-check
against the vendor's own protobuf classes is in test_oracle.py.
"""

from __future__ import annotations

import contextlib
import random

import pytest

from kms_pubkey import KmsError, ResponseError
from kms_pubkey_alibaba.instance_proto import (
    Error,
    GetPublicKeyRequest,
    GetPublicKeyResponse,
    ProtobufError,
    decode_varint,
    encode_varint,
)

# (value, encoding) from the protobuf encoding guide's rules
VARINTS = [
    (0, b"\x00"),
    (1, b"\x01"),
    (127, b"\x7f"),
    (128, b"\x80\x01"),
    (150, b"\x96\x01"),
    (300, b"\xac\x02"),
    (16384, b"\x80\x80\x01"),
    ((1 << 64) - 1, b"\xff" * 9 + b"\x01"),
]


@pytest.mark.parametrize(("value", "encoded"), VARINTS)
def test_varint_vectors(value: int, encoded: bytes) -> None:
    assert encode_varint(value) == encoded
    assert decode_varint(encoded, 0) == (value, len(encoded))


def test_request_bytes() -> None:
    # field 1, wire type 2 -> 0x0a; length 3; "abc"
    assert GetPublicKeyRequest(key_id="abc").encode() == b"\x0a\x03abc"
    assert GetPublicKeyRequest(key_id="").encode() == b""
    long_id = "k" * 200
    assert GetPublicKeyRequest(key_id=long_id).encode() == b"\x0a\xc8\x01" + long_id.encode()
    assert GetPublicKeyRequest(key_id="é").encode() == b"\x0a\x02\xc3\xa9"


def test_response_bytes_decode() -> None:
    data = b"\x0a\x02id" + b"\x12\x03PEM" + b"\x1a\x03rid"
    assert GetPublicKeyResponse.decode(data) == GetPublicKeyResponse(
        key_id="id", public_key="PEM", request_id="rid"
    )
    # field order on the wire does not matter
    data = b"\x1a\x03rid" + b"\x0a\x02id" + b"\x12\x03PEM"
    assert GetPublicKeyResponse.decode(data).public_key == "PEM"


def test_error_bytes() -> None:
    # StatusCode=404 (0x08, 404 = 0x94 0x03), ErrorCode (0x12), ErrorMessage (0x1a), RequestId (0x22)
    data = b"\x08\x94\x03" + b"\x12\x15Forbidden.KeyNotFound" + b"\x1a\x02no" + b"\x22\x01r"
    error = Error.decode(data)
    assert error == Error(
        status_code=404, error_code="Forbidden.KeyNotFound", error_message="no", request_id="r"
    )
    assert error.encode() == data


def test_negative_int32_is_ten_bytes() -> None:
    encoded = Error(status_code=-1).encode()
    assert encoded == b"\x08" + b"\xff" * 9 + b"\x01"
    assert Error.decode(encoded).status_code == -1
    # a 5-byte (32-bit) encoding of -1 is also read as -1, as int32 fields are truncated
    assert Error.decode(b"\x08\xff\xff\xff\xff\x0f").status_code == -1


def test_defaults_are_omitted_and_decode_empty() -> None:
    assert Error().encode() == b""
    assert Error.decode(b"") == Error()
    assert GetPublicKeyResponse.decode(b"") == GetPublicKeyResponse()


def test_unknown_fields_of_every_wire_type_are_skipped() -> None:
    unknown = (
        b"\x28\x96\x01"  # field 5 varint
        + b"\x31"
        + b"\x00" * 8  # field 6 fixed64
        + b"\x3a\x03xyz"  # field 7 length-delimited
        + b"\x43"
        + b"\x48\x01"
        + b"\x52\x01q"
        + b"\x44"  # field 8 group holding fields 9 and 10
        + b"\x5d"
        + b"\x00" * 4  # field 11 fixed32
    )
    data = unknown + b"\x12\x03PEM" + unknown
    assert GetPublicKeyResponse.decode(data) == GetPublicKeyResponse(public_key="PEM")


def test_known_field_with_another_wire_type_is_treated_as_unknown() -> None:
    # KeyId (field 1) sent as a varint: skipped, as the reference implementation does
    assert GetPublicKeyResponse.decode(b"\x08\x05\x12\x01P") == GetPublicKeyResponse(public_key="P")


def test_last_value_wins() -> None:
    assert GetPublicKeyResponse.decode(b"\x0a\x01a\x0a\x01b").key_id == "b"


@pytest.mark.parametrize(
    "garbage",
    [
        b"\x0a",  # tag without a length
        b"\x0a\x05ab",  # length past the end
        b"\x80",  # truncated varint tag
        b"\x08" + b"\xff" * 10 + b"\x01",  # varint longer than 10 bytes
        b"\x08\xff\xff\xff\xff\xff\xff\xff\xff\xff\x7f",  # varint over 64 bits
        b"\x00\x00",  # field number 0
        b"\x0e",  # wire type 6
        b"\x0f",  # wire type 7
        b"\x44",  # group end without a start
        b"\x43\x52\x01q",  # unterminated group
        b"\x43\x4c",  # group ended by another field number
        b"\x31\x00\x00",  # truncated fixed64
        b"\x0a\x02\xff\xfe",  # invalid UTF-8 in a string field
        b"\x3a\x80\x80\x80\x80\x10",  # unknown length-delimited field longer than the data
        b"<html>502 Bad Gateway</html>",
    ],
)
def test_garbage_raises_typed_error(garbage: bytes) -> None:
    with pytest.raises(ProtobufError) as caught:
        GetPublicKeyResponse.decode(garbage)
    assert isinstance(caught.value, ResponseError)
    assert isinstance(caught.value, KmsError)


def test_deeply_nested_groups_are_refused() -> None:
    data = b"\x43" * 100 + b"\x44" * 100
    with pytest.raises(ProtobufError):
        GetPublicKeyResponse.decode(data)


def test_not_bytes_is_refused() -> None:
    with pytest.raises(ProtobufError):
        GetPublicKeyResponse.decode("text")  # type: ignore[arg-type]


def test_encoder_refuses_wrong_types() -> None:
    with pytest.raises(TypeError):
        GetPublicKeyRequest(key_id=5).encode()  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        Error(status_code=1 << 31).encode()


def test_round_trip_random() -> None:
    rng = random.Random(6)
    alphabet = "abcXYZ019-_./é中\n "
    for _ in range(500):
        msg = Error(
            status_code=rng.randint(-(1 << 31), (1 << 31) - 1),
            error_code="".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40))),
            error_message="".join(rng.choice(alphabet) for _ in range(rng.randint(0, 300))),
            request_id="".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40))),
        )
        assert Error.decode(msg.encode()) == msg


def test_random_mutations_never_raise_untyped() -> None:
    rng = random.Random(66)
    base = GetPublicKeyResponse(
        key_id="key-1", public_key="-----BEGIN PUBLIC KEY-----\nAA==\n", request_id="r"
    ).encode()
    for _ in range(3000):
        data = bytearray(base)
        for _ in range(rng.randint(1, 4)):
            op = rng.randrange(3)
            if op == 0 and data:
                data[rng.randrange(len(data))] = rng.randrange(256)
            elif op == 1 and data:
                del data[rng.randrange(len(data)) :]
            else:
                data.insert(rng.randrange(len(data) + 1), rng.randrange(256))
        with contextlib.suppress(ProtobufError):
            GetPublicKeyResponse.decode(bytes(data))
