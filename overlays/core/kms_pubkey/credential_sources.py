"""Where a signer takes its credentials from, one consistent set per request: a fixed set
(`StaticSource`) or temporary credentials fetched again before they expire (`RefreshingSource`).

The refresh follows botocore's `RefreshableCredentials`: an *advisory* window of 15 minutes
before expiry, in which one caller refreshes while every other keeps signing with the current
set, and a *mandatory* window of 10 minutes, in which callers wait for that one refresh. Two
choices differ from botocore, and say why:

- a failed refresh, in either window, keeps serving the current set for as long as it has not
  expired (botocore raises in the mandatory window): a set that still works is better than an
  error, and the warning in the log says the provider failed. Only when no valid set is left is
  the failure raised, as `CredentialsError` naming the provider;
- for credentials that live less than twice the advisory window (STS allows 15 minutes), both
  windows shrink in proportion to half the lifetime, so a short-lived set is used for half its
  life instead of being fetched again on every request.

A refresh is single-flight across threads and asyncio tasks: one lock, and callers that
waited on it share the outcome of the fetch that held it, so a crowd at expiry causes one
fetch, and a failing provider is asked once per crowd, not once per caller.
"""

from __future__ import annotations

import logging
import threading
from datetime import datetime, timedelta
from typing import Protocol

from kms_pubkey.credentials import Credentials, Fetcher
from kms_pubkey.errors import CredentialsError, ValidationError
from kms_pubkey.frozen import Frozen
from kms_pubkey.signing import Clock, as_utc, utc_now

ADVISORY_REFRESH = timedelta(minutes=15)
"""botocore's `_DEFAULT_ADVISORY_REFRESH_TIMEOUT`: one caller refreshes, the rest do not wait."""
MANDATORY_REFRESH = timedelta(minutes=10)
"""botocore's `_DEFAULT_MANDATORY_REFRESH_TIMEOUT`: every caller waits for the refresh."""

log = logging.getLogger(__name__)


class CredentialSource(Protocol):
    """What a signer reads its credentials from: one whole set per call, never a mix of two."""

    @property
    def name(self) -> str:
        """Where the credentials come from (a provider's name), for messages and reprs."""
        ...

    @property
    def temporary(self) -> bool:
        """Whether the credentials carry a replayable token (or may, once fetched)."""
        ...

    def get(self) -> Credentials: ...

    async def aget(self) -> Credentials:
        """`get` for the event loop: it never blocks the loop on a fetch."""
        ...

    def secrets(self) -> tuple[str, ...]:
        """The secret and token of the sets served lately, to mask where a service echoes them."""
        ...

    def shown(self) -> tuple[str, str]:
        """(field, value) a repr may show: the access key id, or the provider for fetched sets."""
        ...


class StaticSource:
    """A set given once (arguments, environment, a file): served as it is, never refreshed."""

    def __init__(self, credentials: Credentials) -> None:
        self._credentials = credentials

    @property
    def name(self) -> str:
        return self._credentials.source

    @property
    def temporary(self) -> bool:
        return self._credentials.token is not None

    def get(self) -> Credentials:
        return self._credentials

    async def aget(self) -> Credentials:
        return self._credentials

    def secrets(self) -> tuple[str, ...]:
        return _secrets_of((self._credentials,))

    def shown(self) -> tuple[str, str]:
        return ("access_key_id", self._credentials.access_key_id)

    def __repr__(self) -> str:
        return f"StaticSource(access_key_id={self._credentials.access_key_id!r})"


class _Held(Frozen):
    """A fetched set and the two times its refresh windows open (None: it never expires)."""

    __slots__ = ("advisory_at", "credentials", "mandatory_at")
    credentials: Credentials
    advisory_at: datetime | None
    mandatory_at: datetime | None

    def __init__(
        self, credentials: Credentials, advisory_at: datetime | None, mandatory_at: datetime | None
    ) -> None:
        self._set(credentials=credentials, advisory_at=advisory_at, mandatory_at=mandatory_at)

    def valid(self, now: datetime) -> bool:
        expiry = self.credentials.expiry
        return expiry is None or now < as_utc(expiry)


class RefreshingSource:
    """Temporary credentials from a `Fetcher`, fetched on first use and again before expiry
    (see the module's docstring for the windows, the failure rule and the single flight)."""

    def __init__(
        self,
        fetcher: Fetcher,
        *,
        clock: Clock = utc_now,
        advisory: timedelta = ADVISORY_REFRESH,
        mandatory: timedelta = MANDATORY_REFRESH,
    ) -> None:
        if not timedelta(0) <= mandatory <= advisory:
            raise ValidationError("the refresh windows need 0 <= mandatory <= advisory")
        self._fetcher = fetcher
        self._clock = clock
        self._advisory = advisory
        self._mandatory = mandatory
        self._lock = threading.Lock()  # held for a fetch: threads, and tasks through to_thread
        self._held: _Held | None = None
        self._served: tuple[Credentials, ...] = ()  # the current set and the one before it
        self._attempts = 0  # fetches finished (either way): a waiter sees whether one ran
        self._failure: str | None = None  # why the last fetch failed, for the callers that waited

    @property
    def name(self) -> str:
        return self._fetcher.name

    @property
    def temporary(self) -> bool:
        return True

    def shown(self) -> tuple[str, str]:
        return ("provider", self.name)

    def __repr__(self) -> str:
        return f"RefreshingSource(provider={self.name!r})"

    def secrets(self) -> tuple[str, ...]:
        return _secrets_of(self._served)

    def get(self) -> Credentials:
        return self._current()

    async def aget(self) -> Credentials:
        ready = self._ready()
        if ready is not None:
            return ready
        import asyncio  # here, not at the top: sync-only programs then never import asyncio

        # The same path as `get`, in a worker thread: the fetch is blocking I/O and the lock a
        # thread lock, and neither may stop the event loop.
        return await asyncio.to_thread(self._current)

    def _now(self) -> datetime:
        return as_utc(self._clock())

    def _ready(self) -> Credentials | None:
        """The held set while no refresh window is open: the common case, without the lock."""
        held = self._held
        if held is not None and (held.advisory_at is None or self._now() < held.advisory_at):
            return held.credentials
        return None

    def _current(self) -> Credentials:
        """The held set, refreshed first when a window is open (or fetched, when none is held).
        `_ready` is asked again here: a queued async caller may run after a refresh finished."""
        ready = self._ready()
        if ready is not None:
            return ready
        held = self._held
        if held is not None and held.mandatory_at is not None and self._now() < held.mandatory_at:
            # Advisory window: whoever gets the lock refreshes; nobody waits for it.
            if self._lock.acquire(blocking=False):
                try:
                    if self._held is held:
                        self._fetch()
                finally:
                    self._lock.release()
            return self._usable()
        seen = self._attempts
        with self._lock:
            current = self._held
            if self._attempts == seen and (
                current is None or current.mandatory_at is None or self._now() >= current.mandatory_at
            ):
                self._fetch()  # no fetch ended while this caller waited: this one is the flight
            return self._usable()

    def _usable(self) -> Credentials:
        held = self._held
        if held is not None and held.valid(self._now()):
            return held.credentials
        raise CredentialsError(self._failure or f"{self.name}: the credentials expired")

    def _fetch(self) -> None:
        """One fetch, under the lock. A failure is kept for `_usable` to raise when no valid
        set is left; while one is, it is only logged."""
        try:
            fresh = self._fetcher.fetch()
            failure = self._refused(fresh)
        except CredentialsError as exc:
            failure = str(exc)
        except Exception as exc:  # a provider's bug: its message may hold what it read
            failure = f"{self.name}: fetching credentials failed ({type(exc).__name__})"
        self._attempts += 1
        self._failure = failure
        if failure is not None:
            held = self._held
            if held is not None and held.valid(self._now()):
                expiry = held.credentials.expiry
                until = expiry.isoformat() if expiry is not None else "they expire"
                log.warning(
                    "refreshing credentials failed (%s); using the current ones until %s", failure, until
                )
            return
        now = self._now()
        self._held = self._windows(fresh, now)
        self._served = (fresh, *self._served[:1])

    def _refused(self, fresh: object) -> str | None:
        if not isinstance(fresh, Credentials):
            return f"{self.name}: the provider gave no credentials ({type(fresh).__name__})"
        if fresh.expiry is not None and as_utc(fresh.expiry) <= self._now():
            return f"{self.name}: the credentials it gave expired at {as_utc(fresh.expiry).isoformat()}"
        return None

    def _windows(self, fresh: Credentials, now: datetime) -> _Held:
        if fresh.expiry is None:
            return _Held(fresh, None, None)
        expiry = as_utc(fresh.expiry)
        scale = min(1.0, (expiry - now) / (2 * self._advisory)) if self._advisory else 1.0
        return _Held(fresh, expiry - self._advisory * scale, expiry - self._mandatory * scale)


def _secrets_of(sets: tuple[Credentials, ...]) -> tuple[str, ...]:
    return tuple(value for c in sets for value in (c.secret, c.token) if value)


def source_for(found: Credentials | Fetcher, clock: Clock = utc_now) -> CredentialSource:
    """The source for what a credential chain found: a fixed set, or a provider to fetch from."""
    if isinstance(found, Fetcher):
        return RefreshingSource(found, clock=clock)
    return StaticSource(found)
