"""`AwsKmsClient` and `AsyncAwsKmsClient`: GetPublicKey over the generated client, signed with SigV4."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

import httpx
from kms_pubkey_aws_api import Client
from kms_pubkey_aws_api.api.default import get_public_key as operation
from kms_pubkey_aws_api.models import GetPublicKeyRequest, GetPublicKeyResponse
from kms_pubkey_aws_api.types import UNSET, Response

from kms_pubkey import defaults
from kms_pubkey.checks import check_id
from kms_pubkey.client_base import AsyncClient, Settings, SyncClient, TransportT, VendorClient
from kms_pubkey.credential_sources import source_for
from kms_pubkey.credentials import from_arguments
from kms_pubkey.endpoints import check_region, tls_verify
from kms_pubkey.errors import ResponseError, ValidationError
from kms_pubkey.public_key import PublicKey
from kms_pubkey.signing import utc_now
from kms_pubkey.vendor import Answer, Operation, Vendor
from kms_pubkey_aws.credentials import region_for
from kms_pubkey_aws.credentials.chain import resolve_credentials
from kms_pubkey_aws.credentials.config import check_key_region, load_config
from kms_pubkey_aws.endpoints import resolve_endpoint
from kms_pubkey_aws.errors import CLOCK_SKEW, ERROR_CODES, read_error
from kms_pubkey_aws.sigv4 import SigV4Auth

if TYPE_CHECKING:
    from kms_pubkey_aws_api.models import GetPublicKeyXAmzTarget

ARGUMENTS = ("access_key_id", "secret_access_key", "session_token")
MAX_GRANT_TOKENS = 10
MAX_GRANT_TOKEN = 8192
TARGET: GetPublicKeyXAmzTarget = "TrentService.GetPublicKey"


def _request(key_id: str, grant_tokens: Sequence[str], region: str) -> dict[str, Any]:
    """The generated operation's arguments, checked as KMS would before anything is sent."""
    check_id(key_id, "key_id", "key id, key ARN, alias or alias ARN")
    check_key_region(key_id, region)
    if isinstance(grant_tokens, str):
        raise ValidationError("grant_tokens must be a list of tokens, not one string")
    tokens = list(grant_tokens)
    if len(tokens) > MAX_GRANT_TOKENS:
        raise ValidationError(f"{len(tokens)} grant tokens given; KMS allows at most {MAX_GRANT_TOKENS}")
    for token in tokens:
        if not isinstance(token, str) or not 1 <= len(token) <= MAX_GRANT_TOKEN:
            raise ValidationError(f"each grant token must be a string of 1 to {MAX_GRANT_TOKEN} characters")
    body = GetPublicKeyRequest(key_id=key_id, grant_tokens=tokens if tokens else UNSET)
    return {"body": body, "x_amz_target": TARGET}


def _answer(response: Response[Any], call: Mapping[str, Any]) -> Answer:
    parsed = response.parsed
    if not isinstance(parsed, GetPublicKeyResponse):
        raise ResponseError("aws answered GetPublicKey with an unexpected body")
    spec = parsed.key_spec
    return Answer(
        parsed.public_key,
        key_id=parsed.key_id,
        key_spec=parsed.customer_master_key_spec if spec is None or spec is UNSET else spec,
        key_usage=parsed.key_usage,
        signing_algorithms=parsed.signing_algorithms,
        encryption_algorithms=parsed.encryption_algorithms,
        key_agreement_algorithms=parsed.key_agreement_algorithms,
        encapsulation_algorithms=parsed.encapsulation_algorithms,
    )


GET_PUBLIC_KEY = Operation("GetPublicKey", operation.sync_detailed, operation.asyncio_detailed, _answer)
AWS = Vendor(
    "aws", "x-amzn-RequestId", ERROR_CODES, read_error, Client, GET_PUBLIC_KEY, UNSET, clock_skew=CLOCK_SKEW
)


class _AwsClient(VendorClient[TransportT]):
    _declaration = AWS
    region: str

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
        ca_bundle: str | None = None,
        total_timeout: float | None = defaults.TOTAL_TIMEOUT_SECONDS,
        clock: Callable[[], datetime] = utc_now,
        transport: TransportT | None = None,
    ) -> None:
        config = load_config(profile)
        given = from_arguments(access_key_id, secret_access_key, session_token, ARGUMENTS)
        region = check_region(region_for(config, region, endpoint), "AWS")
        source = source_for(resolve_credentials(given, config, region), clock)
        auth = SigV4Auth(source, region, clock=clock)
        carries = "a session token" if source.temporary else None
        verify = tls_verify(ca_bundle or config.ca_bundle(), "ca_bundle")
        url = resolve_endpoint(region, endpoint, config=config)
        settings = Settings(url, auth, region, source.secrets, verify=verify, carries=carries)
        self._open(settings, timeout, max_retries, transport, total_timeout)


class AwsKmsClient(_AwsClient[httpx.BaseTransport], SyncClient):
    """AWS KMS GetPublicKey. A context manager; one instance reuses its connections."""

    def get_public_key(self, key_id: str, *, grant_tokens: Sequence[str] = ()) -> PublicKey:
        return self._fetch(_request(key_id, grant_tokens, self.region), (key_id, None))


class AsyncAwsKmsClient(_AwsClient[httpx.AsyncBaseTransport], AsyncClient):
    """The async twin of `AwsKmsClient`: the same arguments, coroutine methods."""

    async def get_public_key(self, key_id: str, *, grant_tokens: Sequence[str] = ()) -> PublicKey:
        return await self._fetch(_request(key_id, grant_tokens, self.region), (key_id, None))
