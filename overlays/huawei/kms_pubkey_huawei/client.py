"""`HuaweiKmsClient` and `AsyncHuaweiKmsClient`: ShowPublicKey over the generated client.

Requests are signed with AK/SK (`SDK-HMAC-SHA256`) or carry an IAM token in `X-Auth-Token`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

import httpx
from kms_pubkey_huawei_api import Client
from kms_pubkey_huawei_api.api.default import show_public_key as operation
from kms_pubkey_huawei_api.models import OperateKeyRequestBody, ShowPublicKeyResponse
from kms_pubkey_huawei_api.types import UNSET, Response

from kms_pubkey import defaults
from kms_pubkey.client_base import AsyncClient, Settings, SyncClient, TransportT, VendorClient
from kms_pubkey.credential_sources import source_for
from kms_pubkey.credentials import from_arguments
from kms_pubkey.errors import ResponseError, ValidationError
from kms_pubkey.public_key import PublicKey
from kms_pubkey.signing import utc_now
from kms_pubkey.vendor import Answer, Operation, Vendor
from kms_pubkey_huawei.credentials import ARGUMENT_NAMES, IamToken, resolve_credentials, resolve_project_id
from kms_pubkey_huawei.endpoints import resolve_endpoint
from kms_pubkey_huawei.errors import CLOCK_SKEW, ERROR_CODES, REQUEST_ID_HEADER, VENDOR, read_error
from kms_pubkey_huawei.signer import AkSkAuth, TokenAuth

KEY_ID_PATTERN = "^[0-9a-z]{8}-[0-9a-z]{4}-[0-9a-z]{4}-[0-9a-z]{4}-[0-9a-z]{12}$"
_KEY_ID = re.compile(KEY_ID_PATTERN[1:-1])
SEQUENCE_BYTES = 36


def _request(key_id: str, sequence: str | None) -> OperateKeyRequestBody:
    """Check the arguments as KMS would, before anything is sent."""
    if not isinstance(key_id, str) or not _KEY_ID.fullmatch(key_id):
        raise ValidationError(f"key_id must be 36 bytes matching {KEY_ID_PATTERN}")
    if sequence is None:
        return OperateKeyRequestBody(key_id=key_id, sequence=UNSET)
    if not isinstance(sequence, str) or len(sequence.encode("utf-8")) != SEQUENCE_BYTES:
        raise ValidationError(
            f"sequence must be {SEQUENCE_BYTES} bytes, e.g. 919c82d4-8046-4722-9094-35c3c6524cff"
        )
    return OperateKeyRequestBody(key_id=key_id, sequence=sequence)


def _answer(response: Response[Any], call: Mapping[str, Any]) -> Answer:
    parsed = response.parsed
    if not isinstance(parsed, ShowPublicKeyResponse):
        raise ResponseError("huawei answered ShowPublicKey with an unexpected body")
    return Answer(parsed.public_key, key_id=parsed.key_id)


SHOW_PUBLIC_KEY = Operation("ShowPublicKey", operation.sync_detailed, operation.asyncio_detailed, _answer)
HUAWEI = Vendor(
    VENDOR, REQUEST_ID_HEADER, ERROR_CODES, read_error, Client, SHOW_PUBLIC_KEY, UNSET, clock_skew=CLOCK_SKEW
)


class _HuaweiClient(VendorClient[TransportT]):
    _declaration = HUAWEI
    project_id: str

    def __init__(
        self,
        region: str | None = None,
        *,
        project_id: str | None = None,
        endpoint: str | None = None,
        access_key: str | None = None,
        secret_key: str | None = None,
        security_token: str | None = None,
        auth_token: str | None = None,
        timeout: float = defaults.TIMEOUT_SECONDS,
        max_retries: int = defaults.MAX_RETRIES,
        total_timeout: float | None = defaults.TOTAL_TIMEOUT_SECONDS,
        clock: Callable[[], datetime] = utc_now,
        transport: TransportT | None = None,
    ) -> None:
        base_url = resolve_endpoint(region, endpoint)
        project = resolve_project_id(project_id)
        given = from_arguments(access_key, secret_key, security_token, ARGUMENT_NAMES)
        found = resolve_credentials(given, auth_token)
        shown = (("project_id", project),)
        if isinstance(found, IamToken):
            auth: httpx.Auth = TokenAuth(found.token)
            settings = Settings(base_url, auth, region, (found.token,), shown=shown, carries="an IAM token")
        else:
            source = source_for(found, clock)
            auth = AkSkAuth(source, project, clock=clock)
            carries = "a security token" if source.temporary else None
            settings = Settings(base_url, auth, region, source.secrets, shown=shown, carries=carries)
        self._open(settings, timeout, max_retries, transport, total_timeout)


class HuaweiKmsClient(_HuaweiClient[httpx.BaseTransport], SyncClient):
    """Huawei Cloud KMS ShowPublicKey. A context manager; one instance reuses its connections."""

    def get_public_key(self, key_id: str, *, sequence: str | None = None) -> PublicKey:
        request = {"project_id": self.project_id, "body": _request(key_id, sequence)}
        return self._fetch(request, (key_id, None))


class AsyncHuaweiKmsClient(_HuaweiClient[httpx.AsyncBaseTransport], AsyncClient):
    """The async twin of `HuaweiKmsClient`: the same arguments, coroutine methods."""

    async def get_public_key(self, key_id: str, *, sequence: str | None = None) -> PublicKey:
        request = {"project_id": self.project_id, "body": _request(key_id, sequence)}
        return await self._fetch(request, (key_id, None))
