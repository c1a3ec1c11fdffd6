"""Request pieces every signature check needs, read from the bytes on the wire.

The emulator rebuilds each vendor's string to sign with its own code, never the client
library's, so a bug shared by both cannot pass (see DESIGN.md, "One vendor shape").
"""

from __future__ import annotations

import hashlib
import hmac
from urllib.parse import quote, unquote, unquote_plus

from werkzeug.wrappers import Request


def pct(value: str, safe: str = "") -> str:
    """RFC 3986 percent-encoding: everything but `A-Z a-z 0-9 - _ . ~` (and `safe`) is escaped."""
    return quote(value, safe="~" + safe)


def raw_target(request: Request) -> tuple[str, str]:
    """(path, query) exactly as they arrived in the request line, still percent-encoded."""
    uri = str(request.environ.get("RAW_URI") or request.environ.get("REQUEST_URI") or request.full_path)
    path, _, query = uri.partition("?")
    return path, query


def query_pairs(raw: str, *, plus_as_space: bool = False) -> list[tuple[str, str]]:
    """Decoded (name, value) pairs of a raw query, blank values kept, in arrival order."""
    decode = unquote_plus if plus_as_space else unquote
    pairs = []
    for part in raw.split("&"):
        if part:
            name, _, value = part.partition("=")
            pairs.append((decode(name), decode(value)))
    return pairs


def auth_fields(text: str) -> dict[str, str]:
    """`A=1, B=2,C=3` -> {"A": "1", "B": "2", "C": "3"} (the shape of every Authorization here)."""
    fields: dict[str, str] = {}
    for part in text.split(","):
        name, sep, value = part.strip().partition("=")
        if sep:
            fields[name] = value
    return fields


def header_lines(request: Request, names: list[str], *, collapse: bool = False, sort: bool = False) -> str:
    """`name:value\\n` for each name, values trimmed; a header sent twice has its values joined by `,`.

    `collapse` also squeezes inner runs of spaces (SigV4); `sort` orders repeated values (ACS3).
    """
    lines = []
    for name in names:
        values = [" ".join(v.split()) if collapse else v.strip() for v in request.headers.getlist(name)]
        lines.append(f"{name}:{','.join(sorted(values) if sort else values)}\n")
    return "".join(lines)


def sha256_hex(data: bytes | str) -> str:
    return hashlib.sha256(data.encode("utf-8") if isinstance(data, str) else data).hexdigest()


def hmac_sha256(key: bytes | str, message: str) -> bytes:
    raw = key.encode("utf-8") if isinstance(key, str) else key
    return hmac.new(raw, message.encode("utf-8"), hashlib.sha256).digest()


def same(expected: str, provided: str) -> bool:
    """Constant-time comparison of two signatures."""
    return hmac.compare_digest(expected.encode("utf-8"), provided.encode("utf-8"))


def canonical_query(pairs: list[tuple[str, str]]) -> str:
    """`k=v&...` with names and values percent-encoded, sorted by encoded name, then value."""
    return "&".join(f"{k}={v}" for k, v in sorted((pct(k), pct(v)) for k, v in pairs))
