"""`AlibabaKmsClient` and `AsyncAlibabaKmsClient`: GetPublicKey through the KMS shared gateway.

The generated client sends the operation; the signer (`acs3.Acs3Auth` for "v3", the
default, or `rpc.RpcAuth` for "v1") adds the signature to every attempt.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, Literal

import httpx
from kms_pubkey_alibaba_api import Client
from kms_pubkey_alibaba_api.api.default import get_public_key as operation
from kms_pubkey_alibaba_api.models import Action, ApiVersion, DryRun, GetPublicKeyResponse
from kms_pubkey_alibaba_api.types import UNSET, Response

from kms_pubkey import defaults
from kms_pubkey.client_base import AsyncClientBase, SyncClientBase, generated_client_args, text
from kms_pubkey.errors import ResponseError, ValidationError
from kms_pubkey.public_key import PublicKey, from_service
from kms_pubkey.signing import utc_now
from kms_pubkey.transport import RequestPolicy
from kms_pubkey_alibaba.acs3 import Acs3Auth, new_nonce
from kms_pubkey_alibaba.credentials import resolve_credentials, resolve_region
from kms_pubkey_alibaba.endpoints import resolve_endpoint
from kms_pubkey_alibaba.errors import VENDOR, decode_error
from kms_pubkey_alibaba.rpc import RpcAuth

SignatureVersion = Literal["v3", "v1"]
SIGNATURE_VERSIONS: tuple[str, ...] = ("v3", "v1")
API_VERSION = ApiVersion.VALUE_0
ACTION = Action.GETPUBLICKEY
MAX_ID = 2048


def _check_id(value: object, name: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValidationError(f"{name} must be a non-empty string")
    if len(value) > MAX_ID:
        raise ValidationError(f"{name} is {len(value)} characters; at most {MAX_ID} are accepted")
    if any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in value):
        raise ValidationError(f"{name} must not contain control characters")
    return value


def _arguments(key_id: str, key_version_id: str, dry_run: bool, signature_version: str) -> dict[str, Any]:
    """The generated operation's keyword arguments, checked before anything is sent."""
    if not isinstance(dry_run, bool):
        raise ValidationError("dry_run must be True or False")
    args: dict[str, Any] = {
        "key_id": _check_id(key_id, "key_id"),
        "key_version_id": _check_id(key_version_id, "key_version_id"),
        "dry_run": DryRun.TRUE if dry_run else UNSET,
    }
    if signature_version == "v1":
        args.update(action=ACTION, version=API_VERSION)
    else:
        args.update(x_acs_action=ACTION, x_acs_version=API_VERSION)
    return args


def _public_key(response: Response[Any], dry_run: bool) -> PublicKey:
    parsed = response.parsed
    if dry_run:
        raise ResponseError("alibaba answered a DryRun GetPublicKey with success instead of its verdict")
    if not isinstance(parsed, GetPublicKeyResponse):
        raise ResponseError("alibaba answered GetPublicKey with an unexpected body")
    return from_service(
        text(parsed.public_key) or "",
        vendor=VENDOR,
        key_id=text(parsed.key_id),
        key_version_id=text(parsed.key_version_id),
        request_id=text(parsed.request_id) or response.headers.get("x-acs-request-id"),
    )


def _settings(
    region: str | None,
    endpoint: str | None,
    access_key_id: str | None,
    access_key_secret: str | None,
    security_token: str | None,
    profile: str | None,
    signature_version: str,
    clock: Callable[[], datetime],
    nonce: Callable[[], str],
) -> tuple[str, str | None, httpx.Auth, tuple[str | None, ...]]:
    if signature_version not in SIGNATURE_VERSIONS:
        raise ValidationError('signature_version must be "v3" (ACS3-HMAC-SHA256) or "v1" (RPC HMAC-SHA1)')
    credentials = resolve_credentials(access_key_id, access_key_secret, security_token, profile)
    region = resolve_region(region, profile=profile)
    base_url = resolve_endpoint(region, endpoint)
    auth: httpx.Auth
    if signature_version == "v1":
        auth = RpcAuth(credentials, clock=clock, nonce=nonce)
    else:
        auth = Acs3Auth(credentials, clock=clock, nonce=nonce)
    return base_url, region, auth, (credentials.secret, credentials.token)


class AlibabaKmsClient(SyncClientBase[Client]):
    """Alibaba Cloud KMS GetPublicKey (shared gateway). A context manager that reuses its connections."""

    _vendor = VENDOR

    def __init__(
        self,
        region: str | None = None,
        *,
        endpoint: str | None = None,
        access_key_id: str | None = None,
        access_key_secret: str | None = None,
        security_token: str | None = None,
        profile: str | None = None,
        signature_version: SignatureVersion = "v3",
        timeout: float = defaults.TIMEOUT_SECONDS,
        max_retries: int = defaults.MAX_RETRIES,
        clock: Callable[[], datetime] = utc_now,
        nonce: Callable[[], str] = new_nonce,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        policy = RequestPolicy(timeout=timeout, max_retries=max_retries)
        base_url, self.region, auth, secrets = _settings(
            region,
            endpoint,
            access_key_id,
            access_key_secret,
            security_token,
            profile,
            signature_version,
            clock,
            nonce,
        )
        self.endpoint = base_url
        self.signature_version = signature_version
        args = generated_client_args(
            base_url, auth, decode_error, policy, asynchronous=False, transport=transport, secrets=secrets
        )
        super().__init__(Client(**args), policy)

    def __repr__(self) -> str:
        return f"AlibabaKmsClient(endpoint={self.endpoint!r}, signature_version={self.signature_version!r})"

    def get_public_key(self, key_id: str, key_version_id: str, *, dry_run: bool = False) -> PublicKey:
        """The public key of one key version. With `dry_run`, raises `DryRunError` with KMS's verdict."""
        args = _arguments(key_id, key_version_id, dry_run, self.signature_version)
        response = self._call(lambda: operation.sync_detailed(client=self._api, **args), "GetPublicKey")
        return _public_key(response, dry_run)


class AsyncAlibabaKmsClient(AsyncClientBase[Client]):
    """The async twin of `AlibabaKmsClient`: the same arguments, coroutine methods."""

    _vendor = VENDOR

    def __init__(
        self,
        region: str | None = None,
        *,
        endpoint: str | None = None,
        access_key_id: str | None = None,
        access_key_secret: str | None = None,
        security_token: str | None = None,
        profile: str | None = None,
        signature_version: SignatureVersion = "v3",
        timeout: float = defaults.TIMEOUT_SECONDS,
        max_retries: int = defaults.MAX_RETRIES,
        clock: Callable[[], datetime] = utc_now,
        nonce: Callable[[], str] = new_nonce,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        policy = RequestPolicy(timeout=timeout, max_retries=max_retries)
        base_url, self.region, auth, secrets = _settings(
            region,
            endpoint,
            access_key_id,
            access_key_secret,
            security_token,
            profile,
            signature_version,
            clock,
            nonce,
        )
        self.endpoint = base_url
        self.signature_version = signature_version
        args = generated_client_args(
            base_url, auth, decode_error, policy, asynchronous=True, transport=transport, secrets=secrets
        )
        super().__init__(Client(**args), policy)

    def __repr__(self) -> str:
        return (
            f"AsyncAlibabaKmsClient(endpoint={self.endpoint!r}, signature_version={self.signature_version!r})"
        )

    async def get_public_key(self, key_id: str, key_version_id: str, *, dry_run: bool = False) -> PublicKey:
        args = _arguments(key_id, key_version_id, dry_run, self.signature_version)
        response = await self._call(
            lambda: operation.asyncio_detailed(client=self._api, **args), "GetPublicKey"
        )
        return _public_key(response, dry_run)
