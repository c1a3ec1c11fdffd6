"""`HuaweiKmsClient` and `AsyncHuaweiKmsClient`: ShowPublicKey over the generated client.

Requests are signed with AK/SK (`SDK-HMAC-SHA256`) or carry an IAM token in `X-Auth-Token`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from typing import Any

import httpx
from kms_pubkey_huawei_api import Client
from kms_pubkey_huawei_api.api.default import show_public_key as operation
from kms_pubkey_huawei_api.models import OperateKeyRequestBody, ShowPublicKeyResponse
from kms_pubkey_huawei_api.types import UNSET, Response

from kms_pubkey import defaults
from kms_pubkey.client_base import AsyncClientBase, SyncClientBase, generated_client_args, text
from kms_pubkey.endpoints import is_loopback
from kms_pubkey.errors import ResponseError, ValidationError
from kms_pubkey.public_key import PublicKey, from_service
from kms_pubkey.signing import utc_now
from kms_pubkey.transport import RequestPolicy
from kms_pubkey_huawei.credentials import IamToken, resolve_auth, resolve_project_id
from kms_pubkey_huawei.endpoints import resolve_endpoint
from kms_pubkey_huawei.errors import REQUEST_ID_HEADER, VENDOR, decode_error
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


def _public_key(response: Response[Any]) -> PublicKey:
    parsed = response.parsed
    if not isinstance(parsed, ShowPublicKeyResponse):
        raise ResponseError("huawei answered ShowPublicKey with an unexpected body")
    return from_service(
        text(parsed.public_key) or "",
        vendor=VENDOR,
        key_id=text(parsed.key_id),
        request_id=response.headers.get(REQUEST_ID_HEADER),
    )


def _settings(
    region: str | None,
    project_id: str | None,
    endpoint: str | None,
    access_key: str | None,
    secret_key: str | None,
    security_token: str | None,
    auth_token: str | None,
    clock: Callable[[], datetime],
) -> tuple[str, str, httpx.Auth, tuple[str | None, ...]]:
    base_url = resolve_endpoint(region, endpoint)
    project = resolve_project_id(project_id)
    found = resolve_auth(access_key, secret_key, security_token, auth_token)
    if isinstance(found, IamToken):
        if httpx.URL(base_url).scheme != "https" and not is_loopback(base_url):
            raise ValidationError("auth_token is only sent over https (or plain http to a loopback address)")
        return base_url, project, TokenAuth(found.token), (found.token,)
    return base_url, project, AkSkAuth(found, project, clock=clock), (found.secret, found.token)


class HuaweiKmsClient(SyncClientBase[Client]):
    """Huawei Cloud KMS ShowPublicKey. A context manager; one instance reuses its connections."""

    _vendor = VENDOR

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
        clock: Callable[[], datetime] = utc_now,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        policy = RequestPolicy(timeout=timeout, max_retries=max_retries)
        base_url, self.project_id, auth, secrets = _settings(
            region, project_id, endpoint, access_key, secret_key, security_token, auth_token, clock
        )
        self.endpoint = base_url
        self.region = region
        args = generated_client_args(
            base_url, auth, decode_error, policy, asynchronous=False, transport=transport, secrets=secrets
        )
        super().__init__(Client(**args), policy)

    def get_public_key(self, key_id: str, *, sequence: str | None = None) -> PublicKey:
        body = _request(key_id, sequence)
        response = self._call(
            lambda: operation.sync_detailed(self.project_id, client=self._api, body=body),
            "ShowPublicKey",
        )
        return _public_key(response)


class AsyncHuaweiKmsClient(AsyncClientBase[Client]):
    """The async twin of `HuaweiKmsClient`: the same arguments, coroutine methods."""

    _vendor = VENDOR

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
        clock: Callable[[], datetime] = utc_now,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        policy = RequestPolicy(timeout=timeout, max_retries=max_retries)
        base_url, self.project_id, auth, secrets = _settings(
            region, project_id, endpoint, access_key, secret_key, security_token, auth_token, clock
        )
        self.endpoint = base_url
        self.region = region
        args = generated_client_args(
            base_url, auth, decode_error, policy, asynchronous=True, transport=transport, secrets=secrets
        )
        super().__init__(Client(**args), policy)

    async def get_public_key(self, key_id: str, *, sequence: str | None = None) -> PublicKey:
        body = _request(key_id, sequence)
        response = await self._call(
            lambda: operation.asyncio_detailed(self.project_id, client=self._api, body=body),
            "ShowPublicKey",
        )
        return _public_key(response)
