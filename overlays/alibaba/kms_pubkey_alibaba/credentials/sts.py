"""Alibaba Cloud STS: `AssumeRole`, signed with the RPC HMAC-SHA1 rules by the credentials it
starts from, and `AssumeRoleWithOIDC`, unsigned (the OIDC token is the proof). Each is a
`Fetcher`: nothing is asked until the first request needs credentials.

The parameters travel as a POST form, not in the query as the official library sends them: the
gateway reads both, and a form keeps the source's security token and the OIDC token out of URLs.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

from kms_pubkey.credentials import Credentials, Fetcher, first_env
from kms_pubkey.errors import CredentialsError, ValidationError
from kms_pubkey.frozen import Frozen
from kms_pubkey.provider_io import (
    STS_TIMEOUT_SECONDS,
    expect_ok,
    http_call,
    json_object,
    parse_expiry,
    read_token_file,
    temporary,
    text_field,
)
from kms_pubkey.signing import extended_utc, new_nonce, utc_now
from kms_pubkey_alibaba import rpc

STS_ENDPOINT_ENV = "ALIBABA_CLOUD_STS_ENDPOINT"
"""Ours: the full STS URL (`https://host[:port]`, or a bare host for https), for private clouds
and tests. It wins over the official library's region and VPC switches below."""
STS_REGION_ENV = "ALIBABA_CLOUD_STS_REGION"
VPC_ENDPOINT_ENV = "ALIBABA_CLOUD_VPC_ENDPOINT_ENABLED"
SESSION_NAME_ENV = "ALIBABA_CLOUD_ROLE_SESSION_NAME"
API_VERSION = "2015-04-01"
DEFAULT_DURATION_SECONDS = 3600
MIN_DURATION_SECONDS = 900
"""STS refuses shorter sessions; the official library refuses them before asking."""


def sts_endpoint(env: Mapping[str, str], *, region: str | None = None, vpc: bool | None = None) -> str:
    """The STS base URL, chosen as the official library does (a profile's `sts_region` and
    `enable_vpc` before the environment's), under our full-URL override."""
    override = first_env((STS_ENDPOINT_ENV,), env)
    if override:
        return (override if "://" in override else f"https://{override}").rstrip("/")
    use_vpc = vpc if vpc is not None else env.get(VPC_ENDPOINT_ENV, "").lower() == "true"
    prefix = "sts-vpc" if use_vpc else "sts"
    chosen = region or first_env((STS_REGION_ENV,), env)
    return f"https://{prefix}.{chosen}.aliyuncs.com" if chosen else "https://sts.aliyuncs.com"


def session_name(env: Mapping[str, str], configured: object = None) -> str:
    if isinstance(configured, str) and configured:
        return configured
    return first_env((SESSION_NAME_ENV,), env) or f"kms-pubkey-{int(time.time())}"


def duration(value: object, where: str) -> int:
    if value is None or value == "":
        return DEFAULT_DURATION_SECONDS
    if isinstance(value, bool) or not isinstance(value, int) or value < MIN_DURATION_SECONDS:
        raise ValidationError(
            f"{where}: expired_seconds must be a whole number of at least {MIN_DURATION_SECONDS}"
        )
    return value


class Role(Frozen):
    """What an STS call asks for: which role, under which session name, for how long, where."""

    __slots__ = ("arn", "duration_seconds", "endpoint", "external_id", "policy", "session_name")
    arn: str
    session_name: str
    endpoint: str
    duration_seconds: int
    policy: str | None
    external_id: str | None

    def __init__(
        self,
        arn: str,
        session_name: str,
        endpoint: str,
        duration_seconds: int = DEFAULT_DURATION_SECONDS,
        policy: str | None = None,
        external_id: str | None = None,
    ) -> None:
        self._set(
            arn=arn,
            session_name=session_name,
            endpoint=endpoint,
            duration_seconds=duration_seconds,
            policy=policy,
            external_id=external_id,
        )

    def parameters(self) -> dict[str, str]:
        params = {
            "Version": API_VERSION,
            "DurationSeconds": str(self.duration_seconds),
            "RoleArn": self.arn,
            "RoleSessionName": self.session_name,
        }
        if self.policy:
            params["Policy"] = self.policy
        if self.external_id:
            params["ExternalId"] = self.external_id
        return params


def _ask(provider: str, role: Role, params: Mapping[str, str], timeout: float) -> Credentials:
    """One STS call, its parameters in a POST form; the answer's `Credentials`."""
    response = http_call(provider, "POST", f"{role.endpoint}/", data=params, timeout=timeout)
    expect_ok(provider, response)
    found = json_object(provider, response.content).get("Credentials")
    if not isinstance(found, dict):
        raise CredentialsError(f"{provider}: the answer has no Credentials")
    return credentials_in(provider, found)


def credentials_in(provider: str, values: Mapping[str, Any]) -> Credentials:
    """The four fields every Alibaba source of temporary credentials answers with."""
    return temporary(
        provider,
        text_field(provider, values, "AccessKeyId"),
        text_field(provider, values, "AccessKeySecret"),
        text_field(provider, values, "SecurityToken"),
        parse_expiry(provider, values.get("Expiration")),
        utc_now(),
    )


def assume_role(
    role: Role, source: Credentials | Fetcher, provider: str, *, timeout: float = STS_TIMEOUT_SECONDS
) -> Fetcher:
    """STS `AssumeRole` signed by `source` (fetched afresh each time when it is itself temporary)."""

    def fetch() -> Credentials:
        signer = source.fetch() if isinstance(source, Fetcher) else source
        params = {"Action": "AssumeRole", **role.parameters()}
        params.update(rpc.sign("POST", params.items(), signer, utc_now(), new_nonce()))
        return _ask(provider, role, params, timeout)

    return Fetcher(provider, fetch)


def assume_role_with_oidc(
    role: Role, oidc_provider_arn: str, token_file: str, *, timeout: float = STS_TIMEOUT_SECONDS
) -> Fetcher:
    """STS `AssumeRoleWithOIDC` with the token file read afresh each time (the cluster rotates it)."""
    provider = "alibaba sts AssumeRoleWithOIDC"

    def fetch() -> Credentials:
        params = {
            "Action": "AssumeRoleWithOIDC",
            "Format": "JSON",
            "Timestamp": extended_utc(utc_now()),
            "OIDCProviderArn": oidc_provider_arn,
            "OIDCToken": read_token_file(provider, token_file),
            **role.parameters(),
        }
        return _ask(provider, role, params, timeout)

    return Fetcher(provider, fetch)
