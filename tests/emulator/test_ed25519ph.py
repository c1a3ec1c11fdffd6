"""The emulator's Ed25519ph (cryptography has none) against RFC 8032 and cryptography's Ed25519.

The RFC 8032 section 7.3 vector ("TEST abc") is the published ground truth for Ed25519ph; with the
prehash switched off the same code must give byte-for-byte what `cryptography`'s Ed25519 gives
(Ed25519 is deterministic), which checks the curve arithmetic independently.
"""

from __future__ import annotations

import hashlib
import os

from cryptography.hazmat.primitives.asymmetric import ed25519

from kms_pubkey_emulator import ed25519ph

# RFC 8032, 7.3 Test Vectors for Ed25519ph, "TEST abc".
SECRET = bytes.fromhex("833fe62409237b9d62ec77587520911e9a759cec1d19755b7da901b96dca3d42")
PUBLIC = bytes.fromhex("ec172b93ad5e563bf4932c70e1245034c35467ef2efd4d64ebf819683467e2bf")
MESSAGE = b"abc"
SIGNATURE = bytes.fromhex(
    "98a70222f0b8121aa9d30f813d683f809e462b469c7ff87639499bb94e6dae41"
    "31f85042463c2a355a2003d062adf5aaa10b8c61e636062aaad11c2a26083406"
)


def test_rfc8032_ed25519ph_vector() -> None:
    assert ed25519ph.public_key(SECRET) == PUBLIC
    assert ed25519ph.sign(SECRET, MESSAGE) == SIGNATURE
    assert ed25519ph.sign_digest(SECRET, hashlib.sha512(MESSAGE).digest()) == SIGNATURE
    assert ed25519ph.verify(PUBLIC, SIGNATURE, MESSAGE)
    assert ed25519ph.verify_digest(PUBLIC, SIGNATURE, hashlib.sha512(MESSAGE).digest())


def test_rfc8032_vector_refuses_tampering() -> None:
    assert not ed25519ph.verify(PUBLIC, SIGNATURE, b"abd")
    assert not ed25519ph.verify(PUBLIC, SIGNATURE[:-1] + bytes([SIGNATURE[-1] ^ 1]), MESSAGE)
    assert not ed25519ph.verify(PUBLIC, SIGNATURE[:63], MESSAGE)
    # Pure Ed25519 over the same message is a different signature (dom2 separates them).
    pure = ed25519.Ed25519PrivateKey.from_private_bytes(SECRET).sign(MESSAGE)
    assert not ed25519ph.verify(PUBLIC, pure, MESSAGE)


def test_without_prehash_it_is_cryptographys_ed25519() -> None:
    for _ in range(5):
        seed, message = os.urandom(32), os.urandom(40)
        key = ed25519.Ed25519PrivateKey.from_private_bytes(seed)
        assert ed25519ph.public_key(seed) == key.public_key().public_bytes_raw()
        assert ed25519ph.sign(seed, message, prehash=False) == key.sign(message)
        assert ed25519ph.verify(ed25519ph.public_key(seed), key.sign(message), message, prehash=False)
