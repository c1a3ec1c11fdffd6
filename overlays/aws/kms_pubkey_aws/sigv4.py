"""AWS Signature Version 4 as pure steps, plus the httpx adapter that applies them.

The steps follow the published algorithm (canonical request, string to sign, signing key,
signature) and are checked against the official SigV4 suite and against botocore.
The clock is injected, so a retry re-signs with a fresh timestamp and tests pin the time.
"""

from __future__ import annotations

import posixpath
from datetime import datetime
from functools import lru_cache
from urllib.parse import unquote

import httpx

from kms_pubkey import signing as kit
from kms_pubkey.credential_sources import CredentialSource
from kms_pubkey.credentials import Credentials
from kms_pubkey.signing import Canonical, Pairs

ALGORITHM = "AWS4-HMAC-SHA256"
# The X-Amz-Date stamp; its first 8 characters are the credential scope's date. A naive
# time is taken as UTC (as `datetime.utcnow()` and botocore give).
amz_date = kit.basic_utc


def canonical_uri(path: str, *, normalize: bool = True) -> str:
    """The decoded path, dot segments removed when `normalize`, percent-encoded once."""
    if not path or path == "/":
        return "/"  # every KMS request
    if normalize:
        trailing = path.endswith("/") and path != "/"
        path = posixpath.normpath(path)
        path = "/" + path.lstrip("/")  # normpath keeps a leading '//'
        if trailing and not path.endswith("/"):
            path += "/"
    return kit.percent_encode(path, keep_slash=True)


def canonical_headers(headers: Pairs) -> Canonical:
    """Repeated names join their values with commas in order; values are trimmed and
    inner runs of white space (folded lines included) become one space."""
    return kit.canonical_headers(headers, clean=_collapse)


def _collapse(value: str) -> str:
    return " ".join(value.split())


def canonical_request(
    method: str, path: str, query: Pairs, headers: Pairs, payload_hash: str, *, normalize: bool = True
) -> Canonical:
    uri = canonical_uri(path, normalize=normalize)
    return kit.canonical_request(
        method, uri, kit.canonical_query(query), canonical_headers(headers), payload_hash
    )


def credential_scope(date: str, region: str, service: str) -> str:
    return f"{date}/{region}/{service}/aws4_request"


def string_to_sign(amz_date: str, scope: str, canonical: str) -> str:
    return f"{ALGORITHM}\n{amz_date}\n{scope}\n{kit.sha256_hex(canonical)}"


@lru_cache(maxsize=64)
def signing_key(secret: str, date: str, region: str, service: str) -> bytes:
    """The day's derived key; cached because it changes once a day per region."""
    key = kit.hmac_raw("AWS4" + secret, date)
    for part in (region, service, "aws4_request"):
        key = kit.hmac_raw(key, part)
    return key


def signature(key: bytes, text: str) -> str:
    return kit.hmac_hex(key, text)


def authorization(access_key_id: str, scope: str, signed_headers: str, sig: str) -> str:
    return f"{ALGORITHM} Credential={access_key_id}/{scope}, SignedHeaders={signed_headers}, Signature={sig}"


# What the adapter writes: a request's own value of any of these is replaced, never signed.
_OWN = frozenset({"x-amz-date", "x-amz-security-token", "authorization"})


class SigV4Auth(kit.SignerAuth):
    """Signs each request (and each retry) with SigV4, from one credentials snapshot each time."""

    shown_fields = ("region",)

    def __init__(
        self,
        credentials: Credentials | CredentialSource,
        region: str,
        service: str = "kms",
        clock: kit.Clock = kit.utc_now,
    ) -> None:
        super().__init__(credentials, clock=clock)
        self._region = region
        self._service = service

    @property
    def region(self) -> str:
        return self._region

    def sign(self, request: httpx.Request, credentials: Credentials, now: datetime, nonce: str) -> None:
        stamp = amz_date(now)
        added = [("X-Amz-Date", stamp)]
        if credentials.token:
            added.append(("X-Amz-Security-Token", credentials.token))
        # `canonical_request`'s rules, applied to what is known of an httpx request: its names are
        # lower-case already (values cleaned as `_collapse` does, inline), and its query is read
        # straight from the raw one. Signed as botocore signs for KMS: host, content-type, x-amz-*.
        pairs = kit.signable_pairs(request, "x-amz-", _OWN)
        headers = [(name, " ".join(value.split())) for name, value in pairs]
        headers += [(name.lower(), value) for name, value in added]
        payload_hash = kit.sha256_hex(request.content)
        raw_path, raw_query = kit.split_target(request)
        canonical, signed = kit.canonical_request(
            request.method,
            canonical_uri(unquote(raw_path)),
            kit.canonical_raw_query(raw_query),
            kit.canonical_headers(headers, normalized=True),
            payload_hash,
        )
        scope = credential_scope(stamp[:8], self._region, self._service)
        key = signing_key(credentials.secret, stamp[:8], self._region, self._service)
        sig = signature(key, string_to_sign(stamp, scope, canonical))
        added.append(("Authorization", authorization(credentials.access_key_id, scope, signed, sig)))
        # An earlier attempt's token goes too: this snapshot may have none.
        kit.set_headers(request, added, drop=() if credentials.token else ("x-amz-security-token",))
