"""Alibaba Cloud's legacy RPC signature (HMAC-SHA1, SignatureVersion 1.0): pure steps and an httpx adapter.

    canonical query = sorted pct(name)=pct(value) pairs joined with '&'
    string to sign  = METHOD & %2F & pct(canonical query)
    Signature       = base64(HMAC-SHA1(secret + "&", string to sign))

The common parameters (`Format`, `AccessKeyId`, `SignatureMethod`, `SignatureVersion`,
`SignatureNonce`, `Timestamp`, `SecurityToken`) travel in the query beside the operation's own.
Checked against the documentation's worked example and the official SDK's `Utils.get_rpcsignature`.
"""

from __future__ import annotations

import base64
from collections.abc import Iterable
from datetime import datetime

import httpx

from kms_pubkey.credentials import Credentials
from kms_pubkey.signing import SignerAuth, extended_utc, hmac_raw, percent_encode
from kms_pubkey.signing import canonical_query as canonical_query

SIGNATURE_METHOD = "HMAC-SHA1"
SIGNATURE_VERSION = "1.0"
FORMAT = "JSON"
# Parameters the signer owns: any such value already on a request is replaced, never signed twice.
SIGNER_PARAMETERS = frozenset(
    {
        "Format",
        "AccessKeyId",
        "SignatureMethod",
        "SignatureVersion",
        "SignatureNonce",
        "Timestamp",
        "SecurityToken",
        "Signature",
    }
)


def string_to_sign(method: str, canonical: str) -> str:
    return f"{method.upper()}&{percent_encode('/')}&{percent_encode(canonical)}"


def signature(secret: str, text: str) -> str:
    return base64.b64encode(hmac_raw(secret + "&", text, "sha1")).decode("ascii")


def common_parameters(credentials: Credentials, now: datetime, nonce: str) -> dict[str, str]:
    params = {
        "Format": FORMAT,
        "AccessKeyId": credentials.access_key_id,
        "SignatureMethod": SIGNATURE_METHOD,
        "SignatureVersion": SIGNATURE_VERSION,
        "SignatureNonce": nonce,
        "Timestamp": extended_utc(now),
    }
    if credentials.token:
        params["SecurityToken"] = credentials.token
    return params


def sign(
    method: str,
    params: Iterable[tuple[str, str]],
    credentials: Credentials,
    now: datetime,
    nonce: str,
) -> dict[str, str]:
    """The query parameters to add: the common parameters and `Signature`."""
    own = [(k, v) for k, v in params if k not in SIGNER_PARAMETERS]
    added = common_parameters(credentials, now, nonce)
    canonical = canonical_query(own + list(added.items()))
    added["Signature"] = signature(credentials.secret, string_to_sign(method, canonical))
    return added


class RpcAuth(SignerAuth):
    """Adds the signed common parameters to each request's query (and each retry's)."""

    requires_request_body = False  # the parameters are in the query: the body is not signed
    uses_nonce = True

    def sign(self, request: httpx.Request, credentials: Credentials, now: datetime, nonce: str) -> None:
        own = [(k, v) for k, v in request.url.params.multi_items() if k not in SIGNER_PARAMETERS]
        added = sign(request.method, own, credentials, now, nonce)
        pairs: list[tuple[str, str | int | float | bool | None]] = [*own, *added.items()]
        request.url = request.url.copy_with(params=httpx.QueryParams(pairs))
