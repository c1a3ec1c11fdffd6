"""The key store: one key per (vendor, key spec) the vendor declares and `cryptography` can generate.

SM2 keys, which `cryptography` cannot make, come from the emulator's own `sm2.py` and are made
on demand only (`KeyStore.create`), so the seeded set stays one key per `cryptography` spec.
Each key keeps its private half (PKCS#8 DER), for Sign, Decrypt and DeriveSharedSecret.
With a state directory the keys are saved to `<state_dir>/keys.json` (mode 0600, private keys
included: these are throwaway emulator keys), so a restart keeps every id (and the disabled
flags); without one they live in memory only. A key saved without its private half (by an
older emulator, or written by hand with only `public_key_pem`) still answers GetPublicKey; the
operations that need the private half refuse it as the vendor refuses an unusable key.
"""

from __future__ import annotations

import base64
import dataclasses
import json
import os
import tempfile
import threading
import uuid
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes

from kms_pubkey_emulator import sm2

STATE_FILE = "keys.json"
_STATE_VERSION = 2
# Made by `sm2.py` for `KeyStore.create`, never seeded (the seeded set is counted by tests).
_ON_DEMAND = ("SM2",)

Private = PrivateKeyTypes | sm2.PrivateKey
"""A private half: `cryptography`'s, or the emulator's own for SM2."""


@dataclasses.dataclass(frozen=True)
class SpecInfo:
    """How to make a key for one vendor key spec.

    `algorithm` is the neutral name used by `kms_pubkey.read.spec`: `RSA_2048`, `RSA_3072`, `RSA_4096`,
    `P256`, `P384`, `P521`, `SECP256K1`, `ED25519`, `SM2`, `ML_DSA_44/65/87`, `ML_KEM_512/768/1024`.
    `usage` is the key usage in the vendor's vocabulary (`SIGN_VERIFY`, `ENCRYPT_DECRYPT`, ...)
    of the key seeded at start; `also` lists the other usages the vendor allows for the spec,
    for keys made later with `KeyStore.create` (`Emulator.create_key`).
    """

    algorithm: str
    usage: str
    also: tuple[str, ...] = ()

    @property
    def usages(self) -> tuple[str, ...]:
        return (self.usage, *self.also)


def _ml(module: str, cls: str) -> Callable[[], PrivateKeyTypes] | None:
    """An ML-DSA/ML-KEM generator, or None where this `cryptography` build has none."""
    import importlib

    try:
        found = getattr(importlib.import_module(f"cryptography.hazmat.primitives.asymmetric.{module}"), cls)
        generate: Callable[[], PrivateKeyTypes] = found.generate
        generate()  # some OpenSSL builds expose the class but cannot generate
    except Exception:
        return None
    return generate


def _generators() -> dict[str, Callable[[], PrivateKeyTypes]]:
    table: dict[str, Callable[[], PrivateKeyTypes]] = {
        "RSA_2048": lambda: rsa.generate_private_key(65537, 2048),
        "RSA_3072": lambda: rsa.generate_private_key(65537, 3072),
        "RSA_4096": lambda: rsa.generate_private_key(65537, 4096),
        "P256": lambda: ec.generate_private_key(ec.SECP256R1()),
        "P384": lambda: ec.generate_private_key(ec.SECP384R1()),
        "P521": lambda: ec.generate_private_key(ec.SECP521R1()),
        "SECP256K1": lambda: ec.generate_private_key(ec.SECP256K1()),
        "ED25519": ed25519.Ed25519PrivateKey.generate,
        # SM2 and ML-KEM-512: cryptography cannot generate them, so they are never seeded
        # (SM2 keys come on demand, see `can_create`).
    }
    for name, module, cls in (
        ("ML_DSA_44", "mldsa", "MLDSA44PrivateKey"),
        ("ML_DSA_65", "mldsa", "MLDSA65PrivateKey"),
        ("ML_DSA_87", "mldsa", "MLDSA87PrivateKey"),
        ("ML_KEM_768", "mlkem", "MLKEM768PrivateKey"),
        ("ML_KEM_1024", "mlkem", "MLKEM1024PrivateKey"),
    ):
        generate = _ml(module, cls)
        if generate is not None:
            table[name] = generate
    return table


_GENERATORS: dict[str, Callable[[], PrivateKeyTypes]] | None = None
_GENERATORS_LOCK = threading.Lock()


def generators() -> dict[str, Callable[[], PrivateKeyTypes]]:
    global _GENERATORS
    with _GENERATORS_LOCK:
        if _GENERATORS is None:
            _GENERATORS = _generators()
        return _GENERATORS


def can_generate(algorithm: str) -> bool:
    return algorithm in generators()


def can_create(algorithm: str) -> bool:
    """Whether `KeyStore.create` can make a key of this algorithm (the seeded ones, and SM2)."""
    return can_generate(algorithm) or algorithm in _ON_DEMAND


def generate_key(algorithm: str) -> tuple[bytes, bytes]:
    """(public SubjectPublicKeyInfo DER, private PKCS#8 DER) of a new key."""
    if algorithm == "SM2":
        key = sm2.generate()
        return key.public_key().spki(), key.pkcs8()
    private = generators()[algorithm]()
    public = private.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return public, private.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def default_alias(key_spec: str) -> str:
    """`alias/emulator-<spec>`, the spec lower-cased with `_` as `-`: `alias/emulator-ecc-nist-p256`."""
    return "alias/emulator-" + key_spec.lower().replace("_", "-")


def pem_of(der: bytes) -> str:
    body = base64.b64encode(der).decode("ascii")
    lines = [body[i : i + 64] for i in range(0, len(body), 64)]
    return "-----BEGIN PUBLIC KEY-----\n" + "\n".join(lines) + "\n-----END PUBLIC KEY-----\n"


@dataclasses.dataclass
class StoredKey:
    """One emulated KMS key. `enabled` changes through `KeyStore.set_enabled` only."""

    vendor: str
    key_id: str
    key_version_id: str
    key_spec: str
    key_usage: str
    algorithm: str
    public_der: bytes = dataclasses.field(repr=False)
    aliases: tuple[str, ...] = ()
    enabled: bool = True
    private_der: bytes = dataclasses.field(default=b"", repr=False)

    @property
    def public_key_pem(self) -> str:
        return pem_of(self.public_der)

    def to_json(self) -> dict[str, Any]:
        return {
            "vendor": self.vendor,
            "key_id": self.key_id,
            "key_version_id": self.key_version_id,
            "key_spec": self.key_spec,
            "key_usage": self.key_usage,
            "public_key_pem": self.public_key_pem,
            "aliases": list(self.aliases),
            "enabled": self.enabled,
        }

    @property
    def has_private_key(self) -> bool:
        return bool(self.private_der)

    def private_key(self) -> Private:
        """The private half, for the operations the vendor runs inside KMS (check `has_private_key`)."""
        if self.algorithm == "SM2":
            return sm2.load_pkcs8(self.private_der)
        return serialization.load_der_private_key(self.private_der, password=None)

    def _state(self) -> dict[str, Any]:
        private = base64.b64encode(self.private_der).decode("ascii")
        return {**self.to_json(), "algorithm": self.algorithm, "private_key_pkcs8": private}

    @classmethod
    def _from_state(cls, data: Mapping[str, Any]) -> StoredKey:
        from cryptography.hazmat.primitives.serialization import load_pem_public_key

        pem = data["public_key_pem"]
        if data["algorithm"] == "SM2":  # cryptography cannot read the SM2 curve; the PEM is ours
            der = base64.b64decode("".join(pem.strip().splitlines()[1:-1]))
        else:
            der = load_pem_public_key(pem.encode("ascii")).public_bytes(
                serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
            )
        return cls(
            vendor=data["vendor"],
            key_id=data["key_id"],
            key_version_id=data["key_version_id"],
            key_spec=data["key_spec"],
            key_usage=data["key_usage"],
            algorithm=data["algorithm"],
            public_der=der,
            aliases=tuple(data.get("aliases", ())),
            enabled=bool(data.get("enabled", True)),
            private_der=base64.b64decode(data.get("private_key_pkcs8", "")),
        )


class KeyStore:
    """Thread-safe store of `StoredKey`s, seeded from each vendor's declared key specs."""

    def __init__(self, keys: Iterable[StoredKey] = (), state_dir: Path | None = None) -> None:
        self._lock = threading.RLock()
        self._keys: dict[tuple[str, str], StoredKey] = {(k.vendor, k.key_id): k for k in keys}
        self._state_dir = state_dir

    @classmethod
    def seed(
        cls, specs: Mapping[str, Mapping[str, SpecInfo]], state_dir: Path | None = None, workers: int = 8
    ) -> KeyStore:
        """Load saved keys (if `state_dir`), then make any (vendor, spec) still missing.

        `specs` maps vendor -> {key spec -> SpecInfo}. Keys are generated in parallel threads
        (OpenSSL releases the GIL), since one RSA-4096 key can take a second or more.
        """
        saved: list[StoredKey] = []
        if state_dir is not None:
            path = state_dir / STATE_FILE
            if path.exists():
                data = json.loads(path.read_text(encoding="utf-8"))
                saved = [StoredKey._from_state(item) for item in data.get("keys", [])]
        have = {(k.vendor, k.key_spec) for k in saved}
        wanted = [
            (vendor, spec, info)
            for vendor, table in specs.items()
            for spec, info in table.items()
            if (vendor, spec) not in have and can_generate(info.algorithm)
        ]
        # Slowest first, so the RSA-4096 keys do not finish last on their own.
        wanted.sort(key=lambda item: item[2].algorithm.startswith("RSA_4096"), reverse=True)
        with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
            pairs = list(pool.map(lambda item: generate_key(item[2].algorithm), wanted))
        made = [
            StoredKey(
                vendor=vendor,
                key_id=str(uuid.uuid4()),
                key_version_id=str(uuid.uuid4()),
                key_spec=spec,
                key_usage=info.usage,
                algorithm=info.algorithm,
                public_der=public,
                aliases=(default_alias(spec),),
                private_der=private,
            )
            for (vendor, spec, info), (public, private) in zip(wanted, pairs, strict=True)
        ]
        store = cls([*saved, *made], state_dir)
        if made:
            store.save()
        return store

    def create(self, vendor: str, key_spec: str, info: SpecInfo, usage: str) -> StoredKey:
        """Make one more key of a spec with one of its usages, as CreateKey would; it gets the
        alias `alias/emulator-<spec>-<usage>` (lower-cased, `_` and `/` as `-`) while that is free."""
        if usage not in info.usages or not can_create(info.algorithm):
            raise ValueError(f"{vendor} cannot make a {key_spec} key for {usage}")
        public, private = generate_key(info.algorithm)
        alias = default_alias(f"{key_spec}_{usage}".replace("/", "_"))
        with self._lock:
            key = StoredKey(
                vendor=vendor,
                key_id=str(uuid.uuid4()),
                key_version_id=str(uuid.uuid4()),
                key_spec=key_spec,
                key_usage=usage,
                algorithm=info.algorithm,
                public_der=public,
                aliases=() if self.by_alias(vendor, alias) else (alias,),
                private_der=private,
            )
            self._keys[(vendor, key.key_id)] = key
            self.save()
        return key

    def save(self) -> None:
        """Write the keys to the state directory atomically; nothing without one."""
        if self._state_dir is None:
            return
        with self._lock:
            data = {"version": _STATE_VERSION, "keys": [k._state() for k in self._keys.values()]}
            self._state_dir.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self._state_dir, prefix=".keys-", suffix=".json")
            try:
                os.chmod(tmp, 0o600)
                with os.fdopen(fd, "w", encoding="utf-8") as handle:
                    json.dump(data, handle, indent=2)
                os.replace(tmp, self._state_dir / STATE_FILE)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise

    def all(self) -> list[StoredKey]:
        with self._lock:
            return sorted(self._keys.values(), key=lambda k: (k.vendor, k.key_spec, k.key_id))

    def for_vendor(self, vendor: str) -> list[StoredKey]:
        return [k for k in self.all() if k.vendor == vendor]

    def get(self, vendor: str, key_id: str) -> StoredKey | None:
        with self._lock:
            return self._keys.get((vendor, key_id))

    def by_alias(self, vendor: str, alias: str) -> StoredKey | None:
        with self._lock:
            for key in self._keys.values():
                if key.vendor == vendor and alias in key.aliases:
                    return key
        return None

    def set_enabled(self, key_id: str, enabled: bool, vendor: str | None = None) -> list[StoredKey]:
        """Enable or disable every key with this id (of one vendor, if given); returns them."""
        with self._lock:
            changed = [k for k in self._keys.values() if k.key_id == key_id and vendor in (None, k.vendor)]
            for key in changed:
                key.enabled = enabled
            if changed:
                self.save()
            return changed
