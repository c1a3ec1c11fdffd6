"""Small pieces every vendor's request signer needs, kept once here."""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import unquote


def utc_now() -> datetime:
    """The default signing clock; signers take it injected so retries and tests control time."""
    return datetime.now(UTC)


def as_utc(now: datetime) -> datetime:
    """`now` in UTC. A naive time is taken as UTC, as `datetime.utcnow()` gives it, never as
    local time (which would sign hours off outside UTC)."""
    if now.tzinfo is None:
        return now.replace(tzinfo=UTC)
    return now.astimezone(UTC)


def utc_stamp(now: datetime, fmt: str) -> str:
    return as_utc(now).strftime(fmt)


def parse_query(raw: str) -> list[tuple[str, str]]:
    """Split a raw (percent-encoded) query string into decoded pairs, keeping blank values."""
    pairs = []
    for part in raw.split("&"):
        if not part:
            continue
        key, _, value = part.partition("=")
        pairs.append((unquote(key), unquote(value)))
    return pairs
