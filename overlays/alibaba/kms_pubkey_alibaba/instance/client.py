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
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any, BinaryIO, cast

import httpx
from kms_pubkey_alibaba_instance_api import Client
from kms_pubkey_alibaba_instance_api.api.default import get_public_key as operation
from kms_pubkey_alibaba_instance_api.models import GetPublicKeyXKmsApiname
from kms_pubkey_alibaba_instance_api.types import UNSET, File, Response

from kms_pubkey import defaults
from kms_pubkey.checks import check_id
from kms_pubkey.client_base import AsyncClient, Settings, SyncClient, TransportT, VendorClient
from kms_pubkey.endpoints import check_endpoint, tls_verify
from kms_pubkey.errors import ValidationError
from kms_pubkey.public_key import PublicKey
from kms_pubkey.signing import utc_now
from kms_pubkey.vendor import Answer, Operation, Vendor
from kms_pubkey_alibaba.instance import proto as instance_proto
from kms_pubkey_alibaba.instance.auth import API_VERSION, SIGNATURE_METHOD, InstanceAuth
from kms_pubkey_alibaba.instance.client_key import ClientKey, load_client_key
from kms_pubkey_alibaba.instance.errors import CLOCK_SKEW, ERROR_CODES, VENDOR, read_error

API_NAME: GetPublicKeyXKmsApiname = "GetPublicKey"


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


def _call(key_id: str) -> dict[str, Any]:
    raw = instance_proto.GetPublicKeyRequest(key_id=check_id(key_id, "key_id", "key id or alias")).encode()
    # The generated code hands `payload` to httpx as `content=`. A BytesIO there becomes a
    # sync-only stream, which an AsyncClient cannot send (and a retry would find it spent);
    # bytes work for both clients and every attempt, so bytes it is.
    return {
        "body": File(payload=cast(BinaryIO, raw), mime_type="application/x-protobuf"),
        "x_kms_apiname": API_NAME,
        "x_kms_apiversion": API_VERSION,
        "x_kms_signaturemethod": SIGNATURE_METHOD,
    }


def _answer(response: Response[Any], call: Mapping[str, Any]) -> Answer:
    answer = instance_proto.GetPublicKeyResponse.decode(response.content)
    return Answer(answer.public_key, key_id=answer.key_id or None, request_id=answer.request_id or None)


GET_PUBLIC_KEY = Operation("GetPublicKey", operation.sync_detailed, operation.asyncio_detailed, _answer)
# No request-id header: the id travels in the protobuf answer and error.
ALIBABA_INSTANCE = Vendor(
    VENDOR,
    None,
    ERROR_CODES,
    read_error,
    Client,
    GET_PUBLIC_KEY,
    UNSET,
    clock_skew=CLOCK_SKEW,
    vocabulary="alibaba-instance",
)


class _InstanceClient(VendorClient[TransportT]):
    _declaration = ALIBABA_INSTANCE
    client_key_id: str

    def __init__(
        self,
        endpoint: str,
        *,
        client_key_file: str | os.PathLike[str] | None = None,
        client_key_password: str | bytes | None = None,
        ca_file: str | os.PathLike[str] | None = None,
        timeout: float = defaults.TIMEOUT_SECONDS,
        max_retries: int = defaults.MAX_RETRIES,
        total_timeout: float | None = defaults.TOTAL_TIMEOUT_SECONDS,
        client_key: ClientKey | None = None,
        clock: Callable[[], datetime] = utc_now,
        transport: TransportT | None = None,
    ) -> None:
        base_url = instance_endpoint(endpoint)
        if client_key is None:
            if client_key_file is None:
                raise ValidationError(
                    "client_key_file is required (the ClientKey JSON file of the access point)"
                )
            client_key = load_client_key(client_key_file, client_key_password)
        elif client_key_file is not None:
            raise ValidationError("pass client_key_file or client_key, not both")
        auth = InstanceAuth(client_key, clock=clock)
        shown = (("client_key_id", auth.key_id),)
        carries = "a ClientKey Bearer signature"
        settings = Settings(base_url, auth, verify=tls_verify(ca_file), shown=shown, carries=carries)
        self._open(settings, timeout, max_retries, transport, total_timeout)


class AlibabaKmsInstanceClient(_InstanceClient[httpx.BaseTransport], SyncClient):
    """GetPublicKey through a KMS instance's dedicated gateway. A context manager."""

    def get_public_key(self, key_id: str) -> PublicKey:
        return self._fetch(_call(key_id), (key_id, None))


class AsyncAlibabaKmsInstanceClient(_InstanceClient[httpx.AsyncBaseTransport], AsyncClient):
    """The async twin of `AlibabaKmsInstanceClient`: the same arguments, coroutine methods."""

    async def get_public_key(self, key_id: str) -> PublicKey:
        return await self._fetch(_call(key_id), (key_id, None))
