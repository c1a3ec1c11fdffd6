"""Key cache figures for `make bench`: what a cache hit costs per call (sync and async), and
10,000 calls over 50 keys through `KeyCache` against 10,000 direct fetches, with wall time and
the KMS calls counted where they arrive, at the emulator.

The emulator runs in this process (a server thread), its protocols wrapped to count the
requests they answer; its 50 AWS P-256 keys are seeded through its state file. "Direct" is
one long-lived `AwsKmsClient` asked per call, as a service without a cache would do; "cache"
is `KeyCache`, which fetches each key once through `kms_pubkey.fetch`. Both walls include the
emulator's own work (SigV4 checking) for every request it gets. Prints JSON.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from kms_pubkey import KeyCache
from kms_pubkey_aws import AwsKmsClient
from kms_pubkey_emulator import Emulator, EmulatorConfig
from kms_pubkey_emulator.server import PROTOCOLS


class Counting:
    """A vendor protocol that counts the requests it answers."""

    def __init__(self, protocol: Any) -> None:
        self._protocol = protocol
        self._lock = threading.Lock()
        self.count = 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self._protocol, name)

    def handle(self, request: Any, state: Any) -> Any:
        with self._lock:
            self.count += 1
        return self._protocol.handle(request, state)


def seed_keys(state_dir: Path, count: int) -> list[str]:
    """`count` AWS P-256 keys in the emulator's state file; their key ids."""
    keys = []
    for _ in range(count):
        pem = (
            ec.generate_private_key(ec.SECP256R1())
            .public_key()
            .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
            .decode()
        )
        keys.append(
            {
                "vendor": "aws",
                "key_id": str(uuid.uuid4()),
                "key_version_id": str(uuid.uuid4()),
                "key_spec": "ECC_NIST_P256",
                "key_usage": "SIGN_VERIFY",
                "public_key_pem": pem,
                "aliases": [],
                "enabled": True,
                "algorithm": "P256",
            }
        )
    (state_dir / "keys.json").write_text(json.dumps({"version": 1, "keys": keys}))
    return [k["key_id"] for k in keys]


def per_call_us(seconds: float, calls: int) -> float:
    return seconds / calls * 1e6


def hits(cache: KeyCache, uri: str, calls: int) -> dict[str, float]:
    cache.get(uri)  # loaded once; every call below is a hit
    start = time.perf_counter()
    for _ in range(calls):
        cache.get(uri)
    sync = time.perf_counter() - start

    async def many() -> float:
        begin = time.perf_counter()
        for _ in range(calls):
            await cache.aget(uri)
        return time.perf_counter() - begin

    return {"sync_us": per_call_us(sync, calls), "async_us": per_call_us(asyncio.run(many()), calls)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=10_000)
    parser.add_argument("--keys", type=int, default=50)
    parser.add_argument("--hit-calls", type=int, default=200_000)
    args = parser.parse_args()
    counters = [Counting(p) for p in PROTOCOLS]
    with tempfile.TemporaryDirectory() as state:
        key_ids = seed_keys(Path(state), args.keys)
        with Emulator(EmulatorConfig(port=0, state_dir=Path(state)), protocols=counters) as emu:
            env = emu.client_env()
            os.environ.update(env)
            uris = [f"awskms:///{key_id}" for key_id in key_ids]
            order = [uris[i % len(uris)] for i in range(args.calls)]  # every key 200 times,
            random.Random(7).shuffle(order)  # in a fixed shuffled order

            def calls() -> int:
                return sum(c.count for c in counters)

            results: dict[str, Any] = {"calls": args.calls, "keys": args.keys}
            results["hit"] = hits(KeyCache(endpoint=emu.url), uris[0], args.hit_calls)

            before = calls()
            cache = KeyCache(endpoint=emu.url)
            start = time.perf_counter()
            for uri in order:
                cache.get(uri)
            wall = time.perf_counter() - start
            stats = cache.stats()
            results["cache"] = {
                "wall_s": wall,
                "kms_calls": calls() - before,
                "stats": {"hits": stats.hits, "misses": stats.misses, "loads": stats.loads},
            }

            before = calls()
            ids = {uri: uri.removeprefix("awskms:///") for uri in uris}
            with AwsKmsClient(endpoint=emu.url) as client:
                start = time.perf_counter()
                for uri in order:
                    client.get_public_key(ids[uri])
                results["direct"] = {"wall_s": time.perf_counter() - start, "kms_calls": calls() - before}
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
