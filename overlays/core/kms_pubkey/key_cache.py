"""`KeyCache`: public keys by URI, so a service does not call KMS per request.

What it keeps, and for how long:
- a key whose public key can never change (`KeyUri.immutable`: an AWS key id or key ARN, an
  Alibaba key id with its version) until the size bound evicts it;
- any other key (an alias, which can be re-pointed; a key without a version) for `alias_ttl`
  seconds, 300 by default as cosign keeps its keys, so a re-pointed alias or a disabled key
  is seen within that time;
- a `NotFoundError` for `error_ttl` seconds, so a caller asking again and again for a missing
  key does not call KMS each time.

When refreshing an expired entry fails for a reason that says nothing about the key (no
answer, throttling, a 5xx), the old key is served again (stale-if-error) and the refresh is
retried after `error_ttl`, for at most `max_stale` seconds past the entry's expiry; after that
the error is raised. An answer about the key itself (not found, disabled, access denied) is
raised at once and the entry dropped.

Loads are single-flight: while one key is being fetched, every other `get`/`aget` of it, from
any thread or event loop, waits for that one fetch. The cache is thread-safe; one lock
guards its tables and is never held during a fetch.
"""

from __future__ import annotations

import contextlib
import math
import sys
import threading
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from kms_pubkey.errors import (
    ApiError,
    KmsError,
    NotFoundError,
    ThrottlingError,
    TransportError,
    ValidationError,
)
from kms_pubkey.frozen import Frozen
from kms_pubkey.key_uri import KeyUri, parse_key_uri
from kms_pubkey.public_key import PublicKey

if TYPE_CHECKING:
    import asyncio  # imported when first used: a sync service should not pay for asyncio

DEFAULT_ALIAS_TTL = 300.0
DEFAULT_ERROR_TTL = 10.0
DEFAULT_MAX_STALE = 3600.0
DEFAULT_MAX_ENTRIES = 1024


class CacheStats(Frozen):
    """Counts since the cache was made. `misses` counts calls that found no fresh entry (each
    waiter on a load among them); `loads` the fetches made; `errors` the fetches that failed;
    `stale` the calls answered with an expired key because its refresh failed."""

    __slots__ = ("errors", "hits", "loads", "misses", "size", "stale")
    hits: int
    misses: int
    loads: int
    errors: int
    stale: int
    size: int

    def __init__(self, hits: int, misses: int, loads: int, errors: int, stale: int, size: int) -> None:
        self._set(hits=hits, misses=misses, loads=loads, errors=errors, stale=stale, size=size)


class _Entry:
    __slots__ = ("error", "fresh_until", "key", "stale_until")

    def __init__(
        self, key: PublicKey | None, error: NotFoundError | None, fresh_until: float, stale_until: float
    ) -> None:
        self.key = key
        self.error = error
        self.fresh_until = fresh_until
        self.stale_until = stale_until

    def answer(self) -> PublicKey:
        if self.key is None:
            assert self.error is not None
            raise _fresh(self.error)
        return self.key


class _Flight:
    """One fetch in progress and everyone waiting for it."""

    __slots__ = ("done", "error", "key", "loop", "waiters")

    def __init__(self) -> None:
        self.done = threading.Event()
        self.key: PublicKey | None = None
        self.error: BaseException | None = None
        self.waiters: list[tuple[asyncio.AbstractEventLoop, asyncio.Future[PublicKey]]] = []
        self.loop: asyncio.AbstractEventLoop | None = None
        """The event loop whose task runs the fetch, if an `aget` started it."""

    def answer(self) -> PublicKey:
        if self.error is not None:
            raise _fresh(self.error)
        assert self.key is not None
        return self.key


def _fresh(error: BaseException) -> BaseException:
    """One error raised to many callers: each raise would otherwise add its frames to the last's."""
    return error.with_traceback(None)


def _running_loop() -> asyncio.AbstractEventLoop | None:
    """This thread's running event loop, without importing asyncio where nothing uses it."""
    module = sys.modules.get("asyncio")
    if module is None:
        return None
    try:
        loop: asyncio.AbstractEventLoop = module.get_running_loop()
    except RuntimeError:
        return None
    return loop


def _transient(error: BaseException) -> bool:
    """A failure that says nothing about the key, so an old copy may still be served."""
    if isinstance(error, (TransportError, ThrottlingError)):
        return True
    return isinstance(error, ApiError) and error.status_code is not None and error.status_code >= 500


def _resolve(future: asyncio.Future[PublicKey], flight: _Flight) -> None:
    if future.done():  # the waiter was cancelled
        return
    if flight.error is not None:
        future.set_exception(flight.error)
    else:
        assert flight.key is not None
        future.set_result(flight.key)


class KeyCache:
    """Public keys by key URI; see the module docstring. `client_options` go to `fetch`/`afetch`.

    `load`/`aload` replace `kms_pubkey.fetch`/`afetch` (e.g. to use a client you already
    have); `clock` (seconds, monotonic) is there for tests.
    """

    def __init__(
        self,
        *,
        alias_ttl: float = DEFAULT_ALIAS_TTL,
        error_ttl: float = DEFAULT_ERROR_TTL,
        max_stale: float = DEFAULT_MAX_STALE,
        max_entries: int = DEFAULT_MAX_ENTRIES,
        load: Callable[[KeyUri], PublicKey] | None = None,
        aload: Callable[[KeyUri], Awaitable[PublicKey]] | None = None,
        clock: Callable[[], float] = time.monotonic,
        **client_options: Any,
    ) -> None:
        for name, value in (("alias_ttl", alias_ttl), ("error_ttl", error_ttl), ("max_stale", max_stale)):
            if not isinstance(value, (int, float)) or not (value >= 0 and math.isfinite(value)):
                raise ValidationError(f"{name} must be a finite number of seconds >= 0")
        if not isinstance(max_entries, int) or max_entries < 1:
            raise ValidationError("max_entries must be a whole number >= 1")
        self.alias_ttl = float(alias_ttl)
        self.error_ttl = float(error_ttl)
        self.max_stale = float(max_stale)
        self.max_entries = max_entries
        self._load = load or self._fetch
        self._aload = aload or self._afetch
        self._options = client_options
        self._clock = clock
        self._lock = threading.Lock()
        self._entries: OrderedDict[str, _Entry] = OrderedDict()
        self._flights: dict[str, _Flight] = {}
        # Async loads run as tasks of their own, so a cancelled caller cannot stop a shared load.
        self._tasks: set[asyncio.Task[None]] = set()
        self._hits = self._misses = self._loads = self._errors = self._stale = 0

    def __repr__(self) -> str:
        size, ttl = len(self._entries), self.alias_ttl
        return f"KeyCache(size={size}, alias_ttl={ttl:g}, max_entries={self.max_entries})"

    def get(self, uri: str | KeyUri) -> PublicKey:
        """The public key `uri` names, from the cache or fetched once."""
        text = str(uri)
        found, flight, owner = self._lookup(text)
        if found is not None:
            return found.answer()
        assert flight is not None
        if owner:
            self._run(text, uri, flight)
        elif flight.loop is not None and flight.loop is _running_loop():
            # Waiting here would block the very loop that runs the fetch: it could never finish.
            raise ValidationError(
                f"KeyCache.get({text!r}) inside the event loop fetching it: use await aget()"
            )
        flight.done.wait()
        return flight.answer()

    async def aget(self, uri: str | KeyUri) -> PublicKey:
        """The async twin of `get`."""
        import asyncio

        text = str(uri)
        found, flight, owner = self._lookup(text)
        if found is not None:
            return found.answer()
        assert flight is not None
        loop = asyncio.get_running_loop()
        if owner:
            flight.loop = loop
            task = loop.create_task(self._arun(text, uri, flight))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        future: asyncio.Future[PublicKey] = loop.create_future()
        with self._lock:
            finished = flight.done.is_set()
            if not finished:
                flight.waiters.append((loop, future))
        if finished:  # a thread's fetch ended between the lookup and now
            return flight.answer()
        return await future

    def stats(self) -> CacheStats:
        with self._lock:
            counts = (self._hits, self._misses, self._loads, self._errors, self._stale)
            return CacheStats(*counts, size=len(self._entries))

    def _lookup(self, text: str) -> tuple[_Entry | None, _Flight | None, bool]:
        """(a fresh entry) or (the flight to wait for, whether this caller runs it)."""
        with self._lock:
            entry = self._entries.get(text)
            if entry is not None and self._clock() < entry.fresh_until:
                self._hits += 1
                self._entries.move_to_end(text)
                return entry, None, False
            self._misses += 1
            flight = self._flights.get(text)
            if flight is not None:
                return None, flight, False
            flight = self._flights[text] = _Flight()
            return None, flight, True

    def _run(self, text: str, uri: str | KeyUri, flight: _Flight) -> None:
        parsed: KeyUri | None = None
        key: PublicKey | None = None
        error: BaseException | None = None
        try:
            parsed = self._parse(uri)
            key = self._load(parsed)
        except BaseException as exc:  # every waiter must be woken, whatever happened
            error = exc
        self._settle(text, flight, parsed, key, error)

    async def _arun(self, text: str, uri: str | KeyUri, flight: _Flight) -> None:
        parsed: KeyUri | None = None
        key: PublicKey | None = None
        error: BaseException | None = None
        try:
            parsed = self._parse(uri)
            key = await self._aload(parsed)
        except BaseException as exc:
            error = exc
        self._settle(text, flight, parsed, key, error)

    def _parse(self, uri: str | KeyUri) -> KeyUri:
        parsed = parse_key_uri(uri)
        with self._lock:
            self._loads += 1
        return parsed

    def _settle(
        self,
        text: str,
        flight: _Flight,
        parsed: KeyUri | None,
        key: PublicKey | None,
        error: BaseException | None,
    ) -> None:
        """Record the fetch's outcome, then wake every waiter. `parsed` is None for a bad URI."""
        with self._lock:
            now = self._clock()
            old = self._entries.get(text)
            if parsed is not None and key is not None:
                fresh = math.inf if parsed.immutable else now + self.alias_ttl
                self._store(text, _Entry(key, None, fresh, fresh + self.max_stale))
                flight.key = key
            elif parsed is not None and isinstance(error, KmsError):
                self._errors += 1
                if isinstance(error, NotFoundError):
                    until = now + self.error_ttl
                    self._store(text, _Entry(None, error, until, until))
                    flight.error = error
                elif _transient(error) and old is not None and old.key is not None and now < old.stale_until:
                    self._stale += 1
                    old.fresh_until = min(now + self.error_ttl, old.stale_until)
                    flight.key = old.key
                else:
                    self._entries.pop(text, None)
                    flight.error = error
            else:
                flight.error = error  # a bad URI, or not ours (a bug, KeyboardInterrupt): not remembered
            del self._flights[text]
            flight.done.set()
            waiters, flight.waiters = flight.waiters, []
        for loop, future in waiters:
            with contextlib.suppress(RuntimeError):  # a closed loop: nobody is left to wake there
                loop.call_soon_threadsafe(_resolve, future, flight)

    def _store(self, text: str, entry: _Entry) -> None:
        self._entries[text] = entry
        self._entries.move_to_end(text)
        while len(self._entries) > self.max_entries:
            self._entries.popitem(last=False)

    def _fetch(self, uri: KeyUri) -> PublicKey:
        from kms_pubkey.uri_fetch import fetch

        return fetch(uri, **self._options)

    async def _afetch(self, uri: KeyUri) -> PublicKey:
        from kms_pubkey.uri_fetch import afetch

        return await afetch(uri, **self._options)
