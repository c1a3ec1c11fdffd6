"""The interface every vendor protocol implements, and the state handed to it.

A vendor protocol is any object (a module works) with these four members::

    name: str
        The vendor whose keys this protocol serves: "aws", "alibaba", "huawei". It is the
        `vendor` of its keys in the key store and in `GET /_emulator/keys`. Two protocols may
        share one name and so share keys (Alibaba's shared and dedicated gateways do).

    key_specs: Mapping[str, SpecInfo]
        Every key spec the vendor supports, in the vendor's own vocabulary, mapped to
        `SpecInfo(algorithm, usage)` (neutral algorithm name + the vendor's key usage).
        At start the emulator makes one key per spec that `cryptography` can generate;
        the others (SM2, ML-KEM-512) are skipped. Protocols sharing a name merge their tables.

    def matches(self, request: werkzeug.Request) -> bool
        Whether this request is in this protocol's shape. Look at headers, method and path
        only; do not read the body. The first protocol in `server.PROTOCOLS` that matches wins.

    def handle(self, request: werkzeug.Request, state: EmulatorState) -> werkzeug.Response
        Verify the signature strictly, look up the key in `state.keys` (by `self.name`), and
        answer exactly as the real service does: status codes, body shape, error codes,
        request-id header. Never raise for a client mistake; answer with the vendor's error.
        An unexpected exception becomes a plain 500 from the dispatcher.

A protocol may also have::

    def credentials(self, state: EmulatorState) -> Mapping[str, str]
        Called once at start. Makes what a client needs beyond the access key and the
        config (files go under `state.files_dir`) and returns names -> values, mostly paths,
        which the banner prints and `GET /_emulator/credentials` lists. The Alibaba
        dedicated gateway writes its ClientKey, password file and CA this way.

Register a protocol by adding it to the one list `PROTOCOLS` in `kms_pubkey_emulator/server.py`.
"""

from __future__ import annotations

import shutil
import tempfile
import threading
import time
import weakref
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol, runtime_checkable

from werkzeug.wrappers import Request, Response

from kms_pubkey_emulator.config import EmulatorConfig
from kms_pubkey_emulator.keys import KeyStore, SpecInfo

__all__ = ["EmulatorState", "SpecInfo", "VendorProtocol"]


@runtime_checkable
class VendorProtocol(Protocol):
    """See the module docstring for the contract of each member."""

    @property
    def name(self) -> str: ...

    @property
    def key_specs(self) -> Mapping[str, SpecInfo]: ...

    def matches(self, request: Request) -> bool: ...

    def handle(self, request: Request, state: EmulatorState) -> Response: ...


def utc_now() -> datetime:
    return datetime.now(UTC)


def _remove(directory: Path) -> None:
    shutil.rmtree(directory, ignore_errors=True)


def _keep(directory: Path) -> None:
    pass


class EmulatorState:
    """What a handler may use: the configuration, the key store, the clock, a nonce cache, and
    `files_dir` with the `credentials` the protocols made there at start."""

    def __init__(
        self, config: EmulatorConfig, keys: KeyStore, clock: Callable[[], datetime] = utc_now
    ) -> None:
        self.config = config
        self.keys = keys
        self._clock = clock
        self._nonces: dict[tuple[str, str], float] = {}
        self._nonce_lock = threading.Lock()
        self.credentials: dict[str, str] = {}
        temporary = config.state_dir is None
        self.files_dir = Path(
            tempfile.mkdtemp(prefix="kms-emulator-") if temporary else str(config.state_dir)
        )
        # Also run at garbage collection or exit, should nobody call close().
        self._cleanup = weakref.finalize(self, _remove if temporary else _keep, self.files_dir)

    def close(self) -> None:
        """Remove `files_dir` if it is a temporary one (a state dir is kept)."""
        self._cleanup()

    def now(self) -> datetime:
        """The current time, timezone-aware UTC."""
        return self._clock()

    def skew_ok(self, when: datetime) -> bool:
        """Whether a request timestamp is within `config.max_skew` of now."""
        return abs(self.now() - when) <= self.config.max_skew

    def first_use_of_nonce(self, scope: str, nonce: str) -> bool:
        """Record a nonce; False when it was already seen within twice the allowed skew (a replay)."""
        horizon = 2 * self.config.max_skew.total_seconds()
        now = time.monotonic()
        with self._nonce_lock:
            if len(self._nonces) > 10_000:
                self._nonces = {k: t for k, t in self._nonces.items() if now - t < horizon}
            seen = self._nonces.get((scope, nonce))
            if seen is not None and now - seen < horizon:
                return False
            self._nonces[(scope, nonce)] = now
            return True
