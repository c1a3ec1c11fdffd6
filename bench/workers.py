"""The in-process measurements of `make bench`, each run in its own child process by run.py.

    python workers.py warm URL ROUNDS BATCH NAMES...      CPU and wall time per call, sync keep-alive
    python workers.py fanout URL ROUNDS CALLS CONCURRENCY THREADS
    python workers.py sign ROUNDS BATCH NAMES...          time per signature

Each prints one JSON object on stdout. Contenders are interleaved within every round,
and every figure is the median over the rounds.
"""

from __future__ import annotations

import asyncio
import json
import os
import resource
import statistics
import sys
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import clients

FANOUT_ONLY = [part for part in os.environ.get("BENCH_FANOUT_ONLY", "").split(",") if part]
"""While iterating: measure only the fan-out contenders whose name holds one of these."""


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)  # every thread: some SDKs sign on a pool
    return usage.ru_utime + usage.ru_stime


def warm(url: str, rounds: int, batch: int, names: list[str]) -> dict[str, Any]:
    """CPU seconds per call in this (client) process, with a warm keep-alive client."""
    calls = {}
    closers = []
    for name in names:
        call, close = clients.SYNC[name](url)
        for _ in range(max(20, batch // 5)):  # warm up: connection, caches, lazy imports
            call()
        calls[name] = call
        closers.append(close)
    cpu: dict[str, list[float]] = {name: [] for name in names}
    wall: dict[str, list[float]] = {name: [] for name in names}
    for index in range(rounds):
        order = names[index % len(names) :] + names[: index % len(names)]
        for name in order:
            call = calls[name]
            c0, w0 = _cpu(), time.perf_counter()
            for _ in range(batch):
                call()
            c1, w1 = _cpu(), time.perf_counter()
            cpu[name].append((c1 - c0) / batch)
            wall[name].append((w1 - w0) / batch)
    for close in closers:
        close()
    return {
        name: {
            "cpu_us": statistics.median(cpu[name]) * 1e6,
            "wall_us": statistics.median(wall[name]) * 1e6,
            "cpu_us_rounds": [round(v * 1e6, 1) for v in cpu[name]],
        }
        for name in names
    }


async def _fan_async(make: Callable[[], Any], calls: int, concurrency: int) -> tuple[float, float]:
    call, close = await make()
    await call()  # connect and warm up outside the timing
    remaining = calls

    async def worker() -> None:
        nonlocal remaining
        while remaining > 0:
            remaining -= 1
            await call()

    c0, w0 = _cpu(), time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    c1, w1 = _cpu(), time.perf_counter()
    await close()
    return w1 - w0, c1 - c0


def _fan_threads(url: str, calls: int, threads: int) -> tuple[float, float]:
    call, close = clients.boto3_kms(url, max_pool_connections=threads)
    call()
    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(lambda _: call(), range(threads)))  # one connection per thread, outside the timing
        c0, w0 = _cpu(), time.perf_counter()
        list(pool.map(lambda _: call(), range(calls)))
        c1, w1 = _cpu(), time.perf_counter()
    close()
    return w1 - w0, c1 - c0


def fanout(url: str, rounds: int, calls: int, concurrency: int, threads: int) -> dict[str, Any]:
    """Per vendor: ours over httpx and over aiohttp, and the vendor SDK's own async path."""

    async def aiobotocore() -> Any:
        pair, _client = await clients.aiobotocore_kms(url, concurrency)
        return pair

    def fan(make: Callable[[], Any]) -> Callable[[], tuple[float, float]]:
        return lambda: asyncio.run(_fan_async(make, calls, concurrency))

    contenders: dict[str, Callable[[], tuple[float, float]]] = {}
    with_aiohttp = clients.available("aiohttp")
    for vendor, ours in (
        ("aws", clients.ours_aws_async),
        ("alibaba", clients.ours_alibaba_async),
        ("huawei", clients.ours_huawei_async),
    ):
        if not clients.available(f"ours-{vendor}"):
            continue
        contenders[f"ours-{vendor} async"] = fan(lambda ours=ours: ours(url))
        if with_aiohttp:
            contenders[f"ours-{vendor} aiohttp"] = fan(lambda ours=ours: ours(url, "aiohttp"))
    contenders["httpx-floor async"] = fan(lambda: clients.httpx_floor_async(url))
    if clients.available("aiobotocore"):
        contenders["aiobotocore"] = fan(aiobotocore)
    if clients.available("boto3"):
        contenders[f"boto3 {threads} threads"] = lambda: _fan_threads(url, calls, threads)
    if clients.available("alibaba-sdk"):
        contenders["alibaba-sdk async"] = fan(lambda: clients.alibaba_sdk_async(url))
    if clients.available("huawei-sdk"):
        contenders["huawei-sdk async"] = fan(lambda: clients.huawei_sdk_async(url))
    only = [name for name in contenders if any(part in name for part in FANOUT_ONLY)] if FANOUT_ONLY else None
    if only is not None:
        contenders = {name: contenders[name] for name in only}
    wall: dict[str, list[float]] = {name: [] for name in contenders}
    cpu: dict[str, list[float]] = {name: [] for name in contenders}
    names = list(contenders)
    for index in range(rounds):
        for name in names[index % len(names) :] + names[: index % len(names)]:
            w, c = contenders[name]()
            wall[name].append(w)
            cpu[name].append(c)
    return {
        name: {
            "wall_s": statistics.median(wall[name]),
            "cpu_s": statistics.median(cpu[name]),
            "calls_per_s": calls / statistics.median(wall[name]),
            "wall_s_rounds": [round(v, 3) for v in wall[name]],
        }
        for name in names
    }


def sign(rounds: int, batch: int, names: list[str]) -> dict[str, Any]:
    signers = {name: clients.SIGNERS[name][1]() for name in names}
    for fn in signers.values():
        for _ in range(200):
            fn()
    times: dict[str, list[float]] = {name: [] for name in names}
    for index in range(rounds):
        for name in names[index % len(names) :] + names[: index % len(names)]:
            fn = signers[name]
            t0 = time.perf_counter()
            for _ in range(batch):
                fn()
            times[name].append((time.perf_counter() - t0) / batch)
    return {name: {"us": statistics.median(times[name]) * 1e6} for name in names}


def main() -> None:
    mode, args = sys.argv[1], sys.argv[2:]
    if mode == "warm":
        result = warm(args[0], int(args[1]), int(args[2]), args[3:])
    elif mode == "fanout":
        result = fanout(args[0], int(args[1]), int(args[2]), int(args[3]), int(args[4]))
    elif mode == "sign":
        result = sign(int(args[0]), int(args[1]), args[2:])
    elif mode == "offline":
        import offline

        result = offline.measure(int(args[0]), float(args[1]))
    else:
        raise SystemExit(f"unknown mode {mode}")
    json.dump(result, sys.stdout)


if __name__ == "__main__":
    main()
