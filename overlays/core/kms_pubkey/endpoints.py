"""Endpoint checks shared by every vendor: refuse a malformed URL before any request."""

from __future__ import annotations

import functools
import ipaddress
import os
import re
import ssl

import httpx

from kms_pubkey.errors import ValidationError

_REGION = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


def check_region(region: str, vendor: str) -> str:
    """A region is spliced into a host name, so only letters, digits and dashes pass."""
    if not isinstance(region, str) or not _REGION.fullmatch(region):
        raise ValidationError(f"{vendor} region {region!r} is not a region name like 'us-east-1'")
    return region


def check_endpoint(endpoint: str) -> str:
    """An absolute http(s) URL with a host and nothing after the path; returned without a trailing '/'."""
    try:
        url = httpx.URL(endpoint)
    except (httpx.InvalidURL, TypeError) as exc:
        raise ValidationError(f"endpoint is not a valid URL: {exc}") from None
    if url.scheme not in ("http", "https") or not url.host:
        raise ValidationError("endpoint must be an absolute http:// or https:// URL with a host")
    if url.query or url.fragment or url.userinfo:
        raise ValidationError("endpoint must not carry a query, fragment or user info")
    return str(url).rstrip("/")


def is_loopback(endpoint: str) -> bool:
    host = httpx.URL(endpoint).host
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def tls_verify(ca_file: str | os.PathLike[str] | None, setting: str = "ca_file") -> ssl.SSLContext | bool:
    """Verify servers against the CAs in `ca_file` (PEM) when one is given, else the system store.

    `setting` names the argument or variable it came from, for the message. Loading a CA bundle
    takes tens of milliseconds, so one context per file (and its modification time) is shared by
    every client: an `SSLContext` is safe to share once it is set up."""
    if ca_file is None:
        return True
    path = os.fspath(ca_file)
    try:
        return _context(path, os.stat(path).st_mtime_ns)
    except (OSError, ssl.SSLError, ValueError, TypeError) as exc:
        raise ValidationError(f"cannot use {setting} {path!r}: {type(exc).__name__}") from None


@functools.cache
def default_context() -> ssl.SSLContext:
    """httpx's own default trust (certifi, or `SSL_CERT_FILE`/`SSL_CERT_DIR`), made once per
    process: httpx would make one per client, ~30 ms each, which a process that builds many
    clients (a key cache, a client per request) pays again and again."""
    return httpx.create_ssl_context()


@functools.lru_cache(maxsize=8)
def _context(path: str, mtime_ns: int) -> ssl.SSLContext:
    return ssl.create_default_context(cafile=path)
