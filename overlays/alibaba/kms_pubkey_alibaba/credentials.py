"""The Alibaba Cloud credential chain: explicit arguments, environment, then the aliyun CLI config."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from kms_pubkey.credentials import Credentials, first_env, from_arguments, from_environment
from kms_pubkey.errors import ValidationError

ACCESS_KEY_ID_ENV = "ALIBABA_CLOUD_ACCESS_KEY_ID"
ACCESS_KEY_SECRET_ENV = "ALIBABA_CLOUD_ACCESS_KEY_SECRET"
SECURITY_TOKEN_ENV = "ALIBABA_CLOUD_SECURITY_TOKEN"
REGION_ENV = ("ALIBABA_CLOUD_REGION_ID",)
PROFILE_ENV = ("ALIBABA_CLOUD_PROFILE",)
CONFIG_FILE_ENV = ("ALIBABA_CLOUD_CONFIG_FILE",)


def config_path(env: Mapping[str, str]) -> Path:
    return Path(first_env(CONFIG_FILE_ENV, env) or Path.home() / ".aliyun" / "config.json").expanduser()


def _profile(env: Mapping[str, str], profile: str | None = None) -> dict[str, Any] | None:
    """The selected profile of the aliyun CLI's config.json, or None when there is no file.

    `profile`, else ALIBABA_CLOUD_PROFILE, else the file's `current`; a profile named either
    way must exist.
    """
    chosen = profile or first_env(PROFILE_ENV, env)
    path = config_path(env)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        if profile:
            raise ValidationError(f"profile {profile!r} is not in {path}: the file does not exist") from None
        return None
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        raise ValidationError(f"cannot read {path}: {type(exc).__name__}") from None
    if not isinstance(data, dict) or not isinstance(data.get("profiles"), list):
        raise ValidationError(f"{path} is not an aliyun CLI config (no 'profiles' list)")
    name = chosen or data.get("current") or "default"
    for entry in data["profiles"]:
        if isinstance(entry, dict) and entry.get("name") == name:
            return entry
    if chosen:
        raise ValidationError(f"profile {name!r} is not in {path}")
    return None


def _from_profile(profile: Mapping[str, Any], env: Mapping[str, str]) -> Credentials:
    name = profile.get("name")
    mode = profile.get("mode") or "AK"
    source = f"{config_path(env)} [{name}]"
    if mode not in ("AK", "StsToken"):
        raise ValidationError(f"{source}: profile mode {mode!r} is not supported; use AK or StsToken")
    key_id, secret = profile.get("access_key_id"), profile.get("access_key_secret")
    token = profile.get("sts_token") if mode == "StsToken" else None
    if not isinstance(key_id, str) or not isinstance(secret, str) or not key_id or not secret:
        raise ValidationError(f"{source}: the profile has no access_key_id/access_key_secret")
    if mode == "StsToken" and not (isinstance(token, str) and token):
        raise ValidationError(f"{source}: a StsToken profile needs sts_token")
    return Credentials(key_id, secret, token or None, source)


def resolve_credentials(
    access_key_id: str | None = None,
    access_key_secret: str | None = None,
    security_token: str | None = None,
    profile: str | None = None,
    environ: Mapping[str, str] | None = None,
) -> Credentials:
    """First complete source wins; a half-given pair is an error, not a fall-through.

    A named `profile` skips the environment's access key, as `aliyun --profile` does.
    """
    env = os.environ if environ is None else environ
    names = ("access_key_id", "access_key_secret", "security_token")
    explicit = from_arguments(access_key_id, access_key_secret, security_token, names)
    if explicit is None and profile is None:
        explicit = from_environment(env, ((ACCESS_KEY_ID_ENV, ACCESS_KEY_SECRET_ENV),), SECURITY_TOKEN_ENV)
    if explicit is not None:
        return explicit
    found = _profile(env, profile)
    if found is not None:
        return _from_profile(found, env)
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
    value = region or first_env(REGION_ENV, env)
    if not value:
        selected = _profile(env, profile)
        found = selected.get("region_id") if selected is not None else None
        value = found if isinstance(found, str) and found else None
    return value
