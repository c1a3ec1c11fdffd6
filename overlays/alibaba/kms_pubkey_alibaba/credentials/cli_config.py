"""The aliyun CLI's `~/.aliyun/config.json`: its profiles and what each mode yields.

Modes: AK, StsToken (credentials in the file), RamRoleArn (STS AssumeRole signed by the
profile's key), ChainableRamRoleArn (AssumeRole signed by what `source_profile` yields, to any
depth, a cycle being an error), EcsRamRole (the instance's RAM role) and OIDC (RRSA).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from kms_pubkey.credentials import Credentials, Fetcher, first_env
from kms_pubkey.errors import CredentialsError, ValidationError
from kms_pubkey.frozen import Frozen
from kms_pubkey_alibaba.credentials import metadata, sts

CONFIG_FILE_ENV = ("ALIBABA_CLOUD_CONFIG_FILE",)
PROFILE_ENV = ("ALIBABA_CLOUD_PROFILE",)
CLI_PROFILE_DISABLED_ENV = "ALIBABA_CLOUD_CLI_PROFILE_DISABLED"
Profile = Mapping[str, Any]


def config_path(env: Mapping[str, str]) -> Path:
    return Path(first_env(CONFIG_FILE_ENV, env) or Path.home() / ".aliyun" / "config.json").expanduser()


class CliConfig(Frozen):
    """A read config.json and the profile selected in it. Its profiles hold secrets: the repr
    shows only the file and the selected profile's name."""

    __slots__ = ("path", "profiles", "selected")
    _hidden = frozenset({"profiles"})
    path: Path
    profiles: Mapping[str, Profile]
    selected: str

    def __init__(self, path: Path, profiles: Mapping[str, Profile], selected: str) -> None:
        self._set(path=path, profiles=profiles, selected=selected)

    @property
    def profile(self) -> Profile:
        return self.profiles[self.selected]


def read_cli_config(env: Mapping[str, str], profile: str | None = None) -> CliConfig | None:
    """The config with its selected profile: `profile`, else ALIBABA_CLOUD_PROFILE, else the
    file's `current`, else "default". None when there is no file or the selected profile is not
    in it; a profile named either way must exist."""
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
    profiles = {
        p["name"]: p for p in data["profiles"] if isinstance(p, dict) and isinstance(p.get("name"), str)
    }
    name = chosen or data.get("current") or "default"
    if name in profiles:
        return CliConfig(path, profiles, name)
    if chosen:
        raise ValidationError(f"profile {name!r} is not in {path}")
    return None


def profile_credentials(config: CliConfig, env: Mapping[str, str]) -> Credentials | Fetcher:
    return _yield(config, config.selected, env, ())


def _text(profile: Profile, field: str, where: str) -> str:
    value = profile.get(field)
    if not isinstance(value, str) or not value:
        raise ValidationError(f"{where}: the profile has no {field}")
    return value


def _keys(profile: Profile, where: str, token: str | None = None) -> Credentials:
    return Credentials(
        _text(profile, "access_key_id", where), _text(profile, "access_key_secret", where), token, where
    )


def _role(profile: Profile, env: Mapping[str, str], where: str, session_field: str) -> sts.Role:
    region, vpc, policy = profile.get("sts_region"), profile.get("enable_vpc"), profile.get("policy")
    external_id = profile.get("external_id")
    return sts.Role(
        _text(profile, "ram_role_arn", where),
        sts.session_name(env, profile.get(session_field)),
        sts.sts_endpoint(env, region=region or None, vpc=vpc if isinstance(vpc, bool) else None),
        sts.duration(profile.get("expired_seconds"), where),
        policy if isinstance(policy, str) else None,
        external_id if isinstance(external_id, str) else None,
    )


def _yield(
    config: CliConfig, name: str, env: Mapping[str, str], chain: tuple[str, ...]
) -> Credentials | Fetcher:
    """What profile `name` yields; `chain` is the profiles that led here through source_profile."""
    where = f"{config.path} [{name}]"
    if name in chain:
        cycle = " -> ".join((*chain, name))
        raise CredentialsError(f"alibaba config.json ({config.path}): source_profile cycle {cycle}")
    profile = config.profiles.get(name)
    if profile is None:
        raise ValidationError(f"{config.path} [{chain[-1]}]: source_profile {name!r} is not in the file")
    mode = profile.get("mode") or "AK"
    assume = f"alibaba sts AssumeRole (profile {name!r})"
    if mode == "AK":
        return _keys(profile, where)
    if mode == "StsToken":
        return _keys(profile, where, _text(profile, "sts_token", where))
    if mode == "RamRoleArn":
        return sts.assume_role(_role(profile, env, where, "ram_session_name"), _keys(profile, where), assume)
    if mode == "ChainableRamRoleArn":
        source = _yield(config, _text(profile, "source_profile", where), env, (*chain, name))
        return sts.assume_role(_role(profile, env, where, "ram_session_name"), source, assume)
    if mode == "EcsRamRole":
        if metadata.is_true(env, metadata.ECS_DISABLED_ENV):
            raise ValidationError(f"{where}: EcsRamRole, but {metadata.ECS_DISABLED_ENV} is true")
        role_name = profile.get("ram_role_name")
        named = role_name if isinstance(role_name, str) and role_name else env.get(metadata.ECS_ROLE_ENV)
        return metadata.ecs_ram_role(env, named or None)
    if mode == "OIDC":
        role = _role(profile, env, where, "role_session_name")
        oidc = _text(profile, "oidc_provider_arn", where)
        return sts.assume_role_with_oidc(role, oidc, _text(profile, "oidc_token_file", where))
    raise ValidationError(
        f"{where}: profile mode {mode!r} is not supported; use AK, StsToken, RamRoleArn, "
        "ChainableRamRoleArn, EcsRamRole or OIDC"
    )
