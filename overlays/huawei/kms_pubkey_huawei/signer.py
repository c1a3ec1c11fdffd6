"""Huawei Cloud AK/SK signing (`SDK-HMAC-SHA256`) as pure steps, plus the httpx adapters.

The steps follow the published algorithm, as huaweicloudsdkcore's `Signer` implements it:

- canonical request `METHOD\\nURI\\nQUERY\\nHEADERS\\nSIGNED\\nPAYLOAD-HASH`, where the URI is the
  decoded path with each segment encoded again and always ends in `/`, and a header with `_` in
  its name is never signed;
- string to sign `SDK-HMAC-SHA256\\n<X-Sdk-Date>\\n<sha256 hex of the canonical request>`;
- signature `hex(HMAC-SHA256(SK, string to sign))`: the secret is the key, with no derivation.

They are checked against the documentation vector and against huaweicloudsdkcore. The clock is
injected, so a retry re-signs with a fresh timestamp and tests pin the time.
"""

from __future__ import annotations

from collections.abc import Generator, Sequence
from datetime import datetime
from urllib.parse import unquote

import httpx

from kms_pubkey import signing as kit
from kms_pubkey.credential_sources import CredentialSource
from kms_pubkey.credentials import Credentials
from kms_pubkey.signing import EMPTY_SHA256 as EMPTY_SHA256
from kms_pubkey.signing import Canonical, Pairs

ALGORITHM = "SDK-HMAC-SHA256"
DATE_HEADER = "X-Sdk-Date"
CONTENT_HASH_HEADER = "X-Sdk-Content-Sha256"
PROJECT_HEADER = "X-Project-Id"
SECURITY_TOKEN_HEADER = "X-Security-Token"
AUTH_TOKEN_HEADER = "X-Auth-Token"
DATE_FORMAT = kit.BASIC_FORMAT  # X-Sdk-Date
UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD"
_CONTENT_HASH = CONTENT_HASH_HEADER.lower()
sdk_date = kit.basic_utc  # the X-Sdk-Date stamp


def canonical_uri(path: str) -> str:
    """Each decoded path segment encoded again; always ends in '/', though the wire path need not."""
    uri = kit.percent_encode(unquote(path), keep_slash=True)
    return uri if uri.endswith("/") else uri + "/"


def signable(name: str) -> bool:
    """A header whose name has '_' in it is never signed."""
    return "_" not in name


def canonical_headers(headers: Pairs) -> Canonical:
    """Values trimmed, the last of a repeated name wins, names with '_' left out."""
    return kit.canonical_headers([(k, v) for k, v in headers if "_" not in k], join=_last)  # see `signable`


def _last(values: list[str]) -> str:
    return values[-1]


def payload_hash(body: bytes, headers: Sequence[tuple[str, str]]) -> str:
    """sha256 hex of the body; an empty body hashes as empty even when the content hash header is set."""
    if not body:
        return EMPTY_SHA256
    for name, value in headers:
        if value and name.lower() == _CONTENT_HASH:
            return value
    return kit.sha256_hex(body)


def needs_unsigned_payload(content_type: str | None) -> bool:
    """A body that is not JSON (or BSON) is sent with `X-Sdk-Content-Sha256: UNSIGNED-PAYLOAD`."""
    if not content_type:
        return False
    return not content_type.startswith(("application/json", "application/bson"))


def canonical_request(method: str, path: str, query: Pairs, headers: Pairs, body_hash: str) -> Canonical:
    # The query is sorted before it is encoded, as huaweicloudsdkcore does.
    query_text = kit.canonical_query(query, sort_decoded=True)
    return kit.canonical_request(
        method, canonical_uri(path), query_text, canonical_headers(headers), body_hash
    )


def string_to_sign(sdk_date: str, canonical: str) -> str:
    return f"{ALGORITHM}\n{sdk_date}\n{kit.sha256_hex(canonical)}"


signature = kit.hmac_hex  # hex HMAC-SHA256 keyed by SK directly, no key derivation


def authorization(access_key: str, signed_headers: str, sig: str) -> str:
    return f"{ALGORITHM} Access={access_key}, SignedHeaders={signed_headers}, Signature={sig}"


# What `sign_request` writes, with and without a project id: a request's own value of any of
# these is replaced, never signed (an earlier attempt's token too: this snapshot may have none).
_OWN = frozenset(name.lower() for name in (DATE_HEADER, SECURITY_TOKEN_HEADER, "Authorization"))
_OWN_WITH_PROJECT = _OWN | {PROJECT_HEADER.lower()}


def _signed_on_the_wire(name: str) -> bool:
    # What we sign of an httpx request: host, content-type and the x-* headers. Headers httpx
    # manages (accept-encoding, connection, content-length, user-agent) are left out, so a
    # proxy that rewrites them cannot break the signature. `name` is lower-case.
    return name in ("host", "content-type") or name.startswith("x-")


def sign_request(
    request: httpx.Request,
    credentials: Credentials,
    stamp: str,
    project_id: str | None = None,
) -> None:
    """Add X-Sdk-Date, X-Project-Id, X-Security-Token and Authorization to `request` in place."""
    added = [(DATE_HEADER, stamp)]
    if project_id:
        added.append((PROJECT_HEADER, project_id))
    if credentials.token:
        added.append((SECURITY_TOKEN_HEADER, credentials.token))
    own = _OWN_WITH_PROJECT if project_id else _OWN
    # Only what `_signed_on_the_wire` keeps is read (content-type among it): nothing else is used.
    pairs = kit.signable_pairs(request, "x-", own)
    content_type = next((value for name, value in pairs if name == "content-type"), None)
    if needs_unsigned_payload(content_type):
        added.append((CONTENT_HASH_HEADER, UNSIGNED_PAYLOAD))
        pairs = [(name, value) for name, value in pairs if name != _CONTENT_HASH]
    headers = [(name, value) for name, value in pairs if _signed_on_the_wire(name)]
    headers += [(name.lower(), value) for name, value in added]
    raw_path, raw_query = kit.split_target(request)
    canonical, signed = canonical_request(
        request.method, raw_path, kit.parse_query(raw_query), headers, payload_hash(request.content, headers)
    )
    sig = signature(credentials.secret, string_to_sign(stamp, canonical))
    added.append(("Authorization", authorization(credentials.access_key_id, signed, sig)))
    kit.set_headers(request, added, drop=() if credentials.token else (SECURITY_TOKEN_HEADER.lower(),))


class AkSkAuth(kit.SignerAuth):
    """Signs each request (and each retry) with SDK-HMAC-SHA256, from one credentials snapshot each time."""

    shown_fields = ("project_id",)

    def __init__(
        self,
        credentials: Credentials | CredentialSource,
        project_id: str | None = None,
        clock: kit.Clock = kit.utc_now,
    ) -> None:
        super().__init__(credentials, clock=clock)
        self._project_id = project_id

    def sign(self, request: httpx.Request, credentials: Credentials, now: datetime, nonce: str) -> None:
        sign_request(request, credentials, sdk_date(now), self._project_id)


class TokenAuth(httpx.Auth):
    """Sends an IAM token in `X-Auth-Token`. The token never shows in a repr."""

    def __init__(self, token: str) -> None:
        self._token = token

    def __repr__(self) -> str:
        return "TokenAuth(token=<hidden>)"

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers[AUTH_TOKEN_HEADER] = self._token
        yield request
