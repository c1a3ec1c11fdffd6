"""The refreshing credentials core: windows, failures, single flight, secrets.

Time is an injected clock. Expected refresh times are computed here from the documented rule
(botocore's 15 and 10 minutes, shrunk to half a short lifetime), not read from the source.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kms_pubkey import CredentialsError, KmsError
from kms_pubkey.credential_sources import RefreshingSource, StaticSource, source_for
from kms_pubkey.credentials import Credentials, Fetcher

START = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)
SECRET_MARK = "s3cr3t-value"
TOKEN_MARK = "t0ken-value"
PROVIDER = "test metadata"


class Clock:
    def __init__(self, now: datetime = START) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, delta: timedelta) -> None:
        self.now += delta


class Provider:
    """A fetcher that counts its calls; each set it gives is numbered and lives `lifetime`."""

    def __init__(
        self,
        clock: Clock,
        lifetime: timedelta | None = HOUR,
        *,
        pause: float = 0.0,
        gate: threading.Event | None = None,
    ) -> None:
        self.clock = clock
        self.lifetime = lifetime
        self.pause = pause
        self.gate = gate
        self.calls = 0
        self.fail: Exception | None = None
        self._count = threading.Lock()

    def __call__(self) -> Credentials:
        with self._count:
            self.calls += 1
            number = self.calls
        if self.gate is not None:
            assert self.gate.wait(10), "the gate was never opened"
        if self.pause:
            time.sleep(self.pause)  # widens the race: callers pile up behind the fetch
        if self.fail is not None:
            raise self.fail
        expiry = None if self.lifetime is None else self.clock() + self.lifetime
        return Credentials(
            f"ASIA{number}", f"{SECRET_MARK}-{number}", f"{TOKEN_MARK}-{number}", PROVIDER, expiry
        )

    def source(self) -> RefreshingSource:
        return RefreshingSource(Fetcher(PROVIDER, self), clock=self.clock)


def test_the_first_get_fetches_and_later_gets_reuse() -> None:
    clock = Clock()
    provider = Provider(clock)
    source = provider.source()
    assert provider.calls == 0  # nothing is fetched before it is needed
    first = source.get()
    clock.advance(timedelta(minutes=44))  # 16 minutes left: outside both windows
    assert source.get() is first and asyncio.run(source.aget()) is first
    assert provider.calls == 1
    assert first.access_key_id == "ASIA1"


def test_the_advisory_window_refreshes() -> None:
    clock = Clock()
    provider = Provider(clock)
    source = provider.source()
    source.get()
    clock.advance(timedelta(minutes=46))  # 14 minutes left: advisory, not mandatory
    assert source.get().access_key_id == "ASIA2"
    assert provider.calls == 2


def test_in_the_advisory_window_only_the_refreshing_caller_waits() -> None:
    clock = Clock()
    gate = threading.Event()
    provider = Provider(clock)
    source = provider.source()
    old = source.get()
    clock.advance(timedelta(minutes=46))
    provider.gate = gate
    got: list[Credentials] = []
    refresher = threading.Thread(target=lambda: got.append(source.get()))
    refresher.start()
    try:
        while provider.calls < 2:  # the refresher is inside the fetch, held at the gate
            time.sleep(0.001)
        # Another caller is not held: it signs with the current set meanwhile.
        assert source.get() is old
        assert asyncio.run(source.aget()) is old
    finally:
        gate.set()
        refresher.join(10)
    assert got[0].access_key_id == "ASIA2"
    assert source.get() is got[0] and provider.calls == 2


def test_the_mandatory_window_waits_for_the_refresh() -> None:
    clock = Clock()
    provider = Provider(clock)
    source = provider.source()
    source.get()
    clock.advance(timedelta(minutes=55))  # 5 minutes left
    provider.pause = 0.05
    results: list[Credentials] = []
    threads = [threading.Thread(target=lambda: results.append(source.get())) for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert provider.calls == 2
    assert {c.access_key_id for c in results} == {"ASIA2"}


@pytest.mark.parametrize("ahead", [timedelta(minutes=55), HOUR + timedelta(seconds=1)])
def test_16_threads_at_expiry_cause_one_fetch(ahead: timedelta) -> None:
    clock = Clock()
    provider = Provider(clock, pause=0.05)
    source = provider.source()
    source.get()
    clock.advance(ahead)
    barrier = threading.Barrier(16)
    results: list[Credentials] = []

    def call() -> None:
        barrier.wait(10)
        results.append(source.get())

    threads = [threading.Thread(target=call) for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert len(results) == 16
    assert provider.calls == 2  # the first set, then exactly one refresh
    assert {c.access_key_id for c in results} == {"ASIA2"}


def test_200_tasks_at_expiry_cause_one_fetch_and_the_loop_keeps_running() -> None:
    clock = Clock()
    gate = threading.Event()
    provider = Provider(clock)
    source = provider.source()
    source.get()
    clock.advance(HOUR + timedelta(seconds=1))
    provider.gate = gate

    async def main() -> list[Credentials]:
        calls = [asyncio.create_task(source.aget()) for _ in range(200)]
        # The fetch waits for this coroutine: were the loop blocked in the fetch, the gate
        # would never open and the fetch would fail.
        while provider.calls < 2:
            await asyncio.sleep(0.001)
        gate.set()
        return await asyncio.gather(*calls)

    results = asyncio.run(main())
    assert len(results) == 200
    assert provider.calls == 2
    assert {c.access_key_id for c in results} == {"ASIA2"}


def test_the_first_async_get_fetches_once_for_200_tasks() -> None:
    clock = Clock()
    provider = Provider(clock, pause=0.05)
    source = provider.source()

    async def main() -> list[Credentials]:
        return await asyncio.gather(*(source.aget() for _ in range(200)))

    results = asyncio.run(main())
    assert provider.calls == 1
    assert {c.access_key_id for c in results} == {"ASIA1"}


def test_threads_and_tasks_together_cause_one_fetch() -> None:
    clock = Clock()
    provider = Provider(clock, pause=0.05)
    source = provider.source()
    source.get()
    clock.advance(HOUR + timedelta(seconds=1))
    results: list[Credentials] = []
    threads = [threading.Thread(target=lambda: results.append(source.get())) for _ in range(16)]

    async def main() -> list[Credentials]:
        for thread in threads:
            thread.start()
        return await asyncio.gather(*(source.aget() for _ in range(200)))

    results += asyncio.run(main())
    for thread in threads:
        thread.join(10)
    assert len(results) == 216 and provider.calls == 2
    assert {c.access_key_id for c in results} == {"ASIA2"}


@pytest.mark.parametrize("ahead", [timedelta(minutes=46), timedelta(minutes=55)])
def test_a_failed_refresh_keeps_the_valid_set(ahead: timedelta, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    clock = Clock()
    provider = Provider(clock)
    source = provider.source()
    old = source.get()
    clock.advance(ahead)
    provider.fail = CredentialsError(f"{PROVIDER}: answered HTTP 500")
    assert source.get() is old
    assert asyncio.run(source.aget()) is old
    assert "answered HTTP 500" in caplog.text and PROVIDER in caplog.text
    ours = [r for r in caplog.records if r.name.startswith("kms_pubkey")]
    assert ours and all(record.levelno == logging.WARNING for record in ours)
    _assert_no_secret(caplog.text)
    provider.fail = None  # the provider is back: the next call refreshes
    assert source.get().access_key_id not in (old.access_key_id,)


def test_expired_and_failing_raises_credentials_error_naming_the_provider() -> None:
    clock = Clock()
    provider = Provider(clock)
    source = provider.source()
    source.get()
    clock.advance(HOUR)  # exactly at expiry: no longer valid
    provider.fail = CredentialsError(f"{PROVIDER}: no answer within 1 s")
    with pytest.raises(CredentialsError) as caught:
        source.get()
    assert isinstance(caught.value, KmsError)
    assert PROVIDER in str(caught.value) and "no answer" in str(caught.value)
    _assert_no_secret(str(caught.value), repr(caught.value))
    with pytest.raises(CredentialsError):
        asyncio.run(source.aget())


def test_a_failing_first_fetch_raises() -> None:
    clock = Clock()
    provider = Provider(clock)
    provider.fail = CredentialsError(f"{PROVIDER}: the answer is not JSON")
    with pytest.raises(CredentialsError, match="the answer is not JSON"):
        provider.source().get()


def test_callers_that_waited_share_a_failure() -> None:
    clock = Clock()
    # The failing fetch lasts long enough that every thread has started and is waiting on it, even
    # on a loaded machine: a thread arriving after a failure asks the provider again, by design.
    provider = Provider(clock, pause=0.5)
    provider.fail = CredentialsError(f"{PROVIDER}: answered HTTP 500")
    source = provider.source()
    errors: list[BaseException] = []

    def call() -> None:
        try:
            source.get()
        except CredentialsError as exc:
            errors.append(exc)

    threads = [threading.Thread(target=call) for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert len(errors) == 16 and all(PROVIDER in str(e) for e in errors)
    assert provider.calls == 1  # the crowd asked the failing provider once


def test_a_provider_bug_becomes_credentials_error_without_its_message() -> None:
    clock = Clock()
    provider = Provider(clock)
    provider.fail = RuntimeError(f"boom {SECRET_MARK}")
    with pytest.raises(CredentialsError) as caught:
        provider.source().get()
    assert PROVIDER in str(caught.value) and "RuntimeError" in str(caught.value)
    _assert_no_secret(str(caught.value))
    assert caught.value.__cause__ is None and caught.value.__context__ is None  # nothing chained


def test_a_fetcher_that_returns_expired_credentials() -> None:
    clock = Clock()
    provider = Provider(clock, lifetime=-timedelta(seconds=1))
    source = provider.source()
    with pytest.raises(CredentialsError, match="expired") as caught:
        source.get()
    assert PROVIDER in str(caught.value)
    # With a valid set held, an expired answer is refused and the held set kept.
    provider.lifetime = HOUR
    held = source.get()
    clock.advance(timedelta(minutes=55))
    provider.lifetime = -HOUR
    assert source.get() is held
    clock.advance(timedelta(minutes=5))
    with pytest.raises(CredentialsError, match="expired"):
        source.get()


def test_credentials_without_expiry_are_never_refreshed() -> None:
    clock = Clock()
    provider = Provider(clock, lifetime=None)
    source = provider.source()
    first = source.get()
    clock.advance(timedelta(days=3650))
    assert source.get() is first and asyncio.run(source.aget()) is first
    assert provider.calls == 1


def test_a_short_lived_set_is_used_for_half_its_life() -> None:
    clock = Clock()
    provider = Provider(clock, lifetime=timedelta(minutes=15))  # STS's shortest
    source = provider.source()
    first = source.get()
    clock.advance(timedelta(minutes=7))
    assert source.get() is first and provider.calls == 1
    clock.advance(timedelta(minutes=1))  # past half its life: the advisory window
    assert source.get() is not first and provider.calls == 2


def test_a_naive_clock_is_utc() -> None:
    clock = Clock()
    provider = Provider(clock)
    source = RefreshingSource(Fetcher(PROVIDER, provider), clock=lambda: clock().replace(tzinfo=None))
    first = source.get()
    clock.advance(timedelta(minutes=30))
    assert source.get() is first and provider.calls == 1


def test_secrets_name_the_sets_served_lately() -> None:
    clock = Clock()
    provider = Provider(clock)
    source = provider.source()
    assert source.secrets() == ()
    source.get()
    clock.advance(timedelta(minutes=50))
    source.get()
    # The previous set too: an answer to a request signed just before the refresh may echo it.
    assert set(source.secrets()) == {
        f"{SECRET_MARK}-2",
        f"{TOKEN_MARK}-2",
        f"{SECRET_MARK}-1",
        f"{TOKEN_MARK}-1",
    }
    clock.advance(timedelta(minutes=50))
    source.get()
    assert f"{SECRET_MARK}-1" not in source.secrets()


def test_no_secret_in_reprs() -> None:
    clock = Clock()
    provider = Provider(clock)
    source = provider.source()
    credentials = source.get()
    static = StaticSource(credentials)
    _assert_no_secret(repr(source), str(source), repr(static), repr(Fetcher(PROVIDER, provider)))
    assert repr(source) == f"RefreshingSource(provider={PROVIDER!r})"
    assert repr(static) == "StaticSource(access_key_id='ASIA1')"


def test_static_source_and_source_for() -> None:
    long_lived = Credentials("AKID", SECRET_MARK)
    static = source_for(long_lived)
    assert isinstance(static, StaticSource)
    assert static.get() is long_lived and asyncio.run(static.aget()) is long_lived
    assert static.secrets() == (SECRET_MARK,) and not static.temporary
    assert source_for(Credentials("AKID", SECRET_MARK, TOKEN_MARK)).temporary
    clock = Clock()
    refreshing = source_for(Fetcher(PROVIDER, Provider(clock)), clock)
    assert isinstance(refreshing, RefreshingSource) and refreshing.temporary
    assert refreshing.name == PROVIDER and refreshing.get().expiry == START + HOUR


def test_windows_must_be_ordered() -> None:
    with pytest.raises(KmsError):
        RefreshingSource(Fetcher(PROVIDER, Provider(Clock())), mandatory=HOUR, advisory=timedelta(minutes=1))


# -- the rule as a property ---------------------------------------------------------------------

ADVISORY = timedelta(minutes=15)


def _refresh_at(fetched: datetime, expiry: datetime) -> datetime:
    """The documented rule, independently: 15 minutes before expiry, or half the lifetime."""
    return expiry - min(ADVISORY, (expiry - fetched) / 2)


steps = st.lists(
    st.tuples(
        st.integers(0, 4 * 3600),  # seconds the clock moves before the call
        st.integers(1, 12 * 3600),  # the lifetime of the set a fetch at this step would give
    ),
    min_size=1,
    max_size=30,
)


@settings(max_examples=300, deadline=None)
@given(steps)
def test_served_credentials_are_never_expired_and_never_fetched_early(moves: list[tuple[int, int]]) -> None:
    clock = Clock()
    lifetime = timedelta(0)
    fetched = 0

    def fetch() -> Credentials:
        nonlocal fetched
        fetched += 1
        return Credentials(f"ASIA{fetched}", "secret", "token", PROVIDER, clock() + lifetime)

    source = RefreshingSource(Fetcher(PROVIDER, fetch), clock=clock)
    expected = 0
    model_expiry: datetime | None = None
    model_refresh: datetime | None = None
    for seconds, lives in moves:
        clock.advance(timedelta(seconds=seconds))
        lifetime = timedelta(seconds=lives)
        now = clock()
        if model_refresh is None or now >= model_refresh:
            expected += 1
            model_expiry = now + lifetime
            model_refresh = _refresh_at(now, model_expiry)
        served = source.get()
        assert served.expiry is not None and served.expiry > now  # never an expired set
        assert fetched == expected  # one fetch per validity window, when its window opens
        assert served.access_key_id == f"ASIA{expected}" and served.expiry == model_expiry


def _assert_no_secret(*texts: str) -> None:
    for text in texts:
        assert SECRET_MARK not in text and TOKEN_MARK not in text
