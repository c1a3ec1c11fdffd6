"""Huawei's temporary credentials, each a `Fetcher`, asked as huaweicloudsdkcore asks them:

- the ECS metadata service (`MetadataAccessor`): a session token from
  `PUT /meta-data/latest/api/token` when the service gives one, then
  `GET /openstack/latest/securitykey` with it in `X-Metadata-Token`;
- IdP (OIDC) token federation through IAM (`FederalAccessor`): the id token read from its file
  buys an unscoped IAM token (`POST /v3.0/OS-AUTH/id-token/tokens`, `X-Idp-Id`, answered in
  `X-Subject-Token`), which buys a temporary AK/SK (`POST /v3.0/OS-CREDENTIAL/securitytokens`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from kms_pubkey.credentials import Credentials, Fetcher
from kms_pubkey.errors import CredentialsError
from kms_pubkey.provider_io import (
    STS_TIMEOUT_SECONDS,
    expect_ok,
    http_call,
    json_object,
    parse_expiry,
    read_token_file,
    temporary,
)

METADATA = "huawei ecs metadata"
METADATA_TIMEOUT_SECONDS = 3.0  # huaweicloudsdkcore's MetadataAccessor waits (3, 3) seconds
TOKEN_PATH = "/meta-data/latest/api/token"
SECURITY_KEY_PATH = "/openstack/latest/securitykey"
TOKEN_TTL_SECONDS = 6 * 60 * 60
NO_TOKEN_SERVICE = (404, 405, 503)
"""The official accessor's answers to the token PUT that mean "ask without a token"."""
NO_AGENCY = "Please configure Cloud Service Agency first"

FEDERATION = "huawei iam id-token federation"
ID_TOKEN_PATH = "/v3.0/OS-AUTH/id-token/tokens"
SECURITY_TOKENS_PATH = "/v3.0/OS-CREDENTIAL/securitytokens"
FEDERATION_DURATION_SECONDS = 6 * 60 * 60  # what FederalAccessor asks for
_JSON = {"Content-Type": "application/json;charset=UTF-8"}

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


def _from_answer(provider: str, body: bytes) -> Credentials:
    """`{"credential": {"access", "secret", "securitytoken", "expires_at"}}`, refused when expired."""
    outer = json_object(provider, body)
    inner = outer.get("credential", outer.get("credentials", outer))
    if not isinstance(inner, dict):
        raise CredentialsError(f"{provider}: the answer's credential is not a JSON object")
    texts = [_field(provider, inner, name) for name in ("access", "secret", "securitytoken")]
    if not all(isinstance(text, str) for text in texts):
        raise CredentialsError(f"{provider}: the answer's credential fields are not strings")
    expiry = parse_expiry(provider, _field(provider, inner, "expires_at"))
    return temporary(provider, texts[0], texts[1], texts[2], expiry, datetime.now(UTC))


def ecs_metadata(endpoint: str, timeout: float = METADATA_TIMEOUT_SECONDS) -> Fetcher:
    """The instance's agency credentials, from the metadata service at `endpoint`."""
    base = endpoint.rstrip("/")

    def fetch() -> Credentials:
        ttl = {"X-Metadata-Token-Ttl-Seconds": str(TOKEN_TTL_SECONDS)}
        answer = http_call(METADATA, "PUT", base + TOKEN_PATH, timeout=timeout, headers=ttl)
        headers: dict[str, str] = {}
        if answer.status_code not in NO_TOKEN_SERVICE:
            expect_ok(METADATA, answer)
            headers["X-Metadata-Token"] = answer.text
        answer = http_call(METADATA, "GET", base + SECURITY_KEY_PATH, timeout=timeout, headers=headers)
        if answer.status_code == 401 and NO_AGENCY in answer.text:
            raise CredentialsError(f"{METADATA}: the instance has no cloud service agency (HTTP 401)")
        expect_ok(METADATA, answer)
        return _from_answer(METADATA, answer.content)

    return Fetcher(METADATA, fetch)


def idp_federation(idp_id: str, id_token_file: str, iam_endpoint: str) -> Fetcher:
    """A temporary AK/SK for the identity provider `idp_id`, the id token read afresh each time."""
    provider = f"{FEDERATION} (idp {idp_id})"
    base = iam_endpoint.rstrip("/")

    def fetch() -> Credentials:
        id_token = {"auth": {"id_token": {"id": read_token_file(provider, id_token_file)}}}
        answer = http_call(
            provider,
            "POST",
            base + ID_TOKEN_PATH,
            timeout=STS_TIMEOUT_SECONDS,
            headers={"X-Idp-Id": idp_id, **_JSON},
            data=json.dumps(id_token).encode(),
        )
        expect_ok(provider, answer)
        iam_token = answer.headers.get("X-Subject-Token")
        if not iam_token:
            raise CredentialsError(f"{provider}: IAM answered without an X-Subject-Token")
        token = {"id": iam_token, "duration_seconds": FEDERATION_DURATION_SECONDS}
        request = {"auth": {"identity": {"methods": ["token"], "token": token}}}
        answer = http_call(
            provider,
            "POST",
            base + SECURITY_TOKENS_PATH,
            timeout=STS_TIMEOUT_SECONDS,
            headers=_JSON,
            data=json.dumps(request).encode(),
        )
        expect_ok(provider, answer)
        return _from_answer(provider, answer.content)

    return Fetcher(provider, fetch)
