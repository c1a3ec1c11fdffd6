"""The AWS credential chain: explicit arguments, environment, then the shared config files."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from kms_pubkey.credentials import Credentials, first_env, from_arguments, from_environment, read_ini
from kms_pubkey.errors import ValidationError


def _aws_file(env: Mapping[str, str], variable: str, default: str) -> Path:
    return Path(env.get(variable) or Path.home() / ".aws" / default).expanduser()


def profile_name(profile: str | None, env: Mapping[str, str]) -> str:
    return profile or env.get("AWS_PROFILE") or env.get("AWS_DEFAULT_PROFILE") or "default"


def _from_files(name: str, env: Mapping[str, str]) -> Credentials | None:
    sections: list[tuple[str, dict[str, str]]] = []
    credentials_file = read_ini(_aws_file(env, "AWS_SHARED_CREDENTIALS_FILE", "credentials"))
    if credentials_file is not None and credentials_file.has_section(name):
        sections.append(("~/.aws/credentials", dict(credentials_file.items(name))))
    config_file = read_ini(_aws_file(env, "AWS_CONFIG_FILE", "config"))
    config_section = name if name == "default" else f"profile {name}"
    if config_file is not None and config_file.has_section(config_section):
        sections.append(("~/.aws/config", dict(config_file.items(config_section))))
    for source, values in sections:
        key_id = values.get("aws_access_key_id")
        secret = values.get("aws_secret_access_key")
        if key_id and secret:
            return Credentials(key_id, secret, values.get("aws_session_token") or None, f"{source} [{name}]")
        if key_id or secret:
            raise ValidationError(
                f"{source} [{name}] has only one of aws_access_key_id and aws_secret_access_key"
            )
    return None


def resolve_credentials(
    access_key_id: str | None = None,
    secret_access_key: str | None = None,
    session_token: str | None = None,
    profile: str | None = None,
    environ: Mapping[str, str] | None = None,
) -> Credentials:
    """First complete source wins; a half-given pair is an error, not a fall-through."""
    env = os.environ if environ is None else environ
    names = ("access_key_id", "secret_access_key", "session_token")
    found = from_arguments(access_key_id, secret_access_key, session_token, names)
    if found is None and profile is None:
        found = from_environment(env, (("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"),), "AWS_SESSION_TOKEN")
    if found is not None:
        return found
    name = profile_name(profile, env)
    found = _from_files(name, env)
    if found is not None:
        return found
    if profile is not None:
        raise ValidationError(
            f"AWS profile {name!r} has no access key in ~/.aws/credentials or ~/.aws/config"
        )
    raise ValidationError(
        "no AWS credentials: {arguments}set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, "
        "or add a profile to ~/.aws/credentials (chosen by {profile} or AWS_PROFILE)",
        parameters=("profile",),
        arguments="pass access_key_id/secret_access_key, ",
    )


def resolve_region(region: str | None, profile: str | None, environ: Mapping[str, str] | None = None) -> str:
    env = os.environ if environ is None else environ
    value = region or first_env(("AWS_REGION", "AWS_DEFAULT_REGION"), env)
    if not value:
        config_file = read_ini(_aws_file(env, "AWS_CONFIG_FILE", "config"))
        name = profile_name(profile, env)
        section = name if name == "default" else f"profile {name}"
        if config_file is not None and config_file.has_section(section):
            value = config_file.get(section, "region", fallback=None)
    if not value:
        raise ValidationError(
            "no AWS region: pass {region}, or set AWS_REGION or a profile region", parameters=("region",)
        )
    return value
