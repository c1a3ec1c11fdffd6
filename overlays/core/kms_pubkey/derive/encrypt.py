"""Encrypt to a KMS key offline, so that the service's Decrypt opens the ciphertext."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from kms_pubkey import algorithms
from kms_pubkey.derive import sm2
from kms_pubkey.derive.crypto import to_cryptography
from kms_pubkey.derive.usage import allowed
from kms_pubkey.errors import ValidationError
from kms_pubkey.read import numbers, parse_spki

if TYPE_CHECKING:
    from kms_pubkey.public_key import PublicKey

_HASHES: dict[str, type[hashes.SHA1 | hashes.SHA256]] = {"sha1": hashes.SHA1, "sha256": hashes.SHA256}


def limit(key: PublicKey, algorithm: str) -> int:
    """The longest plaintext `algorithm` takes with this key, in bytes."""
    return _limit(*allowed(key, "encrypt", algorithm, algorithms.ENCRYPTION, key.encryption_algorithms))


def _limit(entry: algorithms.Encryption, neutral: str) -> int:
    if entry.limit is not None:
        return entry.limit
    modulus_bytes = (int(neutral.removeprefix("RSA_")) + 7) // 8
    return modulus_bytes - 2 * _HASHES[entry.hash]().digest_size - 2  # RFC 8017 section 7.1.1


def encrypt(key: PublicKey, plaintext: bytes, *, algorithm: str) -> bytes:
    entry, neutral = allowed(key, "encrypt", algorithm, algorithms.ENCRYPTION, key.encryption_algorithms)
    most = _limit(entry, neutral)
    if not plaintext:
        raise ValidationError("the plaintext is empty; every KMS refuses to encrypt nothing")
    if len(plaintext) > most:
        raise ValidationError(
            f"{algorithm} with a {key.key_spec} key encrypts at most {most} bytes, not {len(plaintext)}"
        )
    if entry.scheme == "SM2":
        # DER C1C3C2 (GM/T 0009) for all three: Huawei's per a gmsm maintainer; AWS's and
        # Alibaba's are unconfirmed: we follow GM/T 0009, the layout OpenSSL reads and writes.
        return sm2.encrypt(numbers.ec_point(neutral, parse_spki(key.der).key_bits), plaintext)
    public = to_cryptography(key)
    assert isinstance(public, rsa.RSAPublicKey)
    digest = _HASHES[entry.hash]()
    return public.encrypt(plaintext, padding.OAEP(mgf=padding.MGF1(digest), algorithm=digest, label=None))
