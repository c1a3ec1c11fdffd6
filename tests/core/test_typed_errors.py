"""Hostile inputs end in the typed hierarchy: DER bounds, Retry-After grammar, 429 classing."""

from __future__ import annotations

import httpx
import pytest

from kms_pubkey import KeyFormatError, ThrottlingError, load_public_key
from kms_pubkey.http_dates import parse_retry_after
from kms_pubkey.read import der as der_reader
from kms_pubkey.vendor import class_for, error_from_response
from kms_pubkey_alibaba.client import ALIBABA
from kms_pubkey_alibaba.instance_client import ALIBABA_INSTANCE
from kms_pubkey_aws.client import AWS
from kms_pubkey_huawei.client import HUAWEI
from tests.support.der import spki, tlv


def _huge_arc_oid(arc_bytes: int) -> bytes:
    # 1.2.<arc of 7*arc_bytes bits>: far past Python's int-to-str digit limit when large.
    return tlv(0x06, b"\x2a" + b"\xff" * (arc_bytes - 1) + b"\x7f")


@pytest.mark.parametrize("arc_bytes", [21, 2500, 60000])
def test_huge_oid_arc_is_a_key_format_error(arc_bytes: int) -> None:
    oid = _huge_arc_oid(arc_bytes)
    data = tlv(0x30, tlv(0x30, oid) + tlv(0x03, b"\x00" + b"\x04" * 65))
    with pytest.raises(KeyFormatError):
        load_public_key(data)


def test_largest_allowed_arc_still_decodes() -> None:
    # A 128-bit UUID arc (2.25.<uuid>) stays readable; independent value: int of 19 bytes of 0x7f bits.
    content = b"\x69" + b"\x83" + b"\xff" * 17 + b"\x7f"
    expected = int("11" + "1111111" * 18, 2)
    assert der_reader.decode_oid(content) == f"2.25.{expected}"


def test_der_longer_than_the_cap_is_refused_without_reading_it() -> None:
    big = spki("1.3.101.112", None, b"\x00" * (der_reader.MAX_DER_BYTES + 10))
    with pytest.raises(KeyFormatError, match="longer than"):
        load_public_key(big)


@pytest.mark.parametrize(
    "value",
    [
        "¹",
        "٣",
        "１２",
        "5\u00a0",
        "1e3",
        "0x10",
        "Wed, 21 Oct 2015 07:28:00 +0000",
        "Wed, 31 Feb 2015 07:28:00 GMT",
    ],
)
def test_retry_after_outside_the_grammar_is_ignored(value: str) -> None:
    assert parse_retry_after(value) is None


def test_retry_after_huge_delta_means_do_not_wait() -> None:
    assert parse_retry_after("9" * 5000) == float("inf")


@pytest.mark.parametrize(
    ("vendor", "body"),
    [
        (AWS, b'{"__type": "RequestThrottledException", "message": "slow"}'),
        (ALIBABA, b'{"Code": "TooManyRequests", "Message": "slow", "RequestId": "r"}'),
        (HUAWEI, b'{"error_code": "APIGW.9999", "error_msg": "slow"}'),
        (ALIBABA_INSTANCE, b""),
    ],
)
def test_429_with_an_unknown_code_is_throttling(vendor: object, body: bytes) -> None:
    response = httpx.Response(429, content=body, request=httpx.Request("POST", "https://127.0.0.1/"))
    error = error_from_response(vendor, response)  # type: ignore[arg-type]
    assert type(error) is ThrottlingError
    assert class_for(vendor, "NoSuchCodeAnywhere", 429) is ThrottlingError  # type: ignore[arg-type]
