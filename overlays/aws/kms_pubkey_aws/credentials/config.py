"""`~/.aws/config` and `~/.aws/credentials` as botocore reads them, for one chosen profile: the
profile's settings (region, endpoint_url, ca_bundle), and the region a key ARN names."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from kms_pubkey.credentials import first_env, read_ini
from kms_pubkey.errors import ValidationError
from kms_pubkey.frozen import Frozen

Sections = Mapping[str, Mapping[str, str]]
_TRUE = ("true", "1", "yes", "on")


def _path(env: Mapping[str, str], variable: str, default: str) -> Path:
    return Path(env.get(variable) or Path.home() / ".aws" / default).expanduser()


def _sections(path: Path) -> dict[str, dict[str, str]]:
    parser = read_ini(path)
    return {} if parser is None else {name: dict(parser.items(name)) for name in parser.sections()}


def _named(sections: Sections, kind: str) -> dict[str, Mapping[str, str]]:
    """`[profile dev]`, `[sso-session s]`, `[services s]` by name; `[default]` is a profile too."""
    found: dict[str, Mapping[str, str]] = {}
    for title, values in sections.items():
        parts = title.split()
        if len(parts) == 2 and parts[0] == kind:
            found[parts[1]] = values
        elif kind == "profile" and title == "default":
            found[title] = values
    return found


def _nested(value: str) -> dict[str, str]:
    """A services entry (`kms =` then indented `endpoint_url = ...` lines)."""
    pairs = (line.split("=", 1) for line in value.splitlines() if "=" in line)
    return {key.strip(): item.strip() for key, item in pairs}


class AwsConfig(Frozen):
    """The shared files and the environment, read once, for the profile `profile`.

    `named` says the profile was chosen by an argument: then, as in botocore, the environment's
    access keys and web-identity variables are skipped. Secrets live in the sections, so none of
    them is in the repr.
    """

    __slots__ = ("config_file", "credentials_file", "env", "named", "profile", "services", "sso_sessions")
    _hidden = frozenset({"config_file", "credentials_file", "env", "services", "sso_sessions"})
    env: Mapping[str, str]
    profile: str
    named: bool
    credentials_file: Sections
    config_file: Sections
    """Profiles of ~/.aws/config, by name."""
    sso_sessions: Sections
    services: Sections

    def __init__(
        self,
        env: Mapping[str, str],
        profile: str,
        named: bool,
        credentials_file: Sections,
        config_file: Sections,
        sso_sessions: Sections,
        services: Sections,
    ) -> None:
        self._set(
            env=env,
            profile=profile,
            named=named,
            credentials_file=credentials_file,
            config_file=config_file,
            sso_sessions=sso_sessions,
            services=services,
        )

    def values(self, name: str | None = None) -> dict[str, str]:
        """A profile's settings from both files, the credentials file winning (as botocore merges)."""
        name = self.profile if name is None else name
        return {**self.config_file.get(name, {}), **self.credentials_file.get(name, {})}

    def has_profile(self, name: str) -> bool:
        return name in self.config_file or name in self.credentials_file

    def setting(self, key: str) -> str | None:
        return self.values().get(key) or None

    def flag(self, variable: str, key: str) -> bool:
        """A boolean the environment sets, else the profile."""
        value = self.env.get(variable) or self.setting(key) or ""
        return value.strip().lower() in _TRUE

    def region(self, explicit: str | None = None) -> str | None:
        """The argument, `AWS_REGION`, `AWS_DEFAULT_REGION`, then the profile's `region`."""
        return explicit or first_env(("AWS_REGION", "AWS_DEFAULT_REGION"), self.env) or self.setting("region")

    def ca_bundle(self) -> str | None:
        """`AWS_CA_BUNDLE`, else the profile's `ca_bundle`: a PEM file of CAs to trust instead of
        the system's, for every HTTPS call (KMS, STS, SSO)."""
        return self.env.get("AWS_CA_BUNDLE") or self.setting("ca_bundle")

    def endpoint_url(self, service: str) -> str | None:
        """A configured endpoint for `service` ("kms", "sts", "sso") in botocore's order:
        `AWS_ENDPOINT_URL_<SERVICE>`, `AWS_ENDPOINT_URL`, the profile's `services` section entry,
        the profile's `endpoint_url`; none of them when `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS` (or
        the profile's `ignore_configured_endpoint_urls`) is true."""
        if self.flag("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "ignore_configured_endpoint_urls"):
            return None
        found = self.env.get(f"AWS_ENDPOINT_URL_{service.upper()}") or self.env.get("AWS_ENDPOINT_URL")
        if found:
            return found
        section_name = self.setting("services")
        if section_name:
            section = self.services.get(section_name)
            if section is None:
                raise ValidationError(
                    f"AWS profile {self.profile!r} names services section {section_name!r}, "
                    "which ~/.aws/config does not have"
                )
            found = _nested(section.get(service, "")).get("endpoint_url")
        return found or self.setting("endpoint_url")


def load_config(profile: str | None = None, environ: Mapping[str, str] | None = None) -> AwsConfig:
    """The shared files for `profile` (else `AWS_PROFILE`, `AWS_DEFAULT_PROFILE`, "default").

    A profile that was asked for by name (argument or variable) and is in neither file is an
    error naming it, as botocore's ProfileNotFound; a missing "default" is not.
    """
    env = os.environ if environ is None else environ
    chosen = profile or env.get("AWS_PROFILE") or env.get("AWS_DEFAULT_PROFILE")
    config_sections = _sections(_path(env, "AWS_CONFIG_FILE", "config"))
    config = AwsConfig(
        env=env,
        profile=chosen or "default",
        named=profile is not None,
        credentials_file=_sections(_path(env, "AWS_SHARED_CREDENTIALS_FILE", "credentials")),
        config_file=_named(config_sections, "profile"),
        sso_sessions=_named(config_sections, "sso-session"),
        services=_named(config_sections, "services"),
    )
    if chosen and not config.has_profile(chosen):
        via = "profile=" if profile else "AWS_PROFILE" if env.get("AWS_PROFILE") else "AWS_DEFAULT_PROFILE"
        raise ValidationError(
            f"AWS profile {chosen!r} (from {via}) is in neither ~/.aws/credentials nor ~/.aws/config"
        )
    return config


def arn_region(key_id: str) -> str | None:
    """The region of a key or alias ARN (`arn:aws:kms:eu-west-1:111122223333:key/...`), else None."""
    parts = key_id.split(":", 5)
    if len(parts) == 6 and parts[0] == "arn" and parts[2] == "kms" and parts[3]:
        return parts[3]
    return None


def check_key_region(key_id: str, region: str) -> None:
    """A key ARN in another region than the client's would be refused by KMS; say so before sending."""
    named = arn_region(key_id)
    if named is not None and named != region:
        raise ValidationError(
            f"key_id is an ARN in region {named!r}, but the client is for region {region!r}: "
            "pass the ARN's region or use a client for it"
        )
