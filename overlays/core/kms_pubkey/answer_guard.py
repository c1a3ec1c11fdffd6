"""The answer's size and time: every chunk is checked against the attempt's deadline, a byte
limit (on the wire and after gzip/deflate, decoded here so the limit holds) and a limit on
JSON values, so parsing whatever is accepted takes milliseconds."""

from __future__ import annotations

import zlib
from collections.abc import AsyncIterator, Iterator

import httpx

from kms_pubkey.attempt import Attempt, remaining
from kms_pubkey.errors import ResponseError


def guard_body(response: httpx.Response, state: Attempt, asynchronous: bool) -> None:
    """Read the body through a `_Guard`; decode gzip/deflate ourselves so the cap holds after it."""
    limit = state.limit
    # One pass over the raw pairs: two `Headers.get` would decode and compare every header
    # twice. Repeated headers are joined as `Headers.get` joins them.
    length = encoding = b""
    for name, value in response.headers.raw:
        name = name.lower()
        if name == b"content-length":
            length = length + b", " + value if length else value
        elif name == b"content-encoding":
            encoding = encoding + b", " + value if encoding else value
    if length.isdigit() and int(length[:12]) > limit:
        response.close()
        raise _too_large(state)
    encoding = encoding.strip().lower()
    inflate: _Inflate | None = None
    if encoding in (b"gzip", b"x-gzip", b"deflate"):
        inflate = _Inflate(limit, state)
        del response.headers["content-encoding"]  # httpx must not decode it a second time
    elif encoding not in (b"", b"identity"):
        response.close()
        shown = encoding[:40].decode("latin-1")
        raise UnusableBody(f"{state.what}: the answer uses content encoding {shown!r}")
    guard = _Guard(state, response.request, inflate)
    stream = response.stream  # httpx.ByteStream is both kinds: the client's kind decides
    if isinstance(stream, httpx.AsyncByteStream if asynchronous else httpx.SyncByteStream):
        response.stream = _GuardedStream(stream, guard)


class UnusableBody(ResponseError):
    """A body past a limit: the `ResponseError` of a 2xx; an error answer is decoded without it."""


def bodiless(response: httpx.Response) -> httpx.Response:
    return httpx.Response(
        response.status_code,
        headers=response.headers,
        content=b"",
        request=response.request,
        extensions={"reason_phrase": response.extensions.get("reason_phrase", b"")},
    )


def _too_large(state: Attempt) -> UnusableBody:
    return UnusableBody(f"{state.what}: the answer is larger than {state.limit} bytes, far more than a key")


class _Inflate:
    """gzip or zlib-wrapped deflate, never producing more than the answer's limit."""

    __slots__ = ("_left", "_state", "_zlib")

    def __init__(self, limit: int, state: Attempt) -> None:
        self._zlib = zlib.decompressobj(zlib.MAX_WBITS | 32)  # either header, detected
        self._left, self._state = limit, state

    def feed(self, data: bytes) -> bytes:
        try:
            out = self._zlib.decompress(data, self._left + 1)
        except zlib.error:
            raise UnusableBody(f"{self._state.what}: the answer's compressed body is corrupt") from None
        if len(out) > self._left or self._zlib.unconsumed_tail:
            raise _too_large(self._state)
        self._left -= len(out)
        return out

    def end(self) -> bytes:
        return self.feed(b"") if not self._zlib.eof else b""


class _Guard:
    """Each chunk of the answer: within the attempt's deadline, the size limit and the item limit.

    Items are the bytes that open or separate JSON values (`{`, `[`, `,`). Parsing time grows
    with their number, not only with the bytes: 1 MiB holding 200,000 list items takes the
    generated parser ~0.5 s, which would stall an event loop. A GetPublicKey answer (or an
    error) holds a few dozen; a protobuf answer has these bytes only by chance, a handful.
    Each item is one byte, so no answer shorter than the limit can pass it: the chunks are only
    counted once the bytes seen exceed it (a key answer, a few hundred bytes, never is).
    """

    __slots__ = ("_inflate", "_items", "_raw", "_request", "_seen", "_state", "_uncounted")

    def __init__(self, state: Attempt, request: httpx.Request, inflate: _Inflate | None) -> None:
        self._state, self._request, self._inflate = state, request, inflate
        self._raw = self._items = self._seen = 0
        self._uncounted: list[bytes] = []

    def feed(self, chunk: bytes) -> bytes:
        remaining(self._state, self._request)
        self._raw += len(chunk)
        if self._raw > self._state.limit:
            raise _too_large(self._state)
        return self._count(self._inflate.feed(chunk) if self._inflate is not None else chunk)

    def end(self) -> bytes:
        return self._count(self._inflate.end()) if self._inflate is not None else b""

    def _count(self, data: bytes) -> bytes:
        self._seen += len(data)
        if self._seen <= self._state.items:  # too few bytes to hold too many items: count later, if ever
            self._uncounted.append(data)
            return data
        for chunk in (*self._uncounted, data):
            self._items += chunk.count(b",") + chunk.count(b"[") + chunk.count(b"{")
        self._uncounted.clear()
        if self._items > self._state.items:
            raise UnusableBody(
                f"{self._state.what}: the answer holds more than {self._state.items} values, "
                "far more than a key's"
            )
        return data


class _GuardedStream(httpx.SyncByteStream, httpx.AsyncByteStream):
    """The answer's stream through its guard; the client's kind picks the sync or async side."""

    def __init__(self, inner: httpx.SyncByteStream | httpx.AsyncByteStream, guard: _Guard) -> None:
        self._inner, self._guard = inner, guard

    # No `typing.cast` here: in Python it is a function call, made for every answer.
    def __iter__(self) -> Iterator[bytes]:
        feed = self._guard.feed
        for chunk in self._inner:  # type: ignore[union-attr]
            if out := feed(chunk):
                yield out
        if out := self._guard.end():
            yield out

    async def __aiter__(self) -> AsyncIterator[bytes]:
        feed = self._guard.feed
        async for chunk in self._inner:  # type: ignore[union-attr]
            if out := feed(chunk):
                yield out
        if out := self._guard.end():
            yield out

    def close(self) -> None:
        self._inner.close()  # type: ignore[union-attr]

    async def aclose(self) -> None:
        await self._inner.aclose()  # type: ignore[union-attr]
