"""Memory and scale figures for `make bench`, each run in a child process by run.py.

    python footprint_runtime.py memory URL NAME     RSS after 100 and after 10,000 warm calls
    python footprint_runtime.py cached URL COUNT    memory for COUNT distinct keys in KeyCache
    python footprint_runtime.py scale URL KEYS REPEAT CONCURRENCY
        KEYS distinct keys over all vendors, each asked REPEAT times in a shuffled order, async
        at CONCURRENCY: through the clients (over aiohttp) and through KeyCache

Prints one JSON object. KMS calls are counted where they arrive, at the loopback server.
"""

from __future__ import annotations

import asyncio
import gc
import json
import random
import sys
import time
import tracemalloc
import urllib.request
from collections.abc import Awaitable, Callable
from typing import Any

import clients

SCALE_PREFIX = "5ca1e000-0000-0000-0000-"  # the server gives these ids a key of their own


def rss_kb() -> int:
    """Resident set size now (not the peak), from /proc."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError("no VmRSS in /proc/self/status")


def answered(url: str) -> int:
    with urllib.request.urlopen(url + "/_count", timeout=10) as reply:
        return int(reply.read())


def memory(url: str, name: str) -> dict[str, Any]:
    call, close = clients.SYNC[name](url)
    for _ in range(100):
        call()
    gc.collect()
    after_100 = rss_kb()
    for _ in range(9_900):
        call()
    gc.collect()
    after_10000 = rss_kb()
    close()
    return {"rss_100_kb": after_100, "rss_10000_kb": after_10000, "growth_kb": after_10000 - after_100}


def key_ids(count: int) -> list[str]:
    return [f"{SCALE_PREFIX}{index:012d}" for index in range(count)]


def cached(url: str, count: int) -> dict[str, Any]:
    """Traced memory that `count` distinct keys (EC P-256) hold once loaded into a `KeyCache`."""
    from kms_pubkey import KeyCache

    call_for, close = _aws_sync(url)
    call_for(key_ids(1)[0])  # the client's own allocations (pool, lazy imports) come before the baseline
    cache = KeyCache(load=lambda uri: call_for(uri.key_id))
    uris = [f"awskms:///{key_id}" for key_id in key_ids(count)]
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    for uri in uris:
        cache.get(uri)
    gc.collect()
    after = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    close()
    assert cache.stats().loads == count
    return {"keys": count, "kb": (after - before) / 1024, "bytes_per_key": (after - before) / count}


def _aws_sync(url: str) -> tuple[Callable[[str], Any], Callable[[], None]]:
    from kms_pubkey_aws import AwsKmsClient

    client = AwsKmsClient(
        clients.AWS_REGION, endpoint=url, access_key_id=clients.AK, secret_access_key=clients.SK
    )
    return client.get_public_key, client.close


async def _clients(
    url: str,
) -> tuple[dict[str, Callable[[str], Awaitable[Any]]], Callable[[], Awaitable[None]]]:
    """One async client per vendor, all over one shared aiohttp transport."""
    from kms_pubkey.aiohttp_transport import AiohttpTransport
    from kms_pubkey_alibaba import AsyncAlibabaKmsClient
    from kms_pubkey_aws import AsyncAwsKmsClient
    from kms_pubkey_huawei import AsyncHuaweiKmsClient

    shared = AiohttpTransport()
    aws = AsyncAwsKmsClient(
        clients.AWS_REGION,
        endpoint=url,
        access_key_id=clients.AK,
        secret_access_key=clients.SK,
        transport=shared,
    )
    alibaba = AsyncAlibabaKmsClient(
        clients.ALI_REGION,
        endpoint=url,
        access_key_id=clients.AK,
        access_key_secret=clients.SK,
        transport=shared,
    )
    huawei = AsyncHuaweiKmsClient(
        clients.HW_REGION,
        project_id=clients.HW_PROJECT,
        endpoint=url,
        access_key=clients.AK,
        secret_key=clients.SK,
        transport=shared,
    )
    calls = {
        "aws": aws.get_public_key,
        "alibaba": lambda key_id: alibaba.get_public_key(key_id, clients.ALI_VERSION),
        "huawei": huawei.get_public_key,
    }

    async def close() -> None:
        for client in (aws, alibaba, huawei):
            await client.close()

    return calls, close


def scale(url: str, keys: int, repeat: int, concurrency: int) -> dict[str, Any]:
    vendors = ("aws", "alibaba", "huawei")
    owned = [(vendors[index % 3], key_id) for index, key_id in enumerate(key_ids(keys))]
    scheme = {"aws": "awskms:///{}", "alibaba": "alikms:///{}?version=" + clients.ALI_VERSION}
    scheme["huawei"] = "huaweikms:///{}"
    order = [pair for pair in owned for _ in range(repeat)]
    random.Random(7).shuffle(order)

    async def run(through_cache: bool) -> dict[str, Any]:
        from kms_pubkey import KeyCache, parse_key_uri

        calls, close = await _clients(url)
        await calls["aws"](f"{SCALE_PREFIX}x-warm-up")  # connect outside the timing
        vendor_of = {"awskms": "aws", "alikms": "alibaba", "huaweikms": "huawei"}

        async def load(uri: Any) -> Any:
            return await calls[vendor_of[uri.scheme]](uri.key_id)

        cache = KeyCache(aload=load)
        uris = {pair: parse_key_uri(scheme[pair[0]].format(pair[1])) for pair in owned}
        todo = list(order)
        before = answered(url)

        async def worker() -> None:
            while todo:
                vendor, key_id = pair = todo.pop()
                if through_cache:
                    await cache.aget(uris[pair])
                else:
                    await calls[vendor](key_id)

        start = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        wall = time.perf_counter() - start
        kms_calls = answered(url) - before
        await close()
        return {
            "wall_s": wall,
            "keys_per_s": keys / wall,
            "gets_per_s": len(order) / wall,
            "kms_calls": kms_calls,
        }

    return {
        "keys": keys,
        "gets": len(order),
        "concurrency": concurrency,
        "clients": asyncio.run(run(False)),
        "key_cache": asyncio.run(run(True)),
    }


def main() -> None:
    mode, args = sys.argv[1], sys.argv[2:]
    if mode == "memory":
        result = memory(args[0], args[1])
    elif mode == "cached":
        result = cached(args[0], int(args[1]))
    elif mode == "scale":
        result = scale(args[0], int(args[1]), int(args[2]), int(args[3]))
    else:
        raise SystemExit(f"unknown mode {mode}")
    json.dump(result, sys.stdout)


if __name__ == "__main__":
    main()
