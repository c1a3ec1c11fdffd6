"""IAM Identity Center (SSO): the token `aws sso login` cached in ~/.aws/sso/cache, traded for
role credentials at the SSO portal's GetRoleCredentials."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

from kms_pubkey import provider_io as io
from kms_pubkey.credentials import Credentials
from kms_pubkey.endpoints import check_endpoint
from kms_pubkey.errors import CredentialsError, ValidationError
from kms_pubkey.signing import utc_now
from kms_pubkey_aws.credentials.config import AwsConfig

ROLE_KEYS = ("sso_role_name", "sso_account_id")
SESSION_KEYS = ("sso_start_url", "sso_region")


def uses_sso(values: dict[str, str]) -> bool:
    return any(key in values for key in ROLE_KEYS)


def _settings(provider: str, config: AwsConfig, name: str) -> dict[str, str]:
    """The profile's sso_* keys, with its `sso_session` section's (which must agree), as botocore."""
    values = dict(config.values(name))
    session = values.get("sso_session")
    if session is not None:
        section = config.sso_sessions.get(session)
        if section is None:
            raise CredentialsError(f"{provider}: ~/.aws/config has no [sso-session {session}]")
        for key, value in section.items():
            if values.setdefault(key, value) != value:
                raise CredentialsError(
                    f"{provider}: {key} differs between the profile and sso-session {session}"
                )
    missing = [k for k in ROLE_KEYS + SESSION_KEYS if not values.get(k)]
    if missing:
        raise CredentialsError(f"{provider}: the profile is missing {', '.join(missing)}")
    return values


def token_cache_file(start_url: str, session: str | None) -> Path:
    """botocore's cache file: sha1 of the sso-session name, or of the start URL for a legacy profile."""
    key = hashlib.sha1((session or start_url).encode(), usedforsecurity=False).hexdigest()
    return Path.home() / ".aws" / "sso" / "cache" / f"{key}.json"


def sso_fetcher(config: AwsConfig, name: str) -> tuple[str, Callable[[], Credentials]]:
    provider = f"aws sso (profile {name!r})"
    values = _settings(provider, config, name)
    region = values["sso_region"]
    try:
        portal = check_endpoint(config.endpoint_url("sso") or f"https://portal.sso.{region}.amazonaws.com")
    except ValidationError as exc:
        raise CredentialsError(f"{provider}: {exc}") from None
    cache = token_cache_file(values["sso_start_url"], values.get("sso_session"))
    login = (
        f"aws sso login --sso-session {values['sso_session']}" if "sso_session" in values else "aws sso login"
    )
    verify = config.ca_bundle() or True

    def fetch() -> Credentials:
        try:
            cached = io.json_object(provider, cache.read_bytes())
        except OSError:
            raise CredentialsError(f"{provider}: no cached SSO token in {cache}: run `{login}`") from None
        token = io.text_field(provider, cached, "accessToken")
        now = utc_now()
        if io.parse_expiry(provider, cached.get("expiresAt")) <= now:
            raise CredentialsError(f"{provider}: the cached SSO token has expired: run `{login}`")
        response = io.http_call(
            provider,
            "GET",
            f"{portal}/federation/credentials",
            timeout=io.STS_TIMEOUT_SECONDS,
            params={"role_name": values["sso_role_name"], "account_id": values["sso_account_id"]},
            headers={"x-amz-sso_bearer_token": token},
            verify=verify,
        )
        if response.status_code in (401, 403):
            raise CredentialsError(
                f"{provider}: the SSO token was refused (HTTP {response.status_code}): run `{login}`"
            )
        io.expect_ok(provider, response)
        role = io.json_object(provider, response.content).get("roleCredentials")
        if not isinstance(role, dict):
            raise CredentialsError(f"{provider}: the answer has no roleCredentials")
        key_id, secret, session_token = (
            io.text_field(provider, role, n) for n in ("accessKeyId", "secretAccessKey", "sessionToken")
        )
        expiration = role.get("expiration")
        if not isinstance(expiration, int | float) or isinstance(expiration, bool):
            raise CredentialsError(f"{provider}: the answer's expiration is not a time")
        expiry = io.parse_expiry(provider, expiration / 1000)  # milliseconds since the epoch
        return io.temporary(provider, key_id, secret, session_token, expiry, now)

    return provider, fetch
