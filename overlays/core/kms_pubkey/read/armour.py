"""Step 1 of reading: take the armour off. PEM, base64 or DER in; the DER inside out.

Private keys are refused here by their PEM label; their DER shapes are refused in `spki`.
"""

from __future__ import annotations

import base64
import binascii
import re

from kms_pubkey.errors import KeyFormatError

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


_BEGIN = "-----BEGIN "
_END = "-----END "
_DASHES = "-----"
_MAX_LABEL = 40
_PRIVATE_LABEL = re.compile(r"-----BEGIN [A-Z0-9 ]{0,40}?PRIVATE")  # bounded: linear in the text
_LABEL_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 ")


def _markers(text: str, prefix: str) -> list[tuple[int, int, str]]:
    """(start, end, label) of the first two well-formed `prefix LABEL-----` markers.

    A left-to-right pass of `str.find`, each step bounded by the label length, so hostile
    text (thousands of BEGIN lines and no END) costs linear time, unlike a lazy regex; two
    are enough to tell one block from several.
    """
    found: list[tuple[int, int, str]] = []
    pos = text.find(prefix)
    while pos >= 0 and len(found) < 2:
        label_start = pos + len(prefix)
        close = text.find(_DASHES, label_start, label_start + _MAX_LABEL + len(_DASHES))
        if close > label_start and _LABEL_CHARS.issuperset(text[label_start:close]):
            found.append((pos, close + len(_DASHES), text[label_start:close]))
            pos = text.find(prefix, close + len(_DASHES))
        else:
            pos = text.find(prefix, label_start)
    return found


def _from_pem(text: str) -> bytes:
    if "PRIVATE KEY-----" in text or _PRIVATE_LABEL.search(text):
        raise KeyFormatError(PRIVATE_KEY)
    begins = _markers(text, _BEGIN)
    ends = _markers(text, _END)
    if not begins or not ends or ends[-1][0] < begins[0][1]:
        raise KeyFormatError("not a public key: PEM armour is incomplete")
    if len(begins) != 1 or len(ends) != 1:
        raise KeyFormatError("expected one PEM block, found several")
    (_, body_start, begin), (body_end, _, end) = begins[0], ends[0]
    body = text[body_start:body_end]
    if begin != end:
        raise KeyFormatError(f"PEM labels differ: BEGIN {begin}, END {end}")
    if begin not in _PEM_LABELS:
        raise KeyFormatError(f"not a public key: unexpected PEM label {begin}")
    if ":" in body:
        raise KeyFormatError("not a public key: PEM headers are not used for public keys")
    # The label is not trusted: Huawei sends PKCS#1 under "PUBLIC KEY"; `spki` looks at the DER.
    return _b64decode(body, "the PEM body")
