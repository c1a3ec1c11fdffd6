"""Small pieces every vendor's request signer needs, kept once here."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from urllib.parse import unquote, unquote_plus

import httpx


def utc_now() -> datetime:
    """The default signing clock; signers take it injected so retries and tests control time."""
    return datetime.now(UTC)


def as_utc(now: datetime) -> datetime:
    """`now` in UTC. A naive time is taken as UTC, as `datetime.utcnow()` gives it, never as
    local time (which would sign hours off outside UTC)."""
    if now.tzinfo is None:
        return now.replace(tzinfo=UTC)
    return now.astimezone(UTC)


def basic_utc(now: datetime) -> str:
    """`20240301T123005Z` (AWS X-Amz-Date, Huawei X-Sdk-Date). Formatted by hand: strftime
    is the slowest step of a signature."""
    t = as_utc(now)
    return f"{t.year:04d}{t.month:02d}{t.day:02d}T{t.hour:02d}{t.minute:02d}{t.second:02d}Z"


def extended_utc(now: datetime) -> str:
    """`2024-03-01T12:30:05Z` (Alibaba x-acs-date and Timestamp)."""
    t = as_utc(now)
    return f"{t.year:04d}-{t.month:02d}-{t.day:02d}T{t.hour:02d}:{t.minute:02d}:{t.second:02d}Z"


def header_pairs(request: httpx.Request) -> list[tuple[str, str]]:
    """The request's headers as (lower-case name, value), in order, repeats kept.

    Read from the raw pairs: httpx's decoded views re-detect the encoding on every access.
    """
    return [(name.decode("ascii").lower(), value.decode("utf-8")) for name, value in request.headers.raw]


def remove_headers(request: httpx.Request, names: Iterable[str]) -> None:
    """Delete the named headers (lower-case names) where present, so a re-sign starts clean."""
    wanted = set(names)
    for name in {n.decode("ascii").lower() for n, _ in request.headers.raw} & wanted:
        del request.headers[name]


def split_target(request: httpx.Request) -> tuple[str, str]:
    """(raw path, raw query) as they go on the wire, still percent-encoded."""
    path, _, query = request.url.raw_path.decode("ascii").partition("?")
    return path, query


def parse_query(raw: str, *, plus_as_space: bool = False) -> list[tuple[str, str]]:
    """Split a raw (percent-encoded) query string into decoded pairs, keeping blank values.

    httpx writes a space in a query parameter as `+`; a signer whose service reads the
    query form-encoded (Alibaba) must decode it back with `plus_as_space`.
    """
    decode = unquote_plus if plus_as_space else unquote
    pairs = []
    for part in raw.split("&"):
        if not part:
            continue
        key, _, value = part.partition("=")
        pairs.append((decode(key), decode(value)))
    return pairs
