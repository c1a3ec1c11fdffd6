"""Alibaba Cloud's V3 request signature, ACS3-HMAC-SHA256, as pure steps plus an httpx adapter.

    canonical request = METHOD \n PATH \n sorted-query \n canonical-headers \n signed-headers \n sha256(body)
    string to sign    = "ACS3-HMAC-SHA256" \n hex(sha256(canonical request))
    signature         = hex(HMAC-SHA256(secret, string to sign))
    Authorization     = ACS3-HMAC-SHA256 Credential=AK,SignedHeaders=a;b,Signature=signature

Checked against the documentation's worked example and against the official SDK's
`Utils.get_authorization` (alibabacloud-tea-openapi). The clock and the nonce are injected,
so a retry re-signs with a fresh date and nonce and tests can pin both.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from functools import lru_cache

import httpx

from kms_pubkey import signing as kit
from kms_pubkey.credentials import Credentials
from kms_pubkey.signing import EMPTY_SHA256 as EMPTY_SHA256
from kms_pubkey.signing import Canonical, Pairs
from kms_pubkey.signing import new_nonce as new_nonce

ALGORITHM = "ACS3-HMAC-SHA256"
DATE_FORMAT = kit.EXTENDED_FORMAT  # x-acs-date


def canonical_headers(headers: Iterable[tuple[str, str]], *, normalized: bool = False) -> tuple[str, str]:
    """Values trimmed; the values of a repeated name are sorted and joined with ','."""
    return kit.canonical_headers(headers, join=_sorted_join, normalized=normalized)


def _sorted_join(values: list[str]) -> str:
    return ",".join(sorted(values))


def canonical_request(method: str, path: str, query: Pairs, headers: Pairs, payload_hash: str) -> Canonical:
    """`path` is the encoded path as sent ('/' for RPC)."""
    return kit.canonical_request(
        method, path or "/", kit.canonical_query(query), canonical_headers(headers), payload_hash
    )


def string_to_sign(canonical: str) -> str:
    return f"{ALGORITHM}\n{kit.sha256_hex(canonical)}"


signature = kit.hmac_hex  # hex HMAC-SHA256 keyed by the secret itself


def authorization(access_key_id: str, signed_headers: str, sig: str) -> str:
    return f"{ALGORITHM} Credential={access_key_id},SignedHeaders={signed_headers},Signature={sig}"


_ALWAYS_SIGNED = frozenset({"host", "content-type"})


def is_signed_header(name: str) -> bool:
    """What we sign: host, content-type and every x-acs-* header (what the gateway requires)."""
    name = name.lower()
    return name in _ALWAYS_SIGNED or name.startswith("x-acs-")


# The headers `signing_headers` writes (with and without STS credentials), and Authorization:
# a request's own value of any of them is replaced, never signed.
_OWN = frozenset({"x-acs-date", "x-acs-signature-nonce", "x-acs-content-sha256", "authorization"})
_STS_HEADERS = ("x-acs-accesskey-id", "x-acs-security-token")
_OWN_WITH_TOKEN = _OWN.union(_STS_HEADERS)


def signing_headers(credentials: Credentials, now: datetime, nonce: str, payload_hash: str) -> dict[str, str]:
    """The x-acs-* headers the signature adds before it is computed."""
    added = {
        "x-acs-date": kit.extended_utc(now),
        "x-acs-signature-nonce": nonce,
        "x-acs-content-sha256": payload_hash,
    }
    if credentials.token:
        # As the official SDK does for STS credentials.
        added["x-acs-accesskey-id"] = credentials.access_key_id
        added["x-acs-security-token"] = credentials.token
    return added


_SIGNING_NAMES = (
    "x-acs-date",
    "x-acs-signature-nonce",
    "x-acs-content-sha256",
)  # as `signing_headers` writes
_SIGNING_NAMES_WITH_TOKEN = (*_SIGNING_NAMES, *_STS_HEADERS)


@lru_cache(maxsize=64)
def _header_plan(headers: tuple[tuple[str, str], ...], with_token: bool) -> tuple[str, str]:
    """(canonical header block with a `%(name)s` slot for each signing header, signed list).

    A client sends the same headers with every request of one action, whatever the key, and
    only the signing headers' values change: so the block is made once per set of headers and
    filled in per request. The request's own names and values have '%' doubled for that
    (which keeps their order), and its own values of the signing headers are never signed.
    """
    replaced = _OWN_WITH_TOKEN if with_token else _OWN
    own = [  # `is_signed_header`, inlined
        (name.replace("%", "%%"), value.strip().replace("%", "%%"))
        for key, value in headers
        if ((name := key.lower()) in _ALWAYS_SIGNED or name.startswith("x-acs-")) and name not in replaced
    ]
    slots = [(name, f"%({name})s") for name in (_SIGNING_NAMES_WITH_TOKEN if with_token else _SIGNING_NAMES)]
    block, signed = canonical_headers([*own, *slots], normalized=True)
    return block, signed.replace("%%", "%")


def sign(
    method: str,
    path: str,
    query: Iterable[tuple[str, str]],
    headers: Mapping[str, str] | Iterable[tuple[str, str]],
    body: bytes,
    credentials: Credentials,
    now: datetime,
    nonce: str,
) -> dict[str, str]:
    """Every header to set on the request: the x-acs-* signing headers and `Authorization`.

    `headers` are the request's headers without any of those; only the signable ones
    (see `is_signed_header`) enter the signature.
    """
    return _sign(method, path, kit.canonical_query(query), headers, body, credentials, now, nonce)


def _sign(
    method: str,
    path: str,
    query: str,
    headers: Mapping[str, str] | Iterable[tuple[str, str]],
    body: bytes,
    credentials: Credentials,
    now: datetime,
    nonce: str,
) -> dict[str, str]:
    """`sign` with the query canonical already (the adapter makes it from the raw query)."""
    payload_hash = kit.sha256_hex(body) if body else EMPTY_SHA256  # RPC-style calls send no body
    # A Mapping check is slow (an ABC), and a list (what the adapter gives) never is one.
    items = headers.items() if type(headers) is not list and isinstance(headers, Mapping) else headers
    added = signing_headers(credentials, now, nonce, payload_hash)
    block, signed = _header_plan(tuple(items), bool(credentials.token))
    canonical, _ = kit.canonical_request(method, path or "/", query, (block % added, signed), payload_hash)
    added["Authorization"] = authorization(
        credentials.access_key_id, signed, signature(credentials.secret, string_to_sign(canonical))
    )
    return added


class Acs3Auth(kit.SignerAuth):
    """Signs each request (and each retry) with ACS3-HMAC-SHA256, from one credentials snapshot each time."""

    uses_nonce = True

    def sign(self, request: httpx.Request, credentials: Credentials, now: datetime, nonce: str) -> None:
        path, query = kit.split_target(request)
        # Our own headers from an earlier attempt are left out: `sign` replaces those it adds,
        # and the STS ones must go when this snapshot has no token.
        # Only the headers `is_signed_header` keeps are read: the rest never enters the signature.
        headers = kit.signable_pairs(request, "x-acs-", _OWN_WITH_TOKEN)
        added = _sign(
            request.method,
            path,
            kit.canonical_raw_query(query, plus_as_space=True),
            headers,
            request.content,
            credentials,
            now,
            nonce,
        )
        kit.set_headers(request, added.items(), drop=() if credentials.token else _STS_HEADERS)
