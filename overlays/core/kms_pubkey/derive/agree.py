"""Shared secrets with a KMS key: ECDH as AWS DeriveSharedSecret returns it, and ML-KEM."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cryptography.hazmat.primitives.asymmetric import ec

from kms_pubkey import algorithms
from kms_pubkey.derive.crypto import to_cryptography
from kms_pubkey.derive.usage import allowed
from kms_pubkey.errors import UnsupportedKeyError, ValidationError

if TYPE_CHECKING:
    from kms_pubkey.public_key import PublicKey


def derive_shared_secret(key: PublicKey, private_key: ec.EllipticCurvePrivateKey, *, algorithm: str) -> bytes:
    """The raw ECDH Z (the x coordinate, no KDF): what DeriveSharedSecret returns for the same pair."""
    _, neutral = allowed(key, "agree", algorithm, algorithms.KEY_AGREEMENT, key.key_agreement_algorithms)
    if neutral == "SM2":
        raise UnsupportedKeyError(
            "SM2 key agreement needs an SM2 private key, which cryptography cannot hold"
        )
    public = to_cryptography(key)
    assert isinstance(public, ec.EllipticCurvePublicKey)
    if not isinstance(private_key, ec.EllipticCurvePrivateKey) or private_key.curve.name != public.curve.name:
        raise ValidationError(
            f"ECDH with a {key.key_spec} key needs a private key on the curve {public.curve.name}"
        )
    return private_key.exchange(ec.ECDH(), public)


def encapsulate(key: PublicKey, *, algorithm: str) -> tuple[bytes, bytes]:
    """(shared secret, ciphertext) for an ML-KEM key; the service's Decapsulate opens the ciphertext."""
    allowed(key, "encapsulate", algorithm, algorithms.ENCAPSULATION, key.encapsulation_algorithms)
    public = to_cryptography(key)  # UnsupportedKeyError for ML-KEM-512 and before cryptography 47
    encapsulate_one = getattr(public, "encapsulate", None)
    if encapsulate_one is None:  # pragma: no cover - to_cryptography refuses what it cannot hold
        raise UnsupportedKeyError(f"the cryptography library cannot encapsulate to a {key.key_spec} key")
    secret, ciphertext = encapsulate_one()
    return bytes(secret), bytes(ciphertext)
