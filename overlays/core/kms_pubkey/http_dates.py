"""The two HTTP date grammars the SDK reads: `Retry-After` and a server's `Date` (for clock skew)."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from datetime import UTC, datetime

_DELTA_SECONDS = re.compile(r"[0-9]+", re.ASCII)  # float() takes any length (inf at worst)
_HTTP_DATE = re.compile(
    r"(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), ([0-9]{2}) "
    r"(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) ([0-9]{4}) ([0-9]{2}):([0-9]{2}):([0-9]{2}) GMT",
    re.ASCII,
)
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def parse_retry_after(value: str | None, now: Callable[[], float] = time.time) -> float | None:
    """Retry-After as seconds (RFC 9110 10.2.3): ASCII delta-seconds or an IMF-fixdate; else None.

    Only those two grammars: `str.isdigit` accepts '¹' and `email.utils` accepts loose
    dates, and what either lets through could raise instead of being ignored.
    """
    if not value:
        return None
    value = value.strip(" \t")  # HTTP whitespace only: str.strip() also eats U+00A0 and friends
    if _DELTA_SECONDS.fullmatch(value):
        return float(value)
    when = parse_http_date(value)
    return None if when is None else max(0.0, when.timestamp() - now())


def parse_http_date(value: str | None) -> datetime | None:
    """An IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`, RFC 9110 5.6.7) as UTC; else None.

    The one form every vendor here sends in `Date` and `Retry-After`; the obsolete forms
    and loose variants are not guessed at.
    """
    if not value:
        return None
    found = _HTTP_DATE.fullmatch(value.strip(" \t"))
    if found is None:
        return None
    day, month, year, hour, minute, second = found.groups()
    try:
        return datetime(
            int(year), _MONTHS.index(month) + 1, int(day), int(hour), int(minute), int(second), tzinfo=UTC
        )
    except ValueError:  # 31 Feb, hour 25, year 0...
        return None
