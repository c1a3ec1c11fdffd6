"""Huawei's temporary credentials from the machine it runs on, each a `Fetcher`, asked as
huaweicloudsdkcore asks them, and the answer every Huawei credential service gives:

- the ECS metadata service (`MetadataAccessor`): a session token from
  `PUT /meta-data/latest/api/token` when the service gives one, then
  `GET /openstack/latest/securitykey` with it in `X-Metadata-Token`;
- pod identity (`PodIdentityAccessor`): `POST` to the agent's URI with the token file's text
  in `Authorization`.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from kms_pubkey import provider_io as io
from kms_pubkey.credentials import Credentials, Fetcher
from kms_pubkey.errors import CredentialsError

METADATA = "huawei ecs metadata"
METADATA_TIMEOUT_SECONDS = 3.0  # huaweicloudsdkcore's MetadataAccessor waits (3, 3) seconds
TOKEN_PATH = "/meta-data/latest/api/token"
SECURITY_KEY_PATH = "/openstack/latest/securitykey"
TOKEN_TTL_SECONDS = 6 * 60 * 60
NO_TOKEN_SERVICE = (404, 405, 503)
"""The official accessor's answers to the token PUT that mean "ask without a token"."""
NO_AGENCY = "Please configure Cloud Service Agency first"
POD_IDENTITY = "huawei pod identity"
POD_IDENTITY_TIMEOUT_SECONDS = 5.0  # PodIdentityAccessor's (5, 5)

# The names huaweicloudsdkcore's StsAccessor accepts for each field, first found wins.
_FIELDS = {
    "access": ("access", "accessKeyId", "access_key_id"),
    "secret": ("secret", "secretAccessKey", "secret_access_key"),
    "securitytoken": ("securitytoken", "securityToken", "security_token"),
    "expires_at": ("expires_at", "expiration"),
}


def _field(provider: str, values: Mapping[str, Any], field: str) -> Any:
    for name in _FIELDS[field]:
        if values.get(name):
            return values[name]
    raise CredentialsError(f"{provider}: the answer has no {field}")


def from_answer(provider: str, body: bytes) -> Credentials:
    """`{"credential": {"access", "secret", "securitytoken", "expires_at"}}`, refused when expired."""
    outer = io.json_object(provider, body)
    inner = outer.get("credential", outer.get("credentials", outer))
    if not isinstance(inner, dict):
        raise CredentialsError(f"{provider}: the answer's credential is not a JSON object")
    texts = [_field(provider, inner, name) for name in ("access", "secret", "securitytoken")]
    if not all(isinstance(text, str) for text in texts):
        raise CredentialsError(f"{provider}: the answer's credential fields are not strings")
    expiry = io.parse_expiry(provider, _field(provider, inner, "expires_at"))
    return io.temporary(provider, texts[0], texts[1], texts[2], expiry, datetime.now(UTC))


def ecs_metadata(endpoint: str, timeout: float = METADATA_TIMEOUT_SECONDS) -> Fetcher:
    """The instance's agency credentials, from the metadata service at `endpoint`."""
    base = endpoint.rstrip("/")

    def fetch() -> Credentials:
        ttl = {"X-Metadata-Token-Ttl-Seconds": str(TOKEN_TTL_SECONDS)}
        answer = io.http_call(METADATA, "PUT", base + TOKEN_PATH, timeout=timeout, headers=ttl)
        headers: dict[str, str] = {}
        if answer.status_code not in NO_TOKEN_SERVICE:
            io.expect_ok(METADATA, answer)
            headers["X-Metadata-Token"] = answer.text
        answer = io.http_call(METADATA, "GET", base + SECURITY_KEY_PATH, timeout=timeout, headers=headers)
        if answer.status_code == 401 and NO_AGENCY in answer.text:
            raise CredentialsError(f"{METADATA}: the instance has no cloud service agency (HTTP 401)")
        io.expect_ok(METADATA, answer)
        return from_answer(METADATA, answer.content)

    return Fetcher(METADATA, fetch)


def pod_identity(uri: str, token_file: str) -> Fetcher:
    """A CCE pod's agency credentials from the pod identity agent at `uri`; the token file is
    read on every fetch, as the kubelet rotates it."""

    def fetch() -> Credentials:
        headers = {
            "Authorization": io.read_token_file(POD_IDENTITY, token_file),
            "Content-Type": "application/json",
        }
        answer = io.http_call(
            POD_IDENTITY, "POST", uri, timeout=POD_IDENTITY_TIMEOUT_SECONDS, headers=headers, data=b"{}"
        )
        io.expect_ok(POD_IDENTITY, answer)
        return from_answer(POD_IDENTITY, answer.content)

    return Fetcher(POD_IDENTITY, fetch)
