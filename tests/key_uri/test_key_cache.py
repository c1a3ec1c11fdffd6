"""`KeyCache` against a real emulator whose protocols count the requests they answer.

KMS calls are counted at the server (each vendor protocol wrapped in `Counting`), never by
the cache's own bookkeeping; `stats()` is checked against those counts.
"""

from __future__ import annotations

import asyncio
import socket
import threading
import time

import pytest

from kms_pubkey import ApiError, KeyCache, NotFoundError, TransportError, ValidationError, fetch
from kms_pubkey_emulator import Emulator
from kms_pubkey_emulator.server import PROTOCOLS

pytestmark = pytest.mark.integration


class Counting:
    """A vendor protocol that counts what it answers, optionally after a delay (a slow KMS)."""

    def __init__(self, protocol):
        self._protocol = protocol
        self._lock = threading.Lock()
        self.count = 0
        self.delay = 0.0

    def __getattr__(self, name):
        return getattr(self._protocol, name)

    def handle(self, request, state):
        with self._lock:
            self.count += 1
        if self.delay:
            time.sleep(self.delay)
        return self._protocol.handle(request, state)


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


@pytest.fixture(scope="module")
def counted():
    protocols = [Counting(p) for p in PROTOCOLS]
    with Emulator(protocols=protocols) as emu:
        emu.counters = protocols
        yield emu


@pytest.fixture
def emu(counted, monkeypatch):
    for name, value in counted.client_env().items():
        monkeypatch.setenv(name, value)
    for counter in counted.counters:
        counter.count, counter.delay = 0, 0.0
    return counted


def slow(emu, vendor, seconds):
    """Delay the answers of the one protocol named `vendor` (aws or huawei: one protocol each)."""
    (counter,) = [c for c in emu.counters if c.name == vendor]
    counter.delay = seconds


def calls(emu):
    return sum(counter.count for counter in emu.counters)


def aws_key(emu, spec="ECC_NIST_P256"):
    return emu.key("aws", spec)


def dead_endpoint():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{sock.getsockname()[1]}"  # closed again: connections are refused


def test_500_async_tasks_on_a_cold_key_make_one_kms_call(emu):
    stored = aws_key(emu)
    uri = f"awskms:///{stored.key_id}"
    cache = KeyCache(endpoint=emu.url)
    slow(emu, "aws", 0.2)  # a slow answer keeps the load in flight

    async def main():
        return await asyncio.gather(*(cache.aget(uri) for _ in range(500)))

    keys = asyncio.run(main())
    assert calls(emu) == 1
    assert {k.der for k in keys} == {stored.public_der}
    stats = cache.stats()
    assert (stats.loads, stats.misses, stats.hits, stats.errors) == (1, 500, 0, 0)


def test_32_threads_on_a_cold_key_make_one_kms_call(emu):
    stored = aws_key(emu, "RSA_2048")
    uri = f"awskms:///{stored.aliases[0]}"
    cache = KeyCache(endpoint=emu.url)
    slow(emu, "aws", 0.3)
    barrier = threading.Barrier(32)
    results, errors = [], []

    def worker():
        barrier.wait(timeout=30)
        try:
            results.append(cache.get(uri).der)
        except Exception as exc:
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(32)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert results == [stored.public_der] * 32
    assert calls(emu) == 1
    assert cache.stats().loads == 1
    assert cache.stats().hits + cache.stats().misses == 32


def test_threads_and_tasks_together_share_one_load(emu):
    stored = emu.key("huawei", "EC_P256")
    uri = f"huaweikms://cn-north-4/{stored.key_id}"
    cache = KeyCache(endpoint=emu.url)
    slow(emu, "huawei", 0.3)
    started = threading.Event()
    thread_results = []

    def worker():
        started.set()
        thread_results.append(cache.get(uri).der)

    async def main():
        threads = [threading.Thread(target=worker) for _ in range(8)]
        for thread in threads:
            thread.start()
        started.wait(timeout=10)
        keys = await asyncio.gather(*(cache.aget(uri) for _ in range(50)))
        for thread in threads:
            await asyncio.to_thread(thread.join, 30)
        return keys

    keys = asyncio.run(main())
    assert {k.der for k in keys} | set(thread_results) == {stored.public_der}
    assert len(thread_results) == 8
    assert calls(emu) == 1


def test_a_cancelled_caller_does_not_cancel_the_shared_load(emu):
    stored = aws_key(emu, "ECC_NIST_P384")
    uri = f"awskms:///{stored.key_id}"
    cache = KeyCache(endpoint=emu.url)
    slow(emu, "aws", 0.3)

    async def main():
        first = asyncio.create_task(cache.aget(uri))  # this one starts the load
        await asyncio.sleep(0)
        others = [asyncio.create_task(cache.aget(uri)) for _ in range(5)]
        await asyncio.sleep(0.05)
        first.cancel()
        return await asyncio.gather(*others)

    keys = asyncio.run(main())
    assert {k.der for k in keys} == {stored.public_der}
    assert calls(emu) == 1


def test_an_id_is_kept_until_evicted_an_alias_for_the_ttl(emu):
    stored = aws_key(emu)
    clock = Clock()
    cache = KeyCache(endpoint=emu.url, clock=clock)
    by_id, by_alias = f"awskms:///{stored.key_id}", f"awskms:///{stored.aliases[0]}"
    cache.get(by_id)
    cache.get(by_alias)
    assert calls(emu) == 2
    clock.now += 299.9
    cache.get(by_id)
    cache.get(by_alias)
    assert calls(emu) == 2  # both fresh
    clock.now += 0.2  # past cosign's 300 s
    cache.get(by_alias)
    assert calls(emu) == 3  # the alias was asked again
    clock.now += 10**7
    cache.get(by_id)
    assert calls(emu) == 3  # a key id's public key never changes
    assert cache.stats().loads == 3


def test_a_disabled_key_is_seen_after_the_ttl(emu):
    stored = aws_key(emu, "ECC_SECG_P256K1")
    clock = Clock()
    cache = KeyCache(endpoint=emu.url, clock=clock, alias_ttl=60)
    uri = f"awskms:///{stored.aliases[0]}"
    assert cache.get(uri).der == stored.public_der
    emu.set_enabled(stored.key_id, False, "aws")
    try:
        assert cache.get(uri).der == stored.public_der  # within the TTL: still served
        clock.now += 61
        with pytest.raises(ApiError) as caught:  # an answer about the key: never served stale
            cache.get(uri)
        assert caught.value.code == "DisabledException"
        with pytest.raises(ApiError):
            cache.get(uri)  # and not remembered as a key
        assert cache.stats().stale == 0
    finally:
        emu.set_enabled(stored.key_id, True, "aws")
    assert cache.get(uri).der == stored.public_der


def test_stale_if_error_is_bounded_by_max_stale(emu):
    stored = aws_key(emu)
    clock = Clock()
    where = {"endpoint": emu.url}

    def load(uri):
        return fetch(uri, endpoint=where["endpoint"], max_retries=0, timeout=5)

    cache = KeyCache(clock=clock, alias_ttl=300, error_ttl=10, max_stale=600, load=load)
    uri = f"awskms:///{stored.aliases[0]}"
    cache.get(uri)
    where["endpoint"] = dead_endpoint()  # KMS unreachable from now on
    clock.now += 301
    assert cache.get(uri).der == stored.public_der  # stale, served while the refresh fails
    assert (cache.stats().stale, cache.stats().errors, cache.stats().loads) == (1, 1, 2)
    clock.now += 5
    cache.get(uri)
    assert cache.stats().loads == 2  # the failure is remembered for error_ttl
    clock.now += 6
    cache.get(uri)
    assert (cache.stats().stale, cache.stats().loads) == (2, 3)  # tried again, still stale
    clock.now = 1000 + 300 + 600 + 1  # past expiry + max_stale
    with pytest.raises(TransportError):
        cache.get(uri)
    where["endpoint"] = emu.url
    assert cache.get(uri).der == stored.public_der  # KMS is back


def test_not_found_is_cached_briefly(emu):
    clock = Clock()
    cache = KeyCache(endpoint=emu.url, clock=clock, error_ttl=10)
    uri = "awskms:///alias/no-such-key"
    for _ in range(3):
        with pytest.raises(NotFoundError):
            cache.get(uri)
    assert calls(emu) == 1
    clock.now += 11
    with pytest.raises(NotFoundError):
        cache.get(uri)
    assert calls(emu) == 2
    stats = cache.stats()
    assert (stats.hits, stats.misses, stats.loads, stats.errors) == (2, 2, 2, 2)


def test_the_size_bound_evicts_the_least_recently_used(emu):
    keys = [aws_key(emu, spec) for spec in ("ECC_NIST_P256", "ECC_NIST_P384", "RSA_2048")]
    one, two, three = (f"awskms:///{k.key_id}" for k in keys)
    cache = KeyCache(endpoint=emu.url, max_entries=2)
    cache.get(one)
    cache.get(two)
    cache.get(one)  # `one` is now the most recently used
    cache.get(three)  # evicts `two`
    assert cache.stats().size == 2
    assert calls(emu) == 3
    cache.get(one)
    assert calls(emu) == 3
    cache.get(two)
    assert calls(emu) == 4


def test_alibaba_key_versions_are_kept_and_async_hits_need_no_call(emu):
    stored = emu.key("alibaba", "EC_P256")
    uri = f"alikms://cn-hangzhou/{stored.key_id}?version={stored.key_version_id}"
    clock = Clock()
    cache = KeyCache(endpoint=emu.url, clock=clock)

    async def main():
        first = await cache.aget(uri)
        clock.now += 10**6
        second = await cache.aget(uri)
        return first, second

    first, second = asyncio.run(main())
    assert first.der == second.der == stored.public_der
    assert calls(emu) == 1
    assert cache.stats().hits == 1


def test_a_bad_uri_raises_and_is_not_cached():
    cache = KeyCache()
    for _ in range(2):
        with pytest.raises(ValidationError, match="unknown scheme"):
            cache.get("nokms:///x")
    assert cache.stats().loads == 0
    assert cache.stats().size == 0


@pytest.mark.parametrize(
    "bad", [{"alias_ttl": -1}, {"error_ttl": float("nan")}, {"max_stale": float("inf")}, {"max_entries": 0}]
)
def test_bad_settings_are_refused(bad):
    with pytest.raises(ValidationError):
        KeyCache(**bad)


def test_a_sync_get_inside_the_loop_fetching_the_key_fails_instead_of_hanging(emu):
    stored = aws_key(emu)
    uri = f"awskms:///{stored.aliases[0]}"
    cache = KeyCache(endpoint=emu.url)
    slow(emu, "aws", 0.3)

    async def main():
        loading = asyncio.create_task(cache.aget(uri))
        await asyncio.sleep(0.05)  # the fetch is in flight on this loop
        with pytest.raises(ValidationError, match="use await aget"):
            cache.get(uri)
        return await loading

    assert asyncio.run(main()).der == stored.public_der
    assert calls(emu) == 1


def test_a_remembered_error_raised_again_and_again_keeps_a_short_traceback():
    import traceback

    asked = []

    def load(uri):
        asked.append(uri)
        raise NotFoundError("no such key", vendor="aws", status_code=400, code="NotFoundException")

    cache = KeyCache(load=load)
    depths = []
    for _ in range(100):
        with pytest.raises(NotFoundError) as caught:
            cache.get("awskms:///alias/gone")
        depths.append(len(traceback.extract_tb(caught.value.__traceback__)))
    assert len(asked) == 1
    assert asked[0].key_id == "alias/gone"  # the loader gets the parsed KeyUri
    assert max(depths) == depths[0]
