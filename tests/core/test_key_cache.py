"""Parsed keys are remembered; the memory must never change an answer."""

from __future__ import annotations

import base64

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from kms_pubkey import KeyFormatError, load_public_key
from kms_pubkey.errors import ResponseError
from kms_pubkey.public_key import from_service


def _p256_der() -> bytes:
    key = ec.generate_private_key(ec.SECP256R1())
    return key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def test_the_same_input_in_every_shape_gives_the_same_key() -> None:
    der = _p256_der()
    shapes: list[object] = [der, bytearray(der), memoryview(der), base64.b64encode(der).decode()]
    for _ in range(2):  # second round is served from memory
        keys = [load_public_key(shape) for shape in shapes]  # type: ignore[arg-type]
        assert {k.der for k in keys} == {der}
        assert {k.key_spec for k in keys} == {"ECC_NIST_P256"}


def test_metadata_is_per_call_not_remembered() -> None:
    b64 = base64.b64encode(_p256_der()).decode()
    first = from_service(b64, vendor="aws", key_id="one", request_id="r1")
    second = from_service(b64, vendor="alibaba", key_id="two")
    assert (first.key_id, first.key_spec, first.request_id) == ("one", "ECC_NIST_P256", "r1")
    assert (second.key_id, second.key_spec, second.request_id, second.vendor) == (
        "two",
        "EC_P256",
        None,
        "alibaba",
    )
    with pytest.raises(ResponseError):  # a contradicting spec is still checked on a remembered key
        from_service(b64, vendor="aws", key_spec="RSA_2048")


def test_refusals_are_not_remembered_as_keys() -> None:
    private = ec.generate_private_key(ec.SECP256R1()).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    for _ in range(2):
        with pytest.raises(KeyFormatError):
            load_public_key(private)
