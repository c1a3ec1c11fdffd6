"""`AlibabaKmsClient` and `AsyncAlibabaKmsClient`: GetPublicKey through the KMS shared gateway.

The generated client sends the operation; the signer (`acs3.Acs3Auth` for "v3", the
default, or `rpc.RpcAuth` for "v1") adds the signature to every attempt.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal

import httpx
from kms_pubkey_alibaba_api import Client
from kms_pubkey_alibaba_api.api.default import get_public_key as operation
from kms_pubkey_alibaba_api.models import Action, ApiVersion, DryRun, GetPublicKeyResponse
from kms_pubkey_alibaba_api.types import UNSET, Response

from kms_pubkey import defaults
from kms_pubkey.checks import check_id
from kms_pubkey.client_base import AsyncClient, Settings, SyncClient, TransportT, VendorClient
from kms_pubkey.credential_sources import source_for
from kms_pubkey.credentials import from_arguments
from kms_pubkey.errors import ResponseError, ValidationError
from kms_pubkey.public_key import PublicKey
from kms_pubkey.signing import utc_now
from kms_pubkey.vendor import Answer, Operation, Vendor
from kms_pubkey_alibaba.acs3 import Acs3Auth, new_nonce
from kms_pubkey_alibaba.credentials import ARGUMENT_NAMES, resolve_credentials, resolve_region
from kms_pubkey_alibaba.endpoints import resolve_endpoint
from kms_pubkey_alibaba.errors import CLOCK_SKEW, DRY_RUN_VERDICTS, ERROR_CODES, VENDOR, read_error

if TYPE_CHECKING:
    from kms_pubkey_alibaba.rpc import RpcAuth

SignatureVersion = Literal["v3", "v1"]
SIGNATURE_VERSIONS: tuple[str, ...] = ("v3", "v1")
API_VERSION: ApiVersion = "2016-01-20"
ACTION: Action = "GetPublicKey"
DRY_RUN: DryRun = "true"


def _arguments(key_id: str, key_version_id: str, dry_run: bool, signature_version: str) -> dict[str, Any]:
    """The generated operation's keyword arguments, checked before anything is sent."""
    if not isinstance(dry_run, bool):
        raise ValidationError("dry_run must be True or False")
    args: dict[str, Any] = {
        "key_id": check_id(key_id, "key_id", in_query=True),
        "key_version_id": check_id(key_version_id, "key_version_id", in_query=True),
        "dry_run": DRY_RUN if dry_run else UNSET,
    }
    if signature_version == "v1":
        args.update(action=ACTION, version=API_VERSION)
    else:
        args.update(x_acs_action=ACTION, x_acs_version=API_VERSION)
    return args


def _answer(response: Response[Any], call: Mapping[str, Any]) -> Answer:
    parsed = response.parsed
    if call["dry_run"] is not UNSET:
        raise ResponseError("alibaba answered a DryRun GetPublicKey with success instead of its verdict")
    if not isinstance(parsed, GetPublicKeyResponse):
        raise ResponseError("alibaba answered GetPublicKey with an unexpected body")
    return Answer(
        parsed.public_key,
        key_id=parsed.key_id,
        key_version_id=parsed.key_version_id,
        request_id=parsed.request_id,
    )


GET_PUBLIC_KEY = Operation("GetPublicKey", operation.sync_detailed, operation.asyncio_detailed, _answer)
ALIBABA = Vendor(
    VENDOR,
    "x-acs-request-id",
    ERROR_CODES,
    read_error,
    Client,
    GET_PUBLIC_KEY,
    UNSET,
    DRY_RUN_VERDICTS,
    clock_skew=CLOCK_SKEW,
)


class _AlibabaClient(VendorClient[TransportT]):
    _declaration = ALIBABA
    signature_version: SignatureVersion

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
        total_timeout: float | None = defaults.TOTAL_TIMEOUT_SECONDS,
        clock: Callable[[], datetime] = utc_now,
        nonce: Callable[[], str] = new_nonce,
        transport: TransportT | None = None,
    ) -> None:
        if signature_version not in SIGNATURE_VERSIONS:
            raise ValidationError('signature_version must be "v3" (ACS3-HMAC-SHA256) or "v1" (RPC HMAC-SHA1)')
        given = from_arguments(access_key_id, access_key_secret, security_token, ARGUMENT_NAMES)
        source = source_for(resolve_credentials(given, profile=profile), clock)
        region = resolve_region(region, profile=profile)
        signer: type[Acs3Auth | RpcAuth] = Acs3Auth
        if signature_version == "v1":  # loaded here: v3 clients never need the v1 signer
            from kms_pubkey_alibaba.rpc import RpcAuth

            signer = RpcAuth
        settings = Settings(
            resolve_endpoint(region, endpoint),
            signer(source, clock=clock, nonce=nonce),
            region,
            source.secrets,
            shown=(("signature_version", signature_version),),
            carries="an STS security token" if source.temporary else None,
        )
        self._open(settings, timeout, max_retries, transport, total_timeout)


class AlibabaKmsClient(_AlibabaClient[httpx.BaseTransport], SyncClient):
    """Alibaba Cloud KMS GetPublicKey (shared gateway). A context manager that reuses its connections."""

    def get_public_key(self, key_id: str, key_version_id: str, *, dry_run: bool = False) -> PublicKey:
        """The public key of one key version. With `dry_run`, raises `DryRunError` with KMS's verdict."""
        arguments = _arguments(key_id, key_version_id, dry_run, self.signature_version)
        return self._fetch(arguments, (key_id, key_version_id))


class AsyncAlibabaKmsClient(_AlibabaClient[httpx.AsyncBaseTransport], AsyncClient):
    """The async twin of `AlibabaKmsClient`: the same arguments, coroutine methods."""

    async def get_public_key(self, key_id: str, key_version_id: str, *, dry_run: bool = False) -> PublicKey:
        arguments = _arguments(key_id, key_version_id, dry_run, self.signature_version)
        return await self._fetch(arguments, (key_id, key_version_id))
