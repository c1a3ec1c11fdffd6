"""OpenSSH public keys (RFC 4253 ssh-rsa, RFC 5656 ecdsa-sha2-nistp*, RFC 8709 ssh-ed25519).

`cryptography` writes the wire format; this module only decides which keys OpenSSH has a
name for. secp256k1, SM2, ML-DSA and ML-KEM have none.
"""

from __future__ import annotations

import base64
from typing import TYPE_CHECKING

from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from kms_pubkey.derive.crypto import to_cryptography
from kms_pubkey.errors import UnsupportedKeyError, ValidationError
from kms_pubkey.read import parse_spki

if TYPE_CHECKING:
    from kms_pubkey.public_key import PublicKey

_SSH_TYPES = frozenset({"P256", "P384", "P521", "ED25519"})


def to_ssh(key: PublicKey, comment: str | None = None) -> str:
    line = ssh_public_key(key).decode("ascii")
    if comment is None:
        return line
    if not comment or any(c in comment for c in "\r\n"):
        raise ValidationError("an SSH key comment must be one non-empty line")
    return f"{line} {comment}"


def ssh_public_key(key: PublicKey) -> bytes:
    """`<type> <base64 blob>`, as in an authorized_keys line."""
    neutral = parse_spki(key.der).neutral
    if not (neutral.startswith("RSA_") or neutral in _SSH_TYPES):
        raise UnsupportedKeyError(f"OpenSSH has no key type for a {key.key_spec} key")
    return to_cryptography(key).public_bytes(Encoding.OpenSSH, PublicFormat.OpenSSH)


def ssh_blob(key: PublicKey) -> bytes:
    """The SSH wire encoding of the key, the bytes ssh-keygen fingerprints."""
    return base64.b64decode(ssh_public_key(key).split(b" ")[1])
