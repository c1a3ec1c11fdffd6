"""The signing helpers every vendor shares: the clock and the query parser."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone

import pytest

from kms_pubkey.signing import as_utc, parse_query, utc_now, utc_stamp


@pytest.fixture
def far_from_utc() -> Iterator[None]:
    """Run with the process in UTC+8, where a naive time read as local would be 8 hours off."""
    old = os.environ.get("TZ")
    os.environ["TZ"] = "Asia/Shanghai"
    time.tzset()
    try:
        assert time.timezone == -8 * 3600  # the zone really changed, or the test proves nothing
        yield
    finally:
        if old is None:
            os.environ.pop("TZ", None)
        else:
            os.environ["TZ"] = old
        time.tzset()


def test_a_naive_time_is_utc_not_local(far_from_utc: None) -> None:
    naive = datetime(2024, 3, 1, 12, 30, 5)
    assert as_utc(naive) == datetime(2024, 3, 1, 12, 30, 5, tzinfo=UTC)
    assert utc_stamp(naive, "%Y%m%dT%H%M%SZ") == "20240301T123005Z"


def test_an_aware_time_is_converted() -> None:
    east = datetime(2024, 3, 1, 20, 0, 0, tzinfo=timezone(timedelta(hours=8)))
    assert utc_stamp(east, "%Y-%m-%dT%H:%M:%SZ") == "2024-03-01T12:00:00Z"


def test_utc_now_is_aware_and_current() -> None:
    now = utc_now()
    assert now.tzinfo is not None and now.utcoffset() == timedelta(0)
    assert abs((now - datetime.now(UTC)).total_seconds()) < 60


@pytest.mark.parametrize(
    ("raw", "pairs"),
    [
        ("", []),
        ("a=1&b=2", [("a", "1"), ("b", "2")]),
        ("flag&empty=&x=%20y%2Fz", [("flag", ""), ("empty", ""), ("x", " y/z")]),
        ("%E1%88%B4=bar&&k=v=w", [("\u1234", "bar"), ("k", "v=w")]),
    ],
)
def test_parse_query(raw: str, pairs: list[tuple[str, str]]) -> None:
    assert parse_query(raw) == pairs
