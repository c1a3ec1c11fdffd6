"""The KMS instance (dedicated gateway) request signature as pure steps, plus its httpx adapter.

The rule, as the official `alibabacloud-dkms-gcs` client implements it
(`openapi_util.client.Client.get_string_to_sign`)::

    StringToSign = METHOD + "\\n"
                 + content-sha256 + "\\n"          # SHA-256 of the body, upper-case hex
                 + content-type + "\\n"            # application/x-protobuf
                 + date + "\\n"                    # RFC 1123, GMT
                 + CanonicalizedHeaders            # every x-kms-* header, sorted by name:
                                                   #   "<lower-case name>:<trimmed value>\\n"
                 + CanonicalizedResource           # "/" (the SDK always signs "/")
    Authorization = "Bearer " + base64(RSASSA-PKCS1-v1_5-SHA256(ClientKey private key, StringToSign))

The vendor's page says the header is `TOKEN <signature>`; the SDK sends `Bearer <signature>`
and that is what the service accepts from every official client, so we send `Bearer`.
The clock is injected; each attempt (retries included) is signed afresh.
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Generator, Iterable
from datetime import datetime

import httpx
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from kms_pubkey.signing import http_date as http_date
from kms_pubkey.signing import sha256_hex, utc_now
from kms_pubkey_alibaba.instance.client_key import ClientKey

CONTENT_TYPE = "application/x-protobuf"
API_VERSION = "dkms-gcs-0.2"
SIGNATURE_METHOD = "RSA_PKCS1_SHA_256"
ACCESS_KEY_HEADER = "x-kms-acccesskeyid"  # three c's, as the vendor spells it
HEADER_PREFIX = "x-kms-"
CANONICAL_RESOURCE = "/"
SCHEME = "Bearer"


def content_sha256(body: bytes) -> str:
    """The SHA-256 of the body in upper-case hex, as the gateway wants it."""
    return sha256_hex(body).upper()


def canonicalized_headers(headers: Iterable[tuple[str, str]]) -> str:
    """`name:value\\n` for each x-kms-* header, names lower-cased and sorted, values trimmed."""
    selected: dict[str, str] = {}
    for name, value in headers:
        lowered = name.lower()
        if lowered.startswith(HEADER_PREFIX):
            selected[lowered] = value.strip()
    return "".join(f"{name}:{selected[name]}\n" for name in sorted(selected))


def string_to_sign(
    method: str, sha256_hex: str, content_type: str, date: str, headers: Iterable[tuple[str, str]]
) -> str:
    return (
        f"{method.upper()}\n{sha256_hex}\n{content_type}\n{date}\n"
        f"{canonicalized_headers(headers)}{CANONICAL_RESOURCE}"
    )


def signature(private_key: rsa.RSAPrivateKey, text: str) -> str:
    raw = private_key.sign(text.encode("utf-8"), padding.PKCS1v15(), hashes.SHA256())
    return base64.b64encode(raw).decode("ascii")


def authorization(sig: str) -> str:
    return f"{SCHEME} {sig}"


class InstanceAuth(httpx.Auth):
    """Signs each request (and each retry) with the ClientKey; no I/O, so it serves sync and async."""

    requires_request_body = True

    def __init__(self, client_key: ClientKey, clock: Callable[[], datetime] = utc_now) -> None:
        self._client_key = client_key
        self._clock = clock

    @property
    def key_id(self) -> str:
        return self._client_key.key_id

    def __repr__(self) -> str:
        return f"InstanceAuth(client_key_id={self._client_key.key_id!r})"

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        body = request.content
        request.headers["accept"] = CONTENT_TYPE
        request.headers["content-type"] = CONTENT_TYPE
        request.headers["date"] = http_date(self._clock())
        request.headers["x-kms-apiversion"] = request.headers.get("x-kms-apiversion") or API_VERSION
        request.headers["x-kms-signaturemethod"] = SIGNATURE_METHOD
        request.headers[ACCESS_KEY_HEADER] = self._client_key.key_id
        request.headers["content-sha256"] = content_sha256(body)
        text = string_to_sign(
            request.method,
            request.headers["content-sha256"],
            request.headers["content-type"],
            request.headers["date"],
            request.headers.multi_items(),
        )
        request.headers["Authorization"] = authorization(signature(self._client_key.private_key, text))
        yield request
