"""The signing helpers every vendor shares: the clock and the query parser."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone

import httpx
import pytest

from kms_pubkey.signing import (
    as_utc,
    basic_utc,
    extended_utc,
    header_pairs,
    parse_query,
    remove_headers,
    split_target,
    utc_now,
)


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
    assert basic_utc(naive) == "20240301T123005Z"
    assert extended_utc(naive) == "2024-03-01T12:30:05Z"


def test_an_aware_time_is_converted() -> None:
    east = datetime(2024, 3, 1, 20, 0, 0, tzinfo=timezone(timedelta(hours=8)))
    assert extended_utc(east) == "2024-03-01T12:00:00Z"
    assert basic_utc(east) == east.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


@pytest.mark.parametrize("seconds", [0, 1, 59, 86399, 10**9, 4102444799])
def test_hand_formatted_stamps_match_strftime(seconds: int) -> None:
    when = datetime.fromtimestamp(seconds, UTC)
    assert basic_utc(when) == when.strftime("%Y%m%dT%H%M%SZ")
    assert extended_utc(when) == when.strftime("%Y-%m-%dT%H:%M:%SZ")


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


def test_parse_query_reads_what_httpx_writes_when_asked() -> None:
    params = {"a": "x y+z&q=/\u00e9~*", "b": ""}
    request = httpx.Request("GET", "http://h/", params=params)
    raw = split_target(request)[1]
    assert parse_query(raw, plus_as_space=True) == list(params.items())
    assert parse_query(raw) != list(params.items())  # httpx wrote the space as '+'


def test_header_pairs_keep_order_and_repeats_and_lower_the_names() -> None:
    request = httpx.Request(
        "POST",
        "http://example.test/a%20b?x=1&y=%2F",
        headers=[("X-Amz-Target", "T"), ("x-dup", "1"), ("X-Dup", "2")],
        content=b"{}",
    )
    pairs = header_pairs(request)
    assert ("x-amz-target", "T") in pairs
    assert [v for k, v in pairs if k == "x-dup"] == ["1", "2"]
    assert ("host", "example.test") in pairs
    assert split_target(request) == ("/a%20b", "x=1&y=%2F")


def test_remove_headers_deletes_only_what_is_there() -> None:
    request = httpx.Request("GET", "http://example.test/", headers={"Authorization": "old", "Keep": "1"})
    remove_headers(request, ("authorization", "x-absent"))
    assert "authorization" not in request.headers
    assert request.headers["keep"] == "1"
