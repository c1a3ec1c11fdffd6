"""The ClientKey of a KMS instance application access point: its id and RSA private key.

The console hands out a JSON file `{"KeyId": "KAAP...", "PrivateKeyData": "<base64 PKCS#12>"}`
and, separately, the password that protects the PKCS#12. It is read here with
`cryptography` (`pkcs12.load_key_and_certificates`), as the official SDK reads it with
pyOpenSSL. Nothing in this module puts the password, the PKCS#12 or the private key in a
message, a repr or a log: a bad file or a wrong password is a `ValidationError` that names
the file and what is wrong with it, never its content.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12

from kms_pubkey.errors import ValidationError
from kms_pubkey.frozen import Frozen

MAX_CLIENT_KEY_BYTES = 1 << 20


class ClientKey(Frozen):
    """The ClientKey id (sent as `x-kms-acccesskeyid`) and its private key (never shown)."""

    __slots__ = ("key_id", "private_key", "source")
    _hidden = frozenset({"private_key"})
    key_id: str
    private_key: rsa.RSAPrivateKey
    source: str

    def __init__(self, key_id: str, private_key: rsa.RSAPrivateKey, source: str = "explicit") -> None:
        self._set(key_id=key_id, private_key=private_key, source=source)


def _password_bytes(password: str | bytes | None) -> bytes:
    if password is None:
        raise ValidationError("a ClientKey needs its password (client_key_password)")
    if isinstance(password, bytes):
        return password
    if isinstance(password, str):
        return password.encode("utf-8")
    raise ValidationError("client_key_password must be a str or bytes")


def parse_client_key(
    content: str | bytes, password: str | bytes | None, source: str = "content"
) -> ClientKey:
    """A ClientKey from the JSON text of a ClientKey file."""
    secret = _password_bytes(password)
    try:
        document: Any = json.loads(content)
    except (ValueError, TypeError):
        raise ValidationError(f"ClientKey {source} is not JSON") from None
    if not isinstance(document, dict):
        raise ValidationError(f"ClientKey {source} is not a JSON object")
    key_id = document.get("KeyId")
    data = document.get("PrivateKeyData")
    if not isinstance(key_id, str) or not key_id.strip():
        raise ValidationError(f"ClientKey {source} has no KeyId")
    if not isinstance(data, str) or not data.strip():
        raise ValidationError(f"ClientKey {source} has no PrivateKeyData")
    try:
        der = base64.b64decode("".join(data.split()), validate=True)
    except (binascii.Error, ValueError):
        raise ValidationError(f"ClientKey {source}: PrivateKeyData is not base64") from None
    try:
        private_key, _, _ = pkcs12.load_key_and_certificates(der, secret)
    except (ValueError, TypeError):
        # cryptography says "Invalid password or PKCS12 data" and nothing more.
        raise ValidationError(
            f"ClientKey {source}: cannot open PrivateKeyData (wrong password, or not PKCS#12)"
        ) from None
    if not isinstance(private_key, rsa.RSAPrivateKey):
        raise ValidationError(f"ClientKey {source}: the private key is not RSA, so it cannot sign requests")
    return ClientKey(key_id.strip(), private_key, source)


def load_client_key(path: str | os.PathLike[str], password: str | bytes | None) -> ClientKey:
    """A ClientKey from a ClientKey file."""
    if not isinstance(path, (str, os.PathLike)) or not str(path):
        raise ValidationError("client_key_file must be a path")
    file = Path(path).expanduser()
    name = f"file {str(file)!r}"
    try:
        with file.open("rb") as handle:
            content = handle.read(MAX_CLIENT_KEY_BYTES + 1)
    except FileNotFoundError:
        raise ValidationError(f"ClientKey {name} does not exist") from None
    except OSError as exc:
        raise ValidationError(f"cannot read ClientKey {name}: {type(exc).__name__}") from None
    if len(content) > MAX_CLIENT_KEY_BYTES:
        raise ValidationError(f"ClientKey {name} is too large to be a ClientKey")
    return parse_client_key(content, password, name)
