"""The AWS credential chain in botocore's order; the first configured provider wins."""

from __future__ import annotations

from typing import TYPE_CHECKING

from kms_pubkey.credentials import Credentials, Fetcher
from kms_pubkey.errors import ValidationError
from kms_pubkey_aws.credentials.environment import from_environment

if TYPE_CHECKING:
    from kms_pubkey_aws.credentials.config import AwsConfig


def resolve_credentials(
    explicit: Credentials | None, config: AwsConfig, region: str | None = None
) -> Credentials | Fetcher:
    """`explicit` (the caller's `from_arguments`), the environment (skipped when the profile was
    named), the profile's role_arn, web identity, SSO, keys and credential_process, the container
    endpoint, then EC2 instance metadata unless AWS_EC2_METADATA_DISABLED=true.

    Remote providers come back as a `Fetcher`: nothing is fetched here. STS is called in `region`
    (else the configured one). A provider configured wrongly raises `CredentialsError`; nothing
    configured at all (metadata disabled) raises `ValidationError`.
    """
    found: Credentials | Fetcher | None = explicit or (None if config.named else from_environment(config.env))
    if found is not None:
        return found
    # Loaded only past this point: a client given keys, or finding them in the environment,
    # never loads the files', STS's, SSO's, process and metadata providers (cold start).
    from kms_pubkey_aws.credentials import metadata
    from kms_pubkey_aws.credentials.profiles import Chain, assume_role, from_profile, is_role

    chain = Chain(config, region)
    if is_role(config.values()):
        return assume_role(chain, config.profile, [config.profile])
    found = from_profile(chain, config.profile, use_env=not config.named)
    if found is not None:
        return found
    container = metadata.container_fetcher(config.env)
    if container is not None:
        return Fetcher(metadata.CONTAINER, container)
    if not metadata.imds_disabled(config.env):
        last_resort = f"{metadata.IMDS} (the chain's last step: nothing else is configured)"
        return Fetcher(last_resort, metadata.imds_fetcher(config.env, config.values(), last_resort))
    if config.named:
        raise ValidationError(
            f"AWS profile {config.profile!r} has no credentials: no access key, role_arn, "
            "credential_process or sso settings in ~/.aws/credentials or ~/.aws/config"
        )
    raise ValidationError(
        "no AWS credentials: {arguments}set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, "
        "or add a profile to ~/.aws/credentials (chosen by {profile} or AWS_PROFILE)",
        parameters=("profile",),
        arguments="pass access_key_id/secret_access_key, ",
    )
