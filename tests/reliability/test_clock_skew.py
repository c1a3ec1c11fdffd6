"""Clock-skew correction end to end, against the emulator.

The emulator refuses a request time more than 15 minutes off with each vendor's own code
(AWS InvalidSignatureException "Signature expired", Alibaba InvalidTimeStamp.Expired, Huawei
401 APIGW.0301 "... x-sdk-date is more than 15 minutes off", the KMS instance
RequestTimeTooSkewed) and answers with a real `Date`. It counts the requests it handles,
so each test states how many reached it. A transport in front of the client rewrites the
answer's `Date` where a test needs it missing, unreadable or lying.
"""

from __future__ import annotations

import asyncio
import email.utils
import logging
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from werkzeug.wrappers import Request, Response

from kms_pubkey import AuthError, PublicKey
from kms_pubkey_alibaba import AlibabaKmsClient, AsyncAlibabaKmsClient
from kms_pubkey_alibaba.instance_client import AlibabaKmsInstanceClient, AsyncAlibabaKmsInstanceClient
from kms_pubkey_aws import AsyncAwsKmsClient, AwsKmsClient
from kms_pubkey_emulator import Emulator
from kms_pubkey_emulator.protocol import EmulatorState, VendorProtocol
from kms_pubkey_emulator.server import PROTOCOLS
from kms_pubkey_emulator.vendors.alibaba_instance import client_key
from kms_pubkey_huawei import AsyncHuaweiKmsClient, HuaweiKmsClient

pytestmark = pytest.mark.integration

OFF = timedelta(minutes=20)
CORRECTED = re.compile(r"corrected the clock by ([+-][0-9]+) s from the server's Date")


class _Counted:
    """A vendor protocol of the emulator that records each request it handles."""

    def __init__(self, inner: VendorProtocol, seen: list[str]) -> None:
        self._inner, self._seen = inner, seen

    def __getattr__(self, name: str) -> Any:  # name, key_specs, credentials
        return getattr(self._inner, name)

    def matches(self, request: Request) -> bool:
        return self._inner.matches(request)

    def handle(self, request: Request, state: EmulatorState) -> Response:
        self._seen.append(self._inner.name)
        return self._inner.handle(request, state)


@dataclass
class Served:
    emulator: Emulator
    seen: list[str]


@pytest.fixture(scope="module")
def served() -> Iterator[Served]:
    seen: list[str] = []
    with Emulator(protocols=[_Counted(p, seen) for p in PROTOCOLS]) as emulator:  # type: ignore[list-item]
        yield Served(emulator, seen)


def _rewrite_date(response: httpx.Response, date: Callable[[], str | None]) -> httpx.Response:
    value = date()
    if value is None:
        del response.headers["date"]
    else:
        response.headers["date"] = value
    return response


class _DateTransport(httpx.HTTPTransport):
    def __init__(self, date: Callable[[], str | None]) -> None:
        super().__init__()
        self._date = date

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        return _rewrite_date(super().handle_request(request), self._date)


class _AsyncDateTransport(httpx.AsyncHTTPTransport):
    def __init__(self, date: Callable[[], str | None]) -> None:
        super().__init__()
        self._date = date

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        return _rewrite_date(await super().handle_async_request(request), self._date)


def _http_date(when: datetime) -> str:
    return email.utils.format_datetime(when.astimezone(UTC), usegmt=True)


@dataclass(frozen=True)
class Kind:
    name: str
    code: str
    """The code the emulator refuses a skewed request with."""
    sync: type[Any]
    asynchronous: type[Any]
    arguments: Callable[[Emulator], dict[str, Any]]
    call: Callable[[Any, Emulator], Any]
    expected: Callable[[Emulator], bytes]

    def build(
        self, emulator: Emulator, *, asynchronous: bool, clock: Callable[[], datetime], **more: Any
    ) -> Any:
        cls = self.asynchronous if asynchronous else self.sync
        return cls(**self.arguments(emulator), clock=clock, timeout=10, max_retries=0, **more)


def _aws_args(emulator: Emulator) -> dict[str, Any]:
    c = emulator.config
    return {
        "region": "us-east-1",
        "endpoint": emulator.url,
        "access_key_id": c.access_key_id,
        "secret_access_key": c.secret_access_key,
    }


def _alibaba_args(version: str) -> Callable[[Emulator], dict[str, Any]]:
    def arguments(emulator: Emulator) -> dict[str, Any]:
        c = emulator.config
        return {
            "region": "cn-hangzhou",
            "endpoint": emulator.url,
            "access_key_id": c.access_key_id,
            "access_key_secret": c.secret_access_key,
            "signature_version": version,
        }

    return arguments


def _huawei_args(emulator: Emulator) -> dict[str, Any]:
    c = emulator.config
    return {
        "region": "cn-north-4",
        "project_id": c.huawei_project_id,
        "endpoint": emulator.url,
        "access_key": c.access_key_id,
        "secret_key": c.secret_access_key,
    }


def _instance_args(emulator: Emulator) -> dict[str, Any]:
    assert emulator.state is not None
    files = client_key(emulator.state)
    return {
        "endpoint": emulator.url,
        "client_key_file": files.client_key_file,
        "client_key_password": files.password,
    }


def _key(emulator: Emulator, vendor: str) -> Any:
    return next(k for k in emulator.keys_for(vendor) if k.enabled)


def _alibaba(version: str) -> Kind:
    return Kind(
        f"alibaba-{version}",
        "InvalidTimeStamp.Expired",
        AlibabaKmsClient,
        AsyncAlibabaKmsClient,
        _alibaba_args(version),
        lambda client, emu: client.get_public_key(
            _key(emu, "alibaba").key_id, _key(emu, "alibaba").key_version_id
        ),
        lambda emu: _key(emu, "alibaba").public_der,
    )


KINDS = (
    Kind(
        "aws",
        "InvalidSignatureException",
        AwsKmsClient,
        AsyncAwsKmsClient,
        _aws_args,
        lambda client, emu: client.get_public_key(_key(emu, "aws").key_id),
        lambda emu: _key(emu, "aws").public_der,
    ),
    _alibaba("v3"),
    _alibaba("v1"),
    Kind(
        "huawei",
        "APIGW.0301",
        HuaweiKmsClient,
        AsyncHuaweiKmsClient,
        _huawei_args,
        lambda client, emu: client.get_public_key(_key(emu, "huawei").key_id),
        lambda emu: _key(emu, "huawei").public_der,
    ),
    Kind(
        "alibaba-instance",
        "RequestTimeTooSkewed",
        AlibabaKmsInstanceClient,
        AsyncAlibabaKmsInstanceClient,
        _instance_args,
        lambda client, emu: client.get_public_key(_key(emu, "alibaba").key_id),
        lambda emu: _key(emu, "alibaba").public_der,
    ),
)
SYNC_ASYNC = pytest.mark.parametrize("asynchronous", [False, True], ids=["sync", "async"])
EVERY_KIND = pytest.mark.parametrize("kind", KINDS, ids=[k.name for k in KINDS])


def _calls(client: Any, kind: Kind, served: Served, count: int, asynchronous: bool) -> list[Any]:
    """`count` calls on one client, each one's outcome (a key or the exception) and the
    number of requests the emulator saw for it."""

    def one_sync() -> Any:
        try:
            return kind.call(client, served.emulator)
        except AuthError as error:
            return error

    async def one_async() -> Any:
        try:
            return await kind.call(client, served.emulator)
        except AuthError as error:
            return error

    outcomes: list[Any] = []

    def note(result: Any, before: int) -> None:
        outcomes.append((result, len(served.seen) - before))

    if not asynchronous:
        with client:
            for _ in range(count):
                before = len(served.seen)
                note(one_sync(), before)
        return outcomes

    async def main() -> None:
        async with client:
            for _ in range(count):
                before = len(served.seen)
                note(await one_async(), before)

    asyncio.run(main())
    return outcomes


def _corrections(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [
        r.getMessage() for r in caplog.records if r.name == "kms_pubkey" and CORRECTED.search(r.getMessage())
    ]


@pytest.fixture
def info(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.INFO, logger="kms_pubkey")
    return caplog


@pytest.mark.parametrize("sign", [-1, 1], ids=["behind", "ahead"])
@SYNC_ASYNC
@EVERY_KIND
def test_a_clock_20_minutes_off_is_corrected_once_and_stays_corrected(
    served: Served, kind: Kind, asynchronous: bool, sign: int, info: pytest.LogCaptureFixture
) -> None:
    client = kind.build(
        served.emulator, asynchronous=asynchronous, clock=lambda: datetime.now(UTC) + sign * OFF
    )
    outcomes = _calls(client, kind, served, 2, asynchronous)
    expected = kind.expected(served.emulator)
    assert [(type(result), seen) for result, seen in outcomes] == [(PublicKey, 2), (PublicKey, 1)], outcomes
    assert all(result.der == expected for result, _ in outcomes)
    [record] = _corrections(info)
    assert kind.code in record
    moved = int(CORRECTED.search(record).group(1))  # type: ignore[union-attr]
    assert abs(moved + sign * OFF.total_seconds()) <= 5, record  # behind: moved forward by 20 minutes
    c = served.emulator.config
    assert c.secret_access_key not in record and "Authorization" not in record


@pytest.mark.parametrize(
    "date",
    [None, "yesterday", "Friday, 27-Nov-26 07:00:00 GMT", "Fri, 31 Feb 2026 07:00:00 GMT"],
    ids=["no-date", "garbage", "rfc850", "impossible-day"],
)
@SYNC_ASYNC
@EVERY_KIND
def test_without_a_usable_date_the_auth_error_is_raised_after_one_request(
    served: Served, kind: Kind, asynchronous: bool, date: str | None, info: pytest.LogCaptureFixture
) -> None:
    transport_cls = _AsyncDateTransport if asynchronous else _DateTransport
    client = kind.build(
        served.emulator,
        asynchronous=asynchronous,
        clock=lambda: datetime.now(UTC) - OFF,
        transport=transport_cls(lambda: date),
    )
    [(error, seen)] = _calls(client, kind, served, 1, asynchronous)
    assert isinstance(error, AuthError), error
    assert (error.code, error.clock_skew, error.server_date, seen) == (kind.code, True, None, 1)
    assert not _corrections(info)


@pytest.mark.parametrize(
    ("drift", "expected"),
    [(False, [2, 1]), (True, [2, 2])],
    ids=["steady", "drifting"],
)
@SYNC_ASYNC
@EVERY_KIND
def test_a_skew_error_after_the_correction_is_not_corrected_again(
    served: Served,
    kind: Kind,
    asynchronous: bool,
    drift: bool,
    expected: list[int],
    info: pytest.LogCaptureFixture,
) -> None:
    """A front whose `Date` runs an hour ahead of the emulator's, which refuses the corrected
    request too: that second refusal is raised, not corrected again. Steady: the next call,
    signed with the kept correction, already agrees with the `Date`, so it is raised after one
    request. Drifting (10 more minutes with every answer, up to 40): every call corrects once
    and only once; without that bound the first call alone would send six requests."""
    answers = [0]

    def lying_date() -> str:
        ahead = timedelta(hours=1) + (timedelta(minutes=10) * min(answers[0], 4) if drift else timedelta(0))
        answers[0] += 1
        return _http_date(datetime.now(UTC) + ahead)

    transport_cls = _AsyncDateTransport if asynchronous else _DateTransport
    client = kind.build(
        served.emulator,
        asynchronous=asynchronous,
        clock=lambda: datetime.now(UTC) - OFF,
        transport=transport_cls(lying_date),
    )
    outcomes = _calls(client, kind, served, 2, asynchronous)
    assert [(type(result), seen) for result, seen in outcomes] == [(AuthError, n) for n in expected], outcomes
    assert all(result.code == kind.code for result, _ in outcomes)
    records = _corrections(info)
    assert len(records) == len([n for n in expected if n == 2])
    moved = int(CORRECTED.search(records[0]).group(1))  # type: ignore[union-attr]
    assert abs(moved - (OFF + timedelta(hours=1)).total_seconds()) <= 5, records


@EVERY_KIND
def test_a_date_within_a_minute_of_our_clock_is_not_a_correction(
    served: Served, kind: Kind, info: pytest.LogCaptureFixture
) -> None:
    """The service says skew but its `Date` agrees with our clock to 30 s: not a clock problem."""
    client = kind.build(
        served.emulator,
        asynchronous=False,
        clock=lambda: datetime.now(UTC) - OFF,
        transport=_DateTransport(lambda: _http_date(datetime.now(UTC) - OFF + timedelta(seconds=30))),
    )
    [(error, seen)] = _calls(client, kind, served, 1, False)
    assert isinstance(error, AuthError), error
    assert (error.code, seen) == (kind.code, 1)
    assert error.server_date is not None
    assert not _corrections(info)
