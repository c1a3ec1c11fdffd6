"""The providers a profile configures, in botocore's order: web identity, SSO, the credentials
file's keys, credential_process, the config file's keys; and role_arn (STS AssumeRole) from a
source_profile, chained and checked for cycles, or from a credential_source."""

from __future__ import annotations

from collections.abc import Mapping

from kms_pubkey.credentials import Credentials, Fetcher
from kms_pubkey.errors import CredentialsError, ValidationError
from kms_pubkey.frozen import Frozen
from kms_pubkey_aws.credentials import metadata, sts
from kms_pubkey_aws.credentials.config import AwsConfig
from kms_pubkey_aws.credentials.environment import from_environment
from kms_pubkey_aws.credentials.process import process_fetcher
from kms_pubkey_aws.credentials.sso import sso_fetcher, uses_sso

Found = Credentials | Fetcher
WEB_IDENTITY = "aws sts AssumeRoleWithWebIdentity"
SOURCES = ("Environment", "Ec2InstanceMetadata", "EcsContainer")


class Chain(Frozen):
    """What every provider of one resolution shares: the files, and the region STS is called in."""

    __slots__ = ("config", "region")
    config: AwsConfig
    region: str | None

    def __init__(self, config: AwsConfig, region: str | None = None) -> None:
        self._set(config=config, region=region)

    def sts(self) -> sts.Sts:
        return sts.Sts.for_config(self.config, self.region)


def _static(file: str, values: Mapping[str, str], name: str) -> Credentials | None:
    key_id, secret = values.get("aws_access_key_id"), values.get("aws_secret_access_key")
    if key_id and secret:
        token = values.get("aws_security_token") or values.get("aws_session_token") or None
        return Credentials(key_id, secret, token, f"{file} [{name}]")
    if key_id or secret:
        raise ValidationError(f"{file} [{name}] has only one of aws_access_key_id and aws_secret_access_key")
    return None


def is_role(values: Mapping[str, str]) -> bool:
    """role_arn without web_identity_token_file: an AssumeRole profile (the other is web identity)."""
    return "role_arn" in values and "web_identity_token_file" not in values


def _has_keys(values: Mapping[str, str]) -> bool:
    return "aws_access_key_id" in values or "aws_secret_access_key" in values


def web_identity(chain: Chain, name: str, use_env: bool) -> Fetcher | None:
    """Each setting from its variable (unless the profile was named) or else the profile, as botocore."""
    env, values = chain.config.env, chain.config.values(name)

    def setting(key: str, variable: str) -> str | None:
        return env[variable] if use_env and variable in env else values.get(key)

    token_file = setting("web_identity_token_file", "AWS_WEB_IDENTITY_TOKEN_FILE")
    if not token_file:
        return None
    role_arn = setting("role_arn", "AWS_ROLE_ARN")
    if not role_arn:
        raise CredentialsError(
            f"{WEB_IDENTITY}: a web identity token file is set, but no AWS_ROLE_ARN or role_arn"
        )
    params = {
        "RoleArn": role_arn,
        "RoleSessionName": sts.session_name(setting("role_session_name", "AWS_ROLE_SESSION_NAME")),
    }
    return Fetcher(
        WEB_IDENTITY, sts.assume_role_with_web_identity(WEB_IDENTITY, chain.sts(), token_file, params)
    )


def from_profile(chain: Chain, name: str, use_env: bool) -> Found | None:
    """botocore's profile providers, first that is configured wins."""
    config = chain.config
    found: Found | None = web_identity(chain, name, use_env)
    if found is None and uses_sso(config.values(name)):
        found = Fetcher(*sso_fetcher(config, name))
    if found is None:
        found = _static("~/.aws/credentials", config.credentials_file.get(name, {}), name)
    command = config.values(name).get("credential_process")
    if found is None and command:
        provider = f"aws credential_process (profile {name!r})"
        found = Fetcher(provider, process_fetcher(provider, command))
    if found is None:
        found = _static("~/.aws/config", config.config_file.get(name, {}), name)
    return found


def assume_role(chain: Chain, name: str, visited: list[str]) -> Fetcher:
    """The profile's role, assumed with credentials from its source_profile or credential_source."""
    provider = f"aws sts AssumeRole (profile {name!r})"
    values = chain.config.values(name)
    source_profile, source_name = values.get("source_profile"), values.get("credential_source")
    if (source_profile is None) == (source_name is None):
        raise CredentialsError(
            f"{provider}: role_arn needs exactly one of source_profile and credential_source"
        )
    if values.get("mfa_serial"):
        raise CredentialsError(
            f"{provider}: mfa_serial needs a code typed at a prompt, which kms-pubkey does not ask for; "
            "use credential_process or credentials from `aws sts get-session-token`"
        )
    if source_name is not None:
        source = _credential_source(chain, provider, source_name)
    else:
        source = _source_profile(chain, provider, name, str(source_profile), visited)
    params = {
        "RoleArn": values["role_arn"],
        "RoleSessionName": sts.session_name(values.get("role_session_name")),
    }
    if values.get("external_id"):
        params["ExternalId"] = values["external_id"]
    if values.get("duration_seconds", "").strip().isdigit():
        params["DurationSeconds"] = values["duration_seconds"].strip()
    return Fetcher(provider, sts.assume_role(provider, chain.sts(), lambda: _current(source), params))


def _current(source: Found) -> Credentials:
    return source.fetch() if isinstance(source, Fetcher) else source


def _source_profile(chain: Chain, provider: str, parent: str, name: str, visited: list[str]) -> Found:
    config = chain.config
    if not config.has_profile(name):
        raise CredentialsError(f"{provider}: its source_profile {name!r} does not exist")
    values = config.values(name)
    # A profile may name itself to take its own keys (botocore allows it); any other repeat loops.
    if name in visited and (name != parent or not _has_keys(values)):
        raise CredentialsError(f"{provider}: source_profile cycle {' -> '.join([*visited, name])}")
    visited.append(name)
    if _has_keys(values) or not is_role(values):
        found = from_profile(chain, name, use_env=False)
        if found is None:
            raise CredentialsError(f"{provider}: its source_profile {name!r} has no credentials")
        return found
    return assume_role(chain, name, visited)


def _credential_source(chain: Chain, provider: str, source_name: str) -> Found:
    env, kind = chain.config.env, source_name.lower()
    if kind == "environment":
        found: Found | None = from_environment(env)
    elif kind == "ecscontainer":
        container = metadata.container_fetcher(env)
        found = None if container is None else Fetcher(metadata.CONTAINER, container)
    elif kind == "ec2instancemetadata":
        found = Fetcher(metadata.IMDS, metadata.imds_fetcher(env, chain.config.values()))
    else:
        raise CredentialsError(
            f"{provider}: credential_source {source_name!r} is not one of {', '.join(SOURCES)}"
        )
    if found is None:
        raise CredentialsError(f"{provider}: credential_source {source_name} has no credentials configured")
    return found
