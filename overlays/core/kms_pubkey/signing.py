"""The signing kit: every step the vendors' request signers share, kept once here.

A signer module (AWS SigV4, Alibaba ACS3 and RPC, the KMS-instance gateway, Huawei AK/SK)
holds only its own algorithm's rules and takes these for the rest: RFC 3986 encoding, the
canonical query, hashes and HMACs, the date stamps, and reading an httpx request.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
from collections.abc import AsyncGenerator, Callable, Collection, Generator, Iterable
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from itertools import chain
from typing import TYPE_CHECKING, ClassVar
from urllib.parse import quote, unquote, unquote_plus

import httpx

from kms_pubkey.credentials import Credentials

if TYPE_CHECKING:
    from kms_pubkey.credential_sources import CredentialSource

# -- encoding ---------------------------------------------------------------------------------

# AWS (botocore `quote(v, safe="-_.~")`), both Alibaba signatures (`quote(v, safe="~")` plus the
# documented `+`/`*`/`%7E` fix-ups) and Huawei (`quote(v, safe="~")`) all keep exactly the RFC 3986
# unreserved characters; Python's quote() keeps `-_.~` always, so the rules are one rule.
_UNRESERVED = re.compile(r"[A-Za-z0-9_.~-]*")
_UNRESERVED_OR_SLASH = re.compile(r"[A-Za-z0-9_.~/-]*")


def percent_encode(value: str, *, keep_slash: bool = False) -> str:
    """RFC 3986: A-Z a-z 0-9 - _ . ~ (and '/' with `keep_slash`, for paths) stay; every other
    character is its UTF-8 bytes as upper-case %XX (space %20, '*' %2A)."""
    if keep_slash:
        if _UNRESERVED_OR_SLASH.fullmatch(value):
            return value
        return quote(value, safe="/")
    if _UNRESERVED.fullmatch(value):  # ids and names usually are: skip quote(), the slow path
        return value
    return quote(value, safe="")


Pairs = Iterable[tuple[str, str]]
"""(name, value) pairs: a query's parameters or a request's headers, repeats kept."""
Canonical = tuple[str, str]
"""(canonical request, signed-headers list): what every HMAC scheme here signs, and names."""


def canonical_request(method: str, uri: str, query: str, headers: Canonical, payload_hash: str) -> Canonical:
    """The six-line canonical request of SigV4, ACS3 and Huawei's SDK-HMAC-SHA256 alike, from
    the parts each scheme canonicalises its own way; `headers` is (header block, signed list)."""
    block, signed = headers
    return "\n".join([method.upper(), uri, query, block, signed, payload_hash]), signed


def canonical_query(pairs: Iterable[tuple[str, str]], *, sort_decoded: bool = False) -> str:
    """`name=value&...` from decoded pairs, both parts percent-encoded.

    Sorted by the encoded pairs (AWS, Alibaba), or by the decoded pairs with `sort_decoded`
    (Huawei's rule; the two orders differ for non-ASCII text).
    """
    pairs = sorted(pairs)
    if _UNRESERVED.fullmatch("".join(chain.from_iterable(pairs))):
        # Ids and names usually are unreserved: then encoding changes nothing, both orders agree,
        # and one scan of all the text replaces four per pair.
        return "&".join(map("=".join, pairs))
    if sort_decoded:
        return "&".join(f"{percent_encode(name)}={percent_encode(value)}" for name, value in pairs)
    encoded = sorted((percent_encode(name), percent_encode(value)) for name, value in pairs)
    return "&".join(f"{name}={value}" for name, value in encoded)


def canonical_headers(
    pairs: Iterable[tuple[str, str]],
    *,
    clean: Callable[[str], str] = str.strip,
    join: Callable[[list[str]], str] = ",".join,
    normalized: bool = False,
) -> tuple[str, str]:
    """(canonical header block, signed header list): names lower-cased and sorted.

    The vendors differ only in how a value is cleaned and how a repeated name's values join.
    `normalized` says the names are lower-case and trimmed and the values cleaned already.
    """
    items = pairs if isinstance(pairs, list) else list(pairs)
    if normalized:
        ordered = sorted(items)
        fields = dict(ordered)
        if len(fields) == len(items):  # no name repeated, the usual case: sorting pairs sorts names
            return "".join([f"{name}:{value}\n" for name, value in ordered]), ";".join(fields)
    else:
        fields = {name.lower().strip(): clean(value) for name, value in items}
        if len(fields) == len(items):
            names = sorted(fields)
            return "".join([f"{name}:{fields[name]}\n" for name in names]), ";".join(names)
    merged: dict[str, list[str]] = {}
    for name, value in items:  # in the given order, which a repeated name's values keep
        merged.setdefault(name.lower().strip(), []).append(clean(value))
    names = sorted(merged)
    return "".join(f"{name}:{join(merged[name])}\n" for name in names), ";".join(names)


# -- hashes -----------------------------------------------------------------------------------

EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()


def sha256_hex(data: bytes | str) -> str:
    """Lower-case hex SHA-256; text is hashed as UTF-8."""
    if isinstance(data, str):
        data = data.encode("utf-8")
    return hashlib.sha256(data).hexdigest()


@lru_cache(maxsize=32)
def _keyed(key: bytes, algorithm: str) -> hmac.HMAC:
    """An HMAC with only the key in: setting a key up (two padded blocks hashed) costs more than
    a short message, and a signer uses one key for every request, so each signature starts
    from a copy of this. A few recent keys are kept, as SigV4's day keys are."""
    return hmac.new(key, digestmod=algorithm)


def _hmac(key: bytes | str, text: str, algorithm: str) -> hmac.HMAC:
    if isinstance(key, str):
        key = key.encode("utf-8")
    mac = _keyed(key, algorithm).copy()
    mac.update(text.encode("utf-8"))
    return mac


def hmac_raw(key: bytes | str, text: str, algorithm: str = "sha256") -> bytes:
    """HMAC of UTF-8 `text`; a text key is taken as UTF-8 too."""
    return _hmac(key, text, algorithm).digest()


def hmac_hex(key: bytes | str, text: str, algorithm: str = "sha256") -> str:
    """`hmac_raw` as lower-case hex."""
    return _hmac(key, text, algorithm).hexdigest()


def new_nonce() -> str:
    """A fresh, unguessable signature nonce (a gateway refuses a nonce it has seen).

    What `secrets.token_hex(16)` gives, without its two extra calls."""
    return os.urandom(16).hex()


# -- dates ------------------------------------------------------------------------------------
# Formatted by hand: strftime is the slowest step of a signature, and %a/%b follow the locale.

BASIC_FORMAT = "%Y%m%dT%H%M%SZ"  # AWS X-Amz-Date, Huawei X-Sdk-Date; its first 8 characters are %Y%m%d
EXTENDED_FORMAT = "%Y-%m-%dT%H:%M:%SZ"  # Alibaba x-acs-date and RPC Timestamp
HTTP_DATE_FORMAT = "%a, %d %b %Y %H:%M:%S GMT"  # RFC 1123 in English: the KMS-instance `date` header
_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


Clock = Callable[[], datetime]
"""What every signer and credential source reads the time from (injected in tests)."""


def utc_now() -> datetime:
    """The default signing clock; signers take it injected so retries and tests control time."""
    return datetime.now(UTC)


def as_utc(now: datetime) -> datetime:
    """`now` in UTC. A naive time is taken as UTC, as `datetime.utcnow()` gives it, never as
    local time (which would sign hours off outside UTC)."""
    if now.tzinfo is UTC:  # what utc_now gives: nothing to convert
        return now
    if now.tzinfo is None:
        return now.replace(tzinfo=UTC)
    return now.astimezone(UTC)


def _iso_seconds(now: datetime) -> str:
    """`2024-03-01T12:30:05` in UTC: datetime's own (C) formatting, the offset cut off
    (a year is always four digits there, so the first 19 characters are exactly these)."""
    return as_utc(now).isoformat(timespec="seconds")[:19]


_SECOND = timedelta(seconds=1)
_NEVER = datetime.min.replace(tzinfo=UTC)


def _once_per_second(render: Callable[[datetime], str]) -> Callable[[datetime], str]:
    """`render` (of a whole UTC second) remembered for the last second it was asked about.

    Signers stamp every request and many fall in the same second. The remembered second is
    the one of the injected time it was computed from (never a wall clock), so a clock that
    moves, forwards or back, gets its own stamp. One tuple, replaced whole: safe across threads.
    """
    last = (_NEVER, _NEVER, "")  # [start, end) of the remembered second, and its stamp

    def stamp(now: datetime) -> str:
        nonlocal last
        utc = now if now.tzinfo is UTC else as_utc(now)
        start, end, text = last
        if start <= utc < end:
            return text
        start = utc.replace(microsecond=0)
        text = render(start)
        last = (start, start + _SECOND, text)
        return text

    stamp.__doc__ = render.__doc__
    return stamp


@_once_per_second
def basic_utc(now: datetime) -> str:
    """`20240301T123005Z` (BASIC_FORMAT)."""
    return _iso_seconds(now).replace("-", "").replace(":", "") + "Z"


@_once_per_second
def extended_utc(now: datetime) -> str:
    """`2024-03-01T12:30:05Z` (EXTENDED_FORMAT)."""
    return _iso_seconds(now) + "Z"


def http_date(now: datetime) -> str:
    """`Fri, 01 Mar 2024 12:30:05 GMT` (HTTP_DATE_FORMAT, English whatever the locale)."""
    t = as_utc(now)
    return (
        f"{_WEEKDAYS[t.weekday()]}, {t.day:02d} {_MONTHS[t.month - 1]} {t.year:04d} "
        f"{t.hour:02d}:{t.minute:02d}:{t.second:02d} GMT"
    )


# -- reading and writing an httpx request -----------------------------------------------------


_RawHeaders = list[tuple[bytes, bytes, bytes]]


def _raw_headers(request: httpx.Request) -> _RawHeaders | None:
    """httpx's own list behind `request.headers`: (name as given, lower-case name, value) bytes.

    Private to httpx (`Headers._list`, the same in 0.27 and 0.28), so it is read in this one
    place and its shape checked on every use: if httpx changes it, the callers fall back to
    the public `Headers` methods (slower: each scans and re-encodes the whole list).
    """
    items = getattr(request.headers, "_list", None)
    if type(items) is not list or not items:  # a request always has at least its Host header
        return None
    first = items[0]
    if (
        type(first) is not tuple
        or len(first) != 3
        or type(first[1]) is not bytes
        or first[1] != first[0].lower()
    ):
        return None
    return items


def header_pairs(request: httpx.Request, skip: Collection[str] = ()) -> list[tuple[str, str]]:
    """The request's headers as (lower-case name, value), in order, repeats kept, without the
    `skip` names (lower-case: a signer's own headers from an earlier attempt).

    Read from the raw pairs: httpx's decoded views re-detect the encoding on every access.
    """
    raw = _raw_headers(request)
    if raw is None:
        pairs = [(name.decode("ascii").lower(), value) for name, value in request.headers.raw]
        return [(name, value.decode("utf-8")) for name, value in pairs if name not in skip]
    return [
        (name, value.decode("utf-8"))
        for _, lower, value in raw
        if (name := lower.decode("ascii")) not in skip
    ]


def signable_pairs(request: httpx.Request, prefix: str, skip: Collection[str] = ()) -> list[tuple[str, str]]:
    """`header_pairs` of only the headers a signer here signs: host, content-type and the names
    starting with `prefix` (`x-amz-`, `x-acs-`, `x-`), without the `skip` names.

    The names are picked on the raw bytes, so only the signed ones are decoded.
    """
    raw = _raw_headers(request)
    if raw is None:
        return [
            (name, value)
            for name, value in header_pairs(request, skip)
            if name == "host" or name == "content-type" or name.startswith(prefix)
        ]
    start = prefix.encode("ascii")
    return [
        (name, value.decode("utf-8"))
        for _, lower, value in raw
        if (lower == b"host" or lower == b"content-type" or lower.startswith(start))
        and (name := lower.decode("ascii")) not in skip
    ]


def set_headers(request: httpx.Request, headers: Iterable[tuple[str, str]], drop: Iterable[str] = ()) -> None:
    """Set each of `headers` on the request, replacing any header of that name (in any case),
    and delete the `drop` names (lower-case) where present.

    One pass over httpx's header list, where `request.headers[name] = value` makes one per
    header. Text that is not ASCII (which httpx may encode otherwise) takes httpx's own path.
    """
    headers = list(headers)
    raw = _raw_headers(request)
    if raw is not None:
        try:
            added = [  # an ASCII name lower-cases the same as bytes
                (raw_name := name.encode("ascii"), raw_name.lower(), value.encode("ascii"))
                for name, value in headers
            ]
        except UnicodeEncodeError:
            raw = None
    if raw is None:
        for name in drop:
            if name in request.headers:
                del request.headers[name]
        for name, value in headers:
            request.headers[name] = value
        return
    gone = {lower for _, lower, _ in added}
    if len(gone) != len(added):  # a name given twice: the last wins, as with `headers[name] = ...`
        added = list({item[1]: item for item in added}.values())
    for name in drop:
        gone.add(name.encode("ascii"))
    raw[:] = [item for item in raw if item[1] not in gone]
    raw += added


def split_target(request: httpx.Request) -> tuple[str, str]:
    """(raw path, raw query) as they go on the wire, still percent-encoded."""
    path, _, query = request.url.raw_path.decode("ascii").partition("?")
    return path, query


def parse_query(raw: str, *, plus_as_space: bool = False) -> list[tuple[str, str]]:
    """Split a raw (percent-encoded) query string into decoded pairs, keeping blank values.

    httpx writes a space in a query parameter as `+`; a signer whose service reads the
    query form-encoded (Alibaba) must decode it back with `plus_as_space`.
    """
    if "%" not in raw and not (plus_as_space and "+" in raw):  # nothing to decode: ids, names
        return [(key, value) for key, _, value in (part.partition("=") for part in raw.split("&") if part)]
    decode = unquote_plus if plus_as_space else unquote
    pairs = []
    for part in raw.split("&"):
        if not part:
            continue
        key, _, value = part.partition("=")
        pairs.append((decode(key), decode(value)))
    return pairs


# One or more `name=value` of unreserved text only: what a query of ids and names is. A pattern
# string, compiled (and cached by `re`) on first use: only ACS3 signs raw queries, so AWS and
# Huawei cold starts never pay for compiling it.
_PLAIN_QUERY = r"[A-Za-z0-9_.~-]*=[A-Za-z0-9_.~-]*(?:&[A-Za-z0-9_.~-]*=[A-Za-z0-9_.~-]*)*"


def canonical_raw_query(raw: str, *, plus_as_space: bool = False) -> str:
    """`canonical_query(parse_query(raw, plus_as_space=...))`, straight from the raw query when
    every name and value is unreserved text: then nothing decodes or encodes to anything else.

    The parts are sorted as they stand, with '=' swapped for NUL while sorting: NUL sorts below
    every unreserved character, so a name sorts before its value exactly as the pairs do.
    """
    if not raw:  # every POST of a JSON API
        return ""
    if re.fullmatch(_PLAIN_QUERY, raw):
        return "&".join(sorted(raw.replace("=", "\x00").split("&"))).replace("\x00", "=")
    return canonical_query(parse_query(raw, plus_as_space=plus_as_space))


# -- the httpx adapter ------------------------------------------------------------------------


class SignerAuth(httpx.Auth):
    """The httpx adapter every access-key signer shares. Each attempt (a retry, a clock-skew
    resend) takes one credentials snapshot from the source, so the key id, secret and token in
    a request always belong together, then calls the signer's pure step `sign`.

    The sync flow reads the source with `get`, the async one with `await aget`, so a refresh
    never blocks the event loop. The clock is kept as `_clock` (the client wraps it to correct
    clock skew). The repr names the access key id, or the provider of fetched credentials.
    """

    requires_request_body = True  # every signature but Alibaba's RPC one hashes the body
    uses_nonce: ClassVar[bool] = False
    """True for a signature that carries a nonce (Alibaba's); the others' `sign` gets ""."""
    shown_fields: ClassVar[tuple[str, ...]] = ()
    """The signer's own attributes (without their leading `_`) that its repr shows."""

    def __init__(
        self,
        credentials: Credentials | CredentialSource,
        *,
        clock: Clock = utc_now,
        nonce: Callable[[], str] = new_nonce,
    ) -> None:
        from kms_pubkey.credential_sources import StaticSource  # it imports this module's clock

        self._source: CredentialSource = (
            StaticSource(credentials) if isinstance(credentials, Credentials) else credentials
        )
        self._clock = clock
        self._nonce = nonce

    def sign(self, request: httpx.Request, credentials: Credentials, now: datetime, nonce: str) -> None:
        """Sign `request` in place with exactly these credentials; no I/O."""
        raise NotImplementedError

    def __repr__(self) -> str:
        pairs = [self._source.shown(), *((name, getattr(self, "_" + name)) for name in self.shown_fields)]
        return f"{type(self).__name__}({', '.join(f'{name}={value!r}' for name, value in pairs)})"

    def _signed(self, request: httpx.Request, credentials: Credentials) -> httpx.Request:
        self.sign(request, credentials, self._clock(), self._nonce() if self.uses_nonce else "")
        return request

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        yield self._signed(request, self._source.get())

    def sync_auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        if self.requires_request_body:
            request.read()
        yield self._signed(request, self._source.get())

    async def async_auth_flow(self, request: httpx.Request) -> AsyncGenerator[httpx.Request, httpx.Response]:
        if self.requires_request_body:
            await request.aread()
        yield self._signed(request, await self._source.aget())
