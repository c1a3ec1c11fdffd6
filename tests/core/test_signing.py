"""The signing helpers every vendor shares: the clock, the query parser, reading and writing headers."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta, timezone

import httpx
import pytest

from kms_pubkey import signing
from kms_pubkey.signing import (
    as_utc,
    basic_utc,
    extended_utc,
    header_pairs,
    parse_query,
    set_headers,
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


def _request() -> httpx.Request:
    return httpx.Request(
        "POST",
        "http://example.test/",
        headers=[
            ("Authorization", "old"),
            ("X-Dup", "1"),
            ("Keep", "k"),
            ("x-dup", "2"),
            ("X-Acs-Date", "then"),
        ],
        content=b"{}",
    )


def _set_one_by_one(request: httpx.Request, headers: list[tuple[str, str]], drop: tuple[str, ...]) -> None:
    """The oracle: httpx's own public methods, one header at a time."""
    for name in drop:
        if name in request.headers:
            del request.headers[name]
    for name, value in headers:
        request.headers[name] = value


def _as_read(request: httpx.Request) -> tuple[dict[str, list[str]], list[tuple[str, str]]]:
    """What httpx reads back: every name's values, and the (lower name, value) pairs in any order."""
    names = {name.lower() for name in request.headers}
    values = {name: request.headers.get_list(name) for name in names}
    return values, sorted((name.lower(), value) for name, value in request.headers.multi_items())


SETS = [
    ([("authorization", "new"), ("x-dup", "3"), ("x-acs-date", "now")], ()),  # same names, other case
    ([("X-New", "a"), ("AUTHORIZATION", "b")], ("keep", "x-absent")),
    ([], ("x-dup",)),
    ([("Keep", "k2"), ("Keep", "k3")], ()),  # set twice: the last wins, as with __setitem__
]


@pytest.mark.parametrize(("headers", "drop"), SETS)
def test_set_headers_reads_back_as_httpx_own_setters(
    headers: list[tuple[str, str]], drop: tuple[str, ...]
) -> None:
    ours, oracle = _request(), _request()
    set_headers(ours, headers, drop=drop)
    _set_one_by_one(oracle, headers, drop)
    assert _as_read(ours) == _as_read(oracle)
    assert ours.headers.raw.count((b"Host", b"example.test")) == 1  # the rest left alone


def test_set_headers_uses_httpx_private_list_of_this_version() -> None:
    """The fast path reads httpx's private `Headers._list`; this fails if httpx changes it (the
    signers then still work, through the fallback below, but slower)."""
    request = _request()
    raw = signing._raw_headers(request)
    assert raw is not None and raw[0] == (b"Host", b"host", b"example.test")
    set_headers(request, [("X-Acs-Date", "now")])
    assert raw[-1] == (b"X-Acs-Date", b"x-acs-date", b"now")


def test_set_headers_falls_back_to_httpx_methods(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(signing, "_raw_headers", lambda request: None)  # as if httpx had changed
    ours, oracle = _request(), _request()
    set_headers(ours, [("authorization", "new"), ("X-New", "a")], drop=("keep",))
    _set_one_by_one(oracle, [("authorization", "new"), ("X-New", "a")], ("keep",))
    assert _as_read(ours) == _as_read(oracle)


def test_set_headers_leaves_text_that_is_not_ascii_to_httpx() -> None:
    ours, oracle = _request(), _request()
    set_headers(ours, [("X-Note", "caf\u00e9"), ("authorization", "new")])
    _set_one_by_one(oracle, [("X-Note", "caf\u00e9"), ("authorization", "new")], ())
    assert _as_read(ours) == _as_read(oracle)
    assert ("x-note", "caf\u00e9") in header_pairs(ours)


def test_header_pairs_without_the_private_list(monkeypatch: pytest.MonkeyPatch) -> None:
    expected = header_pairs(_request())
    monkeypatch.setattr(signing, "_raw_headers", lambda request: None)
    assert header_pairs(_request()) == expected


@pytest.mark.parametrize("stamp", [basic_utc, extended_utc])
def test_a_stamp_follows_the_injected_clock_second_by_second(stamp: Callable[[datetime], str]) -> None:
    """The stamps are remembered per second: each must still change with the injected time."""
    fmt = "%Y%m%dT%H%M%SZ" if stamp is basic_utc else "%Y-%m-%dT%H:%M:%SZ"
    base = datetime(2024, 3, 1, 12, 30, 5, 999_999, tzinfo=UTC)
    moves = [0, 1e-6, 1, 1, -1, -3600, 86400 * 400, 0.5, -1e-6]
    when = base
    for move in moves:
        when += timedelta(seconds=move)
        assert stamp(when) == when.strftime(fmt)
        naive = when.replace(tzinfo=None)
        assert stamp(naive) == when.strftime(fmt)
        east = when.astimezone(timezone(timedelta(hours=8)))
        assert stamp(east) == when.strftime(fmt)


@pytest.mark.parametrize("private", [True, False])
def test_header_pairs_skip_names(private: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    if not private:
        monkeypatch.setattr(signing, "_raw_headers", lambda request: None)
    pairs = header_pairs(_request(), skip={"x-dup", "authorization"})
    kept = [(k, v) for k, v in _request().headers.multi_items() if k not in ("x-dup", "authorization")]
    assert pairs == kept
