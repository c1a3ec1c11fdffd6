"""`AlibabaKmsInstanceClient` and its async twin: GetPublicKey through a KMS instance's dedicated gateway.

The dedicated gateway is the instance's private endpoint,
`https://<kms-instance-id>.cryptoservice.kms.aliyuncs.com`. It speaks Protocol Buffers over
HTTPS, authenticates each request with the application access point's ClientKey (an RSA
signature, see `instance_auth`) and presents a certificate issued by the instance CA, which
`ca_file` names. The generated client (`kms_pubkey_alibaba_instance_api`) carries the bytes;
this module encodes the request, decodes the answer and builds the `PublicKey`.

The answer is `GetPublicKeyResponse{KeyId, PublicKey (PEM), RequestId}`: no key spec (it is
derived from the key, in Alibaba's vocabulary) and no key version. Neither the official SDK
nor the vendor's pages name a response header that carries the version, so
`key_version_id` is None rather than guessed.
"""

from __future__ import annotations

import os
import ssl
from collections.abc import Callable
from datetime import datetime
from typing import Any, BinaryIO, cast

import httpx
from kms_pubkey_alibaba_instance_api import Client
from kms_pubkey_alibaba_instance_api.api.default import get_public_key as operation
from kms_pubkey_alibaba_instance_api.models import (
    GetPublicKeyXKmsApiname,
    GetPublicKeyXKmsApiversion,
    GetPublicKeyXKmsSignaturemethod,
)
from kms_pubkey_alibaba_instance_api.types import File, Response

from kms_pubkey import defaults
from kms_pubkey.client_base import AsyncClientBase, SyncClientBase, generated_client_args
from kms_pubkey.endpoints import check_endpoint
from kms_pubkey.errors import ValidationError
from kms_pubkey.public_key import PublicKey, from_service
from kms_pubkey.signing import utc_now
from kms_pubkey.transport import RequestPolicy
from kms_pubkey_alibaba import instance_proto
from kms_pubkey_alibaba.client_key import ClientKey, load_client_key
from kms_pubkey_alibaba.instance_auth import InstanceAuth
from kms_pubkey_alibaba.instance_errors import VENDOR, decode_error

MAX_KEY_ID = 2048
_API_NAME = GetPublicKeyXKmsApiname.GETPUBLICKEY
_API_VERSION = GetPublicKeyXKmsApiversion.DKMS_GCS_0_2
_SIGNATURE_METHOD = GetPublicKeyXKmsSignaturemethod.RSA_PKCS1_SHA_256


def instance_endpoint(endpoint: str) -> str:
    """The endpoint as a URL; a bare host (as the official SDK takes it) means https."""
    if not isinstance(endpoint, str) or not endpoint.strip():
        raise ValidationError(
            "endpoint is required: the KMS instance's https://<instance-id>.cryptoservice.kms.<region> URL"
        )
    endpoint = endpoint.strip()
    if "://" not in endpoint:
        endpoint = "https://" + endpoint
    return check_endpoint(endpoint)


def tls_verify(ca_file: str | os.PathLike[str] | None) -> ssl.SSLContext | bool:
    """Verify the server against the instance CA when one is given, else the system store."""
    if ca_file is None:
        return True
    try:
        return ssl.create_default_context(cafile=os.fspath(ca_file))
    except (OSError, ssl.SSLError, ValueError, TypeError) as exc:
        raise ValidationError(f"cannot use ca_file {os.fspath(ca_file)!r}: {type(exc).__name__}") from None


def _body(key_id: str) -> File:
    if not isinstance(key_id, str) or not key_id.strip():
        raise ValidationError("key_id must be a non-empty string (key id or alias)")
    if len(key_id) > MAX_KEY_ID:
        raise ValidationError(f"key_id is {len(key_id)} characters; at most {MAX_KEY_ID} are accepted")
    raw = instance_proto.GetPublicKeyRequest(key_id=key_id).encode()
    # The generated code hands `payload` to httpx as `content=`. A BytesIO there becomes a
    # sync-only stream, which an AsyncClient cannot send (and a retry would find it spent);
    # bytes work for both clients and every attempt, so bytes it is.
    return File(payload=cast(BinaryIO, raw), mime_type="application/x-protobuf")


def _public_key(response: Response[Any]) -> PublicKey:
    answer = instance_proto.GetPublicKeyResponse.decode(response.content)
    return from_service(
        answer.public_key,
        vendor=VENDOR,
        key_id=answer.key_id or None,
        request_id=answer.request_id or None,
    )


def _settings(
    endpoint: str,
    client_key: ClientKey | None,
    client_key_file: str | os.PathLike[str] | None,
    client_key_password: str | bytes | None,
    ca_file: str | os.PathLike[str] | None,
    clock: Callable[[], datetime],
) -> tuple[str, InstanceAuth, ssl.SSLContext | bool]:
    base_url = instance_endpoint(endpoint)
    if client_key is None:
        if client_key_file is None:
            raise ValidationError("client_key_file is required (the ClientKey JSON file of the access point)")
        client_key = load_client_key(client_key_file, client_key_password)
    elif client_key_file is not None:
        raise ValidationError("pass client_key_file or client_key, not both")
    return base_url, InstanceAuth(client_key, clock=clock), tls_verify(ca_file)


class AlibabaKmsInstanceClient(SyncClientBase[Client]):
    """GetPublicKey through a KMS instance's dedicated gateway. A context manager."""

    _vendor = "alibaba-instance"

    def __init__(
        self,
        endpoint: str,
        *,
        client_key_file: str | os.PathLike[str] | None = None,
        client_key_password: str | bytes | None = None,
        ca_file: str | os.PathLike[str] | None = None,
        timeout: float = defaults.TIMEOUT_SECONDS,
        max_retries: int = defaults.MAX_RETRIES,
        client_key: ClientKey | None = None,
        clock: Callable[[], datetime] = utc_now,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        policy = RequestPolicy(timeout=timeout, max_retries=max_retries)
        base_url, auth, verify = _settings(
            endpoint, client_key, client_key_file, client_key_password, ca_file, clock
        )
        self.endpoint = base_url
        self.client_key_id = auth.key_id
        args = generated_client_args(
            base_url, auth, decode_error, policy, asynchronous=False, verify=verify, transport=transport
        )
        super().__init__(Client(**args), policy)

    def get_public_key(self, key_id: str) -> PublicKey:
        body = _body(key_id)
        response = self._call(
            lambda: operation.sync_detailed(
                client=self._api,
                body=body,
                x_kms_apiname=_API_NAME,
                x_kms_apiversion=_API_VERSION,
                x_kms_signaturemethod=_SIGNATURE_METHOD,
            ),
            "GetPublicKey",
        )
        return _public_key(response)


class AsyncAlibabaKmsInstanceClient(AsyncClientBase[Client]):
    """The async twin of `AlibabaKmsInstanceClient`: the same arguments, coroutine methods."""

    _vendor = "alibaba-instance"

    def __init__(
        self,
        endpoint: str,
        *,
        client_key_file: str | os.PathLike[str] | None = None,
        client_key_password: str | bytes | None = None,
        ca_file: str | os.PathLike[str] | None = None,
        timeout: float = defaults.TIMEOUT_SECONDS,
        max_retries: int = defaults.MAX_RETRIES,
        client_key: ClientKey | None = None,
        clock: Callable[[], datetime] = utc_now,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        policy = RequestPolicy(timeout=timeout, max_retries=max_retries)
        base_url, auth, verify = _settings(
            endpoint, client_key, client_key_file, client_key_password, ca_file, clock
        )
        self.endpoint = base_url
        self.client_key_id = auth.key_id
        args = generated_client_args(
            base_url, auth, decode_error, policy, asynchronous=True, verify=verify, transport=transport
        )
        super().__init__(Client(**args), policy)

    async def get_public_key(self, key_id: str) -> PublicKey:
        body = _body(key_id)
        response = await self._call(
            lambda: operation.asyncio_detailed(
                client=self._api,
                body=body,
                x_kms_apiname=_API_NAME,
                x_kms_apiversion=_API_VERSION,
                x_kms_signaturemethod=_SIGNATURE_METHOD,
            ),
            "GetPublicKey",
        )
        return _public_key(response)
