"""Offline verify per call: `PublicKey.verify` against the same check through `cryptography` directly.

`python bench/offline.py [ROUNDS] [SECONDS]` prints JSON: per case, the median over
interleaved rounds of CPU microseconds per call (process time, as the machine may be shared),
ours and direct. Direct is the tightest code a user could write: the `cryptography` key,
padding and hash objects built once, outside the loop. SM2 has no direct counterpart
(`cryptography` has no SM2) and is reported alone.
`make bench` runs it through `run.py`; it needs no server.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa

import kms_pubkey

MESSAGE = b"a release manifest, signed by the KMS" * 4


def _spki(private: Any) -> bytes:
    return private.public_key().public_bytes(  # type: ignore[no-any-return]
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def _sm2_case() -> Callable[[], None]:
    """An SM2 key and signature from the OpenSSL command line (cryptography cannot make either)."""
    with tempfile.TemporaryDirectory() as folder:
        private, public, message, signature = (Path(folder) / n for n in ("k.pem", "p.pem", "m", "s"))
        message.write_bytes(MESSAGE)
        run = [["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:SM2", "-out", private]]
        run.append(["pkey", "-in", private, "-pubout", "-out", public])
        run.append(["pkeyutl", "-sign", "-rawin", "-digest", "sm3", "-inkey", private, "-in", message])
        run[-1] += ["-pkeyopt", "distid:1234567812345678", "-out", signature]
        for args in run:
            subprocess.run(["openssl", *map(str, args)], check=True, capture_output=True, timeout=60)
        key = kms_pubkey.load_public_key(public.read_text())
        sig = signature.read_bytes()
    return lambda: key.verify(sig, MESSAGE, algorithm="SM2DSA")


def cases() -> dict[str, tuple[Callable[[], None], Callable[[], None] | None]]:
    """name -> (ours, direct)."""
    p256 = ec.generate_private_key(ec.SECP256R1())
    ecdsa = ec.ECDSA(hashes.SHA256())
    p256_sig, p256_pub = p256.sign(MESSAGE, ecdsa), p256.public_key()
    p256_key = kms_pubkey.load_public_key(_spki(p256))

    rsa_private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pss = padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=padding.PSS.DIGEST_LENGTH)
    sha256 = hashes.SHA256()
    rsa_sig, rsa_pub = rsa_private.sign(MESSAGE, pss, sha256), rsa_private.public_key()
    rsa_key = kms_pubkey.load_public_key(_spki(rsa_private))

    edwards = ed25519.Ed25519PrivateKey.generate()
    ed_sig, ed_pub = edwards.sign(MESSAGE), edwards.public_key()
    ed_key = kms_pubkey.load_public_key(_spki(edwards))

    return {
        "ECDSA P-256": (
            lambda: p256_key.verify(p256_sig, MESSAGE, algorithm="ECDSA_SHA_256"),
            lambda: p256_pub.verify(p256_sig, MESSAGE, ecdsa),
        ),
        "RSA-2048 PSS": (
            lambda: rsa_key.verify(rsa_sig, MESSAGE, algorithm="RSASSA_PSS_SHA_256"),
            lambda: rsa_pub.verify(rsa_sig, MESSAGE, pss, sha256),
        ),
        "Ed25519": (
            lambda: ed_key.verify(ed_sig, MESSAGE, algorithm="ED25519_SHA_512"),
            lambda: ed_pub.verify(ed_sig, MESSAGE),
        ),
        "SM2": (_sm2_case(), None),
    }


def _per_call_us(fn: Callable[[], None], seconds: float) -> float:
    calls, started = 0, time.process_time()
    while True:
        for _ in range(20):
            fn()
        calls += 20
        elapsed = time.process_time() - started
        if elapsed >= seconds:
            return elapsed / calls * 1e6


def measure(rounds: int, seconds: float) -> dict[str, Any]:
    chosen = cases()
    timings: dict[str, dict[str, list[float]]] = {name: {"ours": [], "direct": []} for name in chosen}
    for ours, direct in chosen.values():  # warm up: the first call settles what `verify` remembers
        ours()
        if direct:
            direct()
    for index in range(rounds):
        for name, (ours, direct) in chosen.items():
            pair = [("ours", ours), ("direct", direct)] if direct else [("ours", ours)]
            for side, fn in pair if index % 2 == 0 else pair[::-1]:
                timings[name][side].append(_per_call_us(fn, seconds))
    return {
        name: {side: statistics.median(values) for side, values in sides.items() if values}
        for name, sides in timings.items()
    }


if __name__ == "__main__":
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 7
    seconds = float(sys.argv[2]) if len(sys.argv) > 2 else 0.2
    json.dump(measure(rounds, seconds), sys.stdout)
