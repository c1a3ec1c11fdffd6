"""`AwsKmsClient` and `AsyncAwsKmsClient`: GetPublicKey over the generated client, signed with SigV4."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from enum import Enum
from typing import Any

import httpx
from kms_pubkey_aws_api import Client
from kms_pubkey_aws_api.api.default import get_public_key as operation
from kms_pubkey_aws_api.models import GetPublicKeyRequest, GetPublicKeyResponse, GetPublicKeyXAmzTarget
from kms_pubkey_aws_api.types import UNSET, Response

from kms_pubkey import defaults
from kms_pubkey.client_base import AsyncClientBase, SyncClientBase, generated_client_args, text, texts
from kms_pubkey.endpoints import check_region
from kms_pubkey.errors import ResponseError, ValidationError
from kms_pubkey.public_key import PublicKey, from_service
from kms_pubkey.signing import utc_now
from kms_pubkey.transport import RequestPolicy
from kms_pubkey_aws.credentials import resolve_credentials, resolve_region
from kms_pubkey_aws.endpoints import resolve_endpoint
from kms_pubkey_aws.errors import decode_error
from kms_pubkey_aws.sigv4 import SigV4Auth

MAX_KEY_ID = 2048
MAX_GRANT_TOKENS = 10
MAX_GRANT_TOKEN = 8192
_TARGET = GetPublicKeyXAmzTarget.TRENTSERVICE_GETPUBLICKEY


def _request(key_id: str, grant_tokens: Sequence[str]) -> GetPublicKeyRequest:
    """Check the arguments as KMS would, before anything is sent."""
    if not isinstance(key_id, str) or not key_id.strip():
        raise ValidationError("key_id must be a non-empty string (key id, key ARN, alias or alias ARN)")
    if len(key_id) > MAX_KEY_ID:
        raise ValidationError(f"key_id is {len(key_id)} characters; KMS allows at most {MAX_KEY_ID}")
    if isinstance(grant_tokens, str):
        raise ValidationError("grant_tokens must be a list of tokens, not one string")
    tokens = list(grant_tokens)
    if len(tokens) > MAX_GRANT_TOKENS:
        raise ValidationError(f"{len(tokens)} grant tokens given; KMS allows at most {MAX_GRANT_TOKENS}")
    for token in tokens:
        if not isinstance(token, str) or not 1 <= len(token) <= MAX_GRANT_TOKEN:
            raise ValidationError(f"each grant token must be a string of 1 to {MAX_GRANT_TOKEN} characters")
    return GetPublicKeyRequest(key_id=key_id, grant_tokens=tokens if tokens else UNSET)


def _scalar(value: Any, name: str) -> str | None:
    """A string field of the answer; the generated parser passes any JSON type through."""
    if value is not None and type(value).__name__ != "Unset" and not isinstance(value, (str, Enum)):
        raise ResponseError(f"aws answered GetPublicKey with a {type(value).__name__} as {name}")
    return text(value)


def _listed(value: Any, name: str) -> tuple[str, ...]:
    """A list-of-strings field; absent or null is empty, anything else that is not a list is an error."""
    if value is None or type(value).__name__ == "Unset":
        return ()
    if not isinstance(value, list) or not all(isinstance(v, (str, Enum)) for v in value):
        raise ResponseError(f"aws answered GetPublicKey with {name} that is not a list of names")
    return texts(value)


def _public_key(response: Response[Any]) -> PublicKey:
    parsed = response.parsed
    if not isinstance(parsed, GetPublicKeyResponse):
        raise ResponseError("aws answered GetPublicKey with an unexpected body")
    return from_service(
        _scalar(parsed.public_key, "PublicKey") or "",
        vendor="aws",
        key_spec=_scalar(parsed.key_spec, "KeySpec")
        or _scalar(parsed.customer_master_key_spec, "CustomerMasterKeySpec"),
        key_id=_scalar(parsed.key_id, "KeyId"),
        key_usage=_scalar(parsed.key_usage, "KeyUsage"),
        signing_algorithms=_listed(parsed.signing_algorithms, "SigningAlgorithms"),
        encryption_algorithms=_listed(parsed.encryption_algorithms, "EncryptionAlgorithms"),
        key_agreement_algorithms=_listed(parsed.key_agreement_algorithms, "KeyAgreementAlgorithms"),
        encapsulation_algorithms=_listed(parsed.encapsulation_algorithms, "EncapsulationAlgorithms"),
        request_id=response.headers.get("x-amzn-RequestId"),
    )


def _settings(
    region: str | None,
    endpoint: str | None,
    access_key_id: str | None,
    secret_access_key: str | None,
    session_token: str | None,
    profile: str | None,
    clock: Callable[[], datetime],
) -> tuple[str, SigV4Auth, tuple[str | None, ...]]:
    credentials = resolve_credentials(access_key_id, secret_access_key, session_token, profile)
    if region is None and endpoint is not None:
        # A custom endpoint (emulator, VPC) still needs a region to sign for.
        try:
            region = resolve_region(None, profile)
        except ValidationError:
            region = "us-east-1"
    region = check_region(resolve_region(region, profile), "AWS")
    auth = SigV4Auth(credentials, region, clock=clock)
    return resolve_endpoint(region, endpoint), auth, (credentials.secret, credentials.token)


class AwsKmsClient(SyncClientBase[Client]):
    """AWS KMS GetPublicKey. A context manager; one instance reuses its connections."""

    _vendor = "aws"

    def __init__(
        self,
        region: str | None = None,
        *,
        endpoint: str | None = None,
        access_key_id: str | None = None,
        secret_access_key: str | None = None,
        session_token: str | None = None,
        profile: str | None = None,
        timeout: float = defaults.TIMEOUT_SECONDS,
        max_retries: int = defaults.MAX_RETRIES,
        clock: Callable[[], datetime] = utc_now,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        policy = RequestPolicy(timeout=timeout, max_retries=max_retries)
        base_url, auth, secrets = _settings(
            region, endpoint, access_key_id, secret_access_key, session_token, profile, clock
        )
        self.endpoint = base_url
        self.region = auth.region
        args = generated_client_args(
            base_url, auth, decode_error, policy, asynchronous=False, transport=transport, secrets=secrets
        )
        super().__init__(Client(**args), policy)

    def get_public_key(self, key_id: str, *, grant_tokens: Sequence[str] = ()) -> PublicKey:
        body = _request(key_id, grant_tokens)
        response = self._call(
            lambda: operation.sync_detailed(client=self._api, body=body, x_amz_target=_TARGET),
            "GetPublicKey",
        )
        return _public_key(response)


class AsyncAwsKmsClient(AsyncClientBase[Client]):
    """The async twin of `AwsKmsClient`: the same arguments, coroutine methods."""

    _vendor = "aws"

    def __init__(
        self,
        region: str | None = None,
        *,
        endpoint: str | None = None,
        access_key_id: str | None = None,
        secret_access_key: str | None = None,
        session_token: str | None = None,
        profile: str | None = None,
        timeout: float = defaults.TIMEOUT_SECONDS,
        max_retries: int = defaults.MAX_RETRIES,
        clock: Callable[[], datetime] = utc_now,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        policy = RequestPolicy(timeout=timeout, max_retries=max_retries)
        base_url, auth, secrets = _settings(
            region, endpoint, access_key_id, secret_access_key, session_token, profile, clock
        )
        self.endpoint = base_url
        self.region = auth.region
        args = generated_client_args(
            base_url, auth, decode_error, policy, asynchronous=True, transport=transport, secrets=secrets
        )
        super().__init__(Client(**args), policy)

    async def get_public_key(self, key_id: str, *, grant_tokens: Sequence[str] = ()) -> PublicKey:
        body = _request(key_id, grant_tokens)
        response = await self._call(
            lambda: operation.asyncio_detailed(client=self._api, body=body, x_amz_target=_TARGET),
            "GetPublicKey",
        )
        return _public_key(response)
