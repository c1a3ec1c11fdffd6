"""Temporary credentials served over plain HTTP: the ECS instance's RAM role (metadata service,
hardened mode) and `ALIBABA_CLOUD_CREDENTIALS_URI`. Both answer
`{"Code": "Success", "AccessKeyId", "AccessKeySecret", "SecurityToken", "Expiration"}`.
"""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import quote

import httpx

from kms_pubkey.credentials import Credentials, Fetcher, first_env
from kms_pubkey.errors import CredentialsError
from kms_pubkey.provider_io import (
    METADATA_TIMEOUT_SECONDS,
    STS_TIMEOUT_SECONDS,
    expect_ok,
    http_call,
    json_object,
)
from kms_pubkey_alibaba.credentials.sts import credentials_in

ECS_ROLE_ENV = "ALIBABA_CLOUD_ECS_METADATA"
ECS_DISABLED_ENV = "ALIBABA_CLOUD_ECS_METADATA_DISABLED"
IMDSV1_DISABLED_ENV = "ALIBABA_CLOUD_IMDSV1_DISABLED"
ECS_ENDPOINT_ENV = "ALIBABA_CLOUD_ECS_METADATA_ENDPOINT"
"""Ours (the official library hard-codes the address): the metadata service's base URL."""
CREDENTIALS_URI_ENV = "ALIBABA_CLOUD_CREDENTIALS_URI"
DEFAULT_ECS_ENDPOINT = "http://100.100.100.200"
TOKEN_PATH = "/latest/api/token"
ROLE_PATH = "/latest/meta-data/ram/security-credentials/"
TOKEN_HEADER = "X-aliyun-ecs-metadata-token"
TOKEN_TTL_HEADER = "X-aliyun-ecs-metadata-token-ttl-seconds"
TOKEN_TTL_SECONDS = 21600
"""The official library's token lifetime; each fetch asks for a new token anyway."""
ECS_PROVIDER = "alibaba ecs metadata"
URI_PROVIDER = "alibaba credentials uri"


def is_true(env: Mapping[str, str], name: str) -> bool:
    return env.get(name, "").lower() == "true"


def _success(provider: str, response: httpx.Response) -> Credentials:
    expect_ok(provider, response)
    answer = json_object(provider, response.content)
    if answer.get("Code") != "Success":
        raise CredentialsError(f"{provider}: the answer's Code is not Success")
    return credentials_in(provider, answer)


def ecs_ram_role(
    env: Mapping[str, str], role_name: str | None, *, timeout: float = METADATA_TIMEOUT_SECONDS
) -> Fetcher:
    """The instance's RAM role credentials, as the official library gets them: a token first
    (`PUT`), then the role name (unless given) and its credentials, each `GET` carrying the token.
    Without `ALIBABA_CLOUD_IMDSV1_DISABLED=true`, a failed token or a failed `GET` with a token
    falls back to asking without one, as the official library does."""
    base = (first_env((ECS_ENDPOINT_ENV,), env) or DEFAULT_ECS_ENDPOINT).rstrip("/")
    v1_disabled = is_true(env, IMDSV1_DISABLED_ENV)

    def get(path: str, token: str | None) -> httpx.Response:
        headers = {TOKEN_HEADER: token} if token else {}
        response = http_call(ECS_PROVIDER, "GET", base + path, headers=headers, timeout=timeout)
        expect_ok(ECS_PROVIDER, response)
        return response

    def get_hardened(path: str, token: str | None) -> httpx.Response:
        try:
            return get(path, token)
        except CredentialsError:
            if token is None or v1_disabled:
                raise
            return get(path, None)

    def metadata_token() -> str | None:
        try:
            headers = {TOKEN_TTL_HEADER: str(TOKEN_TTL_SECONDS)}
            response = http_call(ECS_PROVIDER, "PUT", base + TOKEN_PATH, headers=headers, timeout=timeout)
            expect_ok(ECS_PROVIDER, response)
        except CredentialsError:
            if v1_disabled:
                raise
            return None
        return response.text.strip() or None

    def fetch() -> Credentials:
        token = metadata_token()
        name = role_name or get_hardened(ROLE_PATH, token).text.strip()
        if not name:
            raise CredentialsError(f"{ECS_PROVIDER}: no RAM role is attached to the instance")
        return _success(ECS_PROVIDER, get_hardened(ROLE_PATH + quote(name, safe=""), token))

    return Fetcher(ECS_PROVIDER, fetch)


def credentials_uri(uri: str, *, timeout: float = STS_TIMEOUT_SECONDS) -> Fetcher:
    """`GET uri`; the URI is never put in a message (it may carry a secret in its query)."""

    def fetch() -> Credentials:
        return _success(URI_PROVIDER, http_call(URI_PROVIDER, "GET", uri, timeout=timeout))

    return Fetcher(URI_PROVIDER, fetch)


def from_environment(env: Mapping[str, str]) -> Fetcher | None:
    """The official chain's last two: the ECS RAM role when `ALIBABA_CLOUD_ECS_METADATA` is set
    (empty: the role name is asked from the service) and the metadata service is not disabled,
    then `ALIBABA_CLOUD_CREDENTIALS_URI`."""
    if ECS_ROLE_ENV in env and not is_true(env, ECS_DISABLED_ENV):
        return ecs_ram_role(env, env[ECS_ROLE_ENV] or None)
    uri = first_env((CREDENTIALS_URI_ENV,), env)
    return credentials_uri(uri) if uri else None
