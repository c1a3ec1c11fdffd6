"""The parts of clock-skew correction: each vendor's skew rule against the messages the
vendors document, the `Date` parser, the offset clock, the error fields, and that every
client that signs a time gets a correctable clock.

The expected messages are quoted from the vendors' pages (Huawei API Gateway FAQ "Incorrect
app authentication information", Huawei SIS FAQ "calc ak sk signature fail:signature
expired", Alibaba KMS instance "Common error codes", the AWS common errors), not from our code.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from kms_pubkey import AuthError, defaults
from kms_pubkey.http_dates import parse_http_date
from kms_pubkey.transport import OffsetClock
from kms_pubkey.vendor import error_from_response
from kms_pubkey_alibaba.client import ALIBABA
from kms_pubkey_alibaba.instance.client import ALIBABA_INSTANCE
from kms_pubkey_aws.client import AWS
from kms_pubkey_huawei.client import HUAWEI
from tests.reliability import clients

HUAWEI_APP_EXPIRED = (
    "Incorrect app authentication information: signature expired, "
    "signature time:20230527T000431Z,server time:20230527T020608Z"
)
HUAWEI_IAM_EXPIRED = "Incorrect IAM authentication information: calc ak sk signature fail:signature expired"


@pytest.mark.parametrize(
    ("vendor", "code", "message", "skew"),
    [
        (
            AWS,
            "InvalidSignatureException",
            "Signature expired: 20160307T172700Z is now earlier than ...",
            True,
        ),
        (
            AWS,
            "RequestExpired",
            "The request reached the service more than 15 minutes after the date stamp",
            True,
        ),
        (
            AWS,
            "RequestTimeTooSkewed",
            "The difference between the request time and the server's time is too large.",
            True,
        ),
        (AWS, "ExpiredTokenException", "The security token included in the request is expired", False),
        (AWS, "UnrecognizedClientException", "The security token included in the request is invalid.", False),
        (AWS, None, "", False),
        (ALIBABA, "InvalidTimeStamp.Expired", "Specified time stamp or date value is expired.", True),
        (
            ALIBABA,
            "InvalidTimeStamp.Format",
            "Specified time stamp or date value is not well formatted.",
            False,
        ),
        (
            ALIBABA,
            "IllegalTimestamp",
            'The input parameter "Timestamp" that is mandatory ... is not supplied.',
            False,
        ),
        (ALIBABA, "InvalidSecurityToken.Expired", "Specified SecurityToken is expired.", False),
        (
            ALIBABA_INSTANCE,
            "RequestTimeTooSkewed",
            "Request time exceeds server time more than 15 minutes.",
            True,
        ),
        (ALIBABA_INSTANCE, "InvalidParam", "The Param Date is invalid.", False),
        (HUAWEI, "APIG.0303", HUAWEI_APP_EXPIRED, True),
        (HUAWEI, "APIGW.0303", HUAWEI_APP_EXPIRED, True),
        (HUAWEI, "APIGW.0301", HUAWEI_IAM_EXPIRED, True),
        (HUAWEI, "APIG.0301", HUAWEI_IAM_EXPIRED, True),
        (HUAWEI, "APIGW.0301", "Incorrect IAM authentication information: x-sdk-date expired", True),
        (
            HUAWEI,
            "APIGW.0301",
            "Incorrect IAM authentication information: verify aksk signature fail, ...",
            False,
        ),
        (
            HUAWEI,
            "APIGW.0301",
            "Incorrect IAM authentication information: token expires, expires_at: xxx",
            False,
        ),
        (HUAWEI, "APIGW.0301", "Incorrect IAM authentication information: decrypt token fail", False),
        (
            HUAWEI,
            "APIG.0303",
            "Incorrect app authentication information: app not found, appkey 0117***e5e1",
            False,
        ),
        (HUAWEI, "APIGW.0303", None, False),
        (HUAWEI, "KMS.0303", "X-Auth-Token has expired.", False),
        (HUAWEI, "APIGW.0302", HUAWEI_APP_EXPIRED, False),  # not an authentication code at all
    ],
)
def test_each_vendor_declares_its_skew_errors(
    vendor: object, code: str | None, message: str | None, skew: bool
) -> None:
    assert vendor.clock_skew.matches(code, message) is skew  # type: ignore[attr-defined]


def test_the_huawei_message_test_is_linear_on_a_hostile_message() -> None:
    hostile = "x-sdk-date " * 100_000  # a regular expression with .* between the words is quadratic here
    start = time.perf_counter()
    assert not HUAWEI.clock_skew.matches("APIGW.0301", hostile)
    assert time.perf_counter() - start < 1.0


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Sun, 06 Nov 1994 08:49:37 GMT", datetime(1994, 11, 6, 8, 49, 37, tzinfo=UTC)),  # RFC 9110's example
        (" Fri, 27 Nov 2026 07:19:58 GMT\t", datetime(2026, 11, 27, 7, 19, 58, tzinfo=UTC)),
        ("Sunday, 06-Nov-94 08:49:37 GMT", None),  # obsolete RFC 850 form
        ("Sun Nov  6 08:49:37 1994", None),  # asctime
        ("Sun, 06 Nov 1994 08:49:37 UTC", None),
        ("Sun, 31 Feb 1994 08:49:37 GMT", None),
        ("Sun, 06 Nov 0000 08:49:37 GMT", None),
        ("Sun, ０6 Nov 1994 08:49:37 GMT", None),  # a full-width digit
        ("", None),
        (None, None),
    ],
)
def test_parse_http_date(value: str | None, expected: datetime | None) -> None:
    assert parse_http_date(value) == expected


def test_the_offset_clock_moves_only_past_the_threshold_and_keeps_the_offset() -> None:
    base = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    clock = OffsetClock(lambda: base)
    assert clock() == base
    small = timedelta(seconds=defaults.CLOCK_CORRECTION_THRESHOLD_SECONDS)
    assert clock.correct(base + small) is None  # not further than the threshold
    assert clock() == base
    assert clock.correct(base + timedelta(minutes=20)) == 1200.0
    assert clock() == base + timedelta(minutes=20)
    assert clock() == base + timedelta(minutes=20)  # kept
    assert clock.correct(base + timedelta(minutes=20, seconds=30)) is None  # measured from the corrected time
    assert clock.correct(base - timedelta(minutes=5)) == -1500.0
    assert clock() == base - timedelta(minutes=5)


def test_the_offset_clock_takes_a_naive_clock_as_utc() -> None:
    naive = datetime(2026, 1, 2, 3, 4, 5)
    clock = OffsetClock(lambda: naive)
    assert clock.correct(datetime(2026, 1, 2, 3, 24, 5, tzinfo=UTC)) == 1200.0
    assert clock() == naive + timedelta(minutes=20)


def _response(status: int, body: bytes, headers: dict[str, str]) -> httpx.Response:
    return httpx.Response(
        status, content=body, headers=headers, request=httpx.Request("POST", "https://kms.test/")
    )


def test_the_error_carries_the_date_and_the_verdict() -> None:
    body = b'{"__type": "InvalidSignatureException", "message": "Signature expired: ..."}'
    error = error_from_response(AWS, _response(400, body, {"Date": "Sun, 06 Nov 1994 08:49:37 GMT"}))
    assert isinstance(error, AuthError)
    assert error.clock_skew is True
    assert error.server_date == datetime(1994, 11, 6, 8, 49, 37, tzinfo=UTC)
    other = error_from_response(
        AWS, _response(400, b'{"__type": "AccessDeniedException"}', {"Date": "nonsense"})
    )
    assert (other.clock_skew, other.server_date) == (False, None)


@pytest.mark.parametrize("kind", clients.LOGGED_KINDS, ids=[k.name for k in clients.LOGGED_KINDS])
@pytest.mark.parametrize("asynchronous", [False, True], ids=["sync", "async"])
def test_every_client_that_signs_a_time_gets_its_own_correctable_clock(
    kind: clients.Kind, asynchronous: bool
) -> None:
    first = kind.build("http://127.0.0.1:9", asynchronous=asynchronous)
    second = kind.build("http://127.0.0.1:9", asynchronous=asynchronous)
    if kind is clients.HUAWEI_TOKEN:
        assert first._policy.clock is None  # an IAM token carries no time
        return
    assert isinstance(first._policy.clock, OffsetClock)
    assert first._policy.clock is not second._policy.clock
    assert first._policy.clock.offset == 0.0
