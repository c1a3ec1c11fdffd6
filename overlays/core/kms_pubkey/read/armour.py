"""Step 1 of reading: take the armour off. PEM, base64 or DER in; the DER inside out.

Private keys are refused here by their PEM label; their DER shapes are refused in `spki`.
"""

from __future__ import annotations

import base64
import binascii
import re

from kms_pubkey.errors import KeyFormatError

_PEM_BLOCK = re.compile(r"-----BEGIN ([A-Z0-9 ]+)-----(.*?)-----END ([A-Z0-9 ]+)-----", re.DOTALL)
_PEM_BEGIN = re.compile(r"-----BEGIN ([A-Z0-9 ]{1,40})-----")
_PEM_LABELS = ("PUBLIC KEY", "RSA PUBLIC KEY")
_BASE64_TEXT = re.compile(r"[A-Za-z0-9+/=\s]+")
PRIVATE_KEY = "refusing a private key: pass the public key only"


def unarmour(data: object) -> bytes:
    """The DER inside `data`, which may be PEM, base64 or DER already."""
    if isinstance(data, (bytes, bytearray, memoryview)):
        raw = bytes(data)
        if raw[:1] == b"\x30":
            return raw
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise KeyFormatError("not a public key: binary data that is not DER") from None
    elif isinstance(data, str):
        text = data
    else:
        raise KeyFormatError(f"expected str or bytes, got {type(data).__name__}")
    # Literal "\n" escapes (Alibaba's docs), CRLF (Huawei's) and a byte-order mark are all noise.
    text = text.lstrip("\ufeff").replace("\\r", "").replace("\\n", "\n").replace("\r", "").strip()
    if not text:
        raise KeyFormatError("not a public key: the input is empty")
    if "-----BEGIN" in text or "-----END" in text:
        return _from_pem(text)
    if not _BASE64_TEXT.fullmatch(text):
        raise KeyFormatError("not a public key: neither PEM, DER nor base64 DER")
    return _b64decode(text, "the base64 text")


def _b64decode(text: str, what: str) -> bytes:
    try:
        raw = base64.b64decode("".join(text.split()), validate=True)
    except (binascii.Error, ValueError):
        raise KeyFormatError(f"not a public key: {what} is not valid base64") from None
    if not raw:
        raise KeyFormatError(f"not a public key: {what} is empty")
    return raw


def _from_pem(text: str) -> bytes:
    labels = _PEM_BEGIN.findall(text)
    if any("PRIVATE" in label for label in labels) or "PRIVATE KEY-----" in text:
        raise KeyFormatError(PRIVATE_KEY)
    blocks = _PEM_BLOCK.findall(text)
    if not blocks:
        raise KeyFormatError("not a public key: PEM armour is incomplete")
    if len(blocks) != 1 or len(labels) != 1:
        raise KeyFormatError("expected one PEM block, found several")
    begin, body, end = blocks[0]
    if begin != end:
        raise KeyFormatError(f"PEM labels differ: BEGIN {begin}, END {end}")
    if begin not in _PEM_LABELS:
        raise KeyFormatError(f"not a public key: unexpected PEM label {begin}")
    if ":" in body:
        raise KeyFormatError("not a public key: PEM headers are not used for public keys")
    # The label is not trusted: Huawei sends PKCS#1 under "PUBLIC KEY"; `spki` looks at the DER.
    return _b64decode(body, "the PEM body")
