"""The Alibaba Cloud credential chain, in the order of the official `alibabacloud-credentials`
library's default provider; the first configured provider wins.

1. explicit arguments;
2. ALIBABA_CLOUD_ACCESS_KEY_ID / _SECRET / _SECURITY_TOKEN;
3. OIDC / RRSA: ALIBABA_CLOUD_ROLE_ARN + ALIBABA_CLOUD_OIDC_PROVIDER_ARN + ALIBABA_CLOUD_OIDC_TOKEN_FILE;
4. the aliyun CLI's config.json (see `cli_config`);
5. the ECS RAM role, when ALIBABA_CLOUD_ECS_METADATA is set;
6. ALIBABA_CLOUD_CREDENTIALS_URI.

A named profile stops the chain at step 4, as `aliyun --profile` ignores the environment.

The providers (`cli_config`, `sts`, `metadata`) are imported by the steps that use them: a
client given keys, or finding them in the environment, never loads them (cold start).
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from kms_pubkey.credentials import Credentials, Fetcher, first_env, from_environment
from kms_pubkey.errors import ValidationError

ACCESS_KEY_ID_ENV = "ALIBABA_CLOUD_ACCESS_KEY_ID"
ACCESS_KEY_SECRET_ENV = "ALIBABA_CLOUD_ACCESS_KEY_SECRET"
SECURITY_TOKEN_ENV = "ALIBABA_CLOUD_SECURITY_TOKEN"
ROLE_ARN_ENV = "ALIBABA_CLOUD_ROLE_ARN"
OIDC_PROVIDER_ARN_ENV = "ALIBABA_CLOUD_OIDC_PROVIDER_ARN"
OIDC_TOKEN_FILE_ENV = "ALIBABA_CLOUD_OIDC_TOKEN_FILE"
ARGUMENT_NAMES = ("access_key_id", "access_key_secret", "security_token")
"""The clients' argument names, for `kms_pubkey.credentials.from_arguments`."""


def oidc_from_environment(env: Mapping[str, str]) -> Fetcher | None:
    """RRSA, when all three variables are set (the official library skips it otherwise)."""
    role_arn = first_env((ROLE_ARN_ENV,), env)
    provider_arn = first_env((OIDC_PROVIDER_ARN_ENV,), env)
    token_file = first_env((OIDC_TOKEN_FILE_ENV,), env)
    if not (role_arn and provider_arn and token_file):
        return None
    from kms_pubkey_alibaba.credentials import sts

    role = sts.Role(role_arn, sts.session_name(env), sts.sts_endpoint(env))
    return sts.assume_role_with_oidc(role, provider_arn, token_file)


def resolve_credentials(
    explicit: Credentials | None = None,
    *,
    profile: str | None = None,
    environ: Mapping[str, str] | None = None,
) -> Credentials | Fetcher:
    """Credentials, or a `Fetcher` when the winner is STS, a metadata service or a credentials
    URI (nothing is fetched here). `explicit` is what the caller built from its arguments with
    `from_arguments(..., ARGUMENT_NAMES)`.
    """
    env = os.environ if environ is None else environ
    if explicit is not None:
        return explicit
    if profile is None:
        pair = ((ACCESS_KEY_ID_ENV, ACCESS_KEY_SECRET_ENV),)
        found_early = from_environment(env, pair, SECURITY_TOKEN_ENV) or oidc_from_environment(env)
        if found_early is not None:
            return found_early
    from kms_pubkey_alibaba.credentials import cli_config, metadata

    if profile is not None or not metadata.is_true(env, cli_config.CLI_PROFILE_DISABLED_ENV):
        config = cli_config.read_cli_config(env, profile)
        if config is not None:
            return cli_config.profile_credentials(config, env)
    found_late = metadata.from_environment(env) if profile is None else None
    if found_late is not None:
        return found_late
    raise ValidationError(
        "no Alibaba Cloud credentials: {arguments}set ALIBABA_CLOUD_ACCESS_KEY_ID and "
        "ALIBABA_CLOUD_ACCESS_KEY_SECRET, or configure ~/.aliyun/config.json (profile chosen by "
        "{profile} or ALIBABA_CLOUD_PROFILE)",
        parameters=("profile",),
        arguments="pass access_key_id/access_key_secret, ",
    )


def resolve_region(
    region: str | None, environ: Mapping[str, str] | None = None, *, profile: str | None = None
) -> str | None:
    """The region from the argument, ALIBABA_CLOUD_REGION_ID, or the CLI profile; None if none."""
    env = os.environ if environ is None else environ
    value = region or first_env(("ALIBABA_CLOUD_REGION_ID",), env)
    if not value:
        from kms_pubkey_alibaba.credentials import cli_config

        config = cli_config.read_cli_config(env, profile)
        found = config.profile.get("region_id") if config is not None else None
        value = found if isinstance(found, str) and found else None
    return value
