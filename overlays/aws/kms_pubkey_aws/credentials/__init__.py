"""The AWS credential chain (`chain.resolve_credentials`), the shared files' settings
(`config.load_config`), and the two functions `client.py` calls today."""

from __future__ import annotations

from collections.abc import Mapping

from kms_pubkey.credentials import Credentials, Fetcher, from_arguments
from kms_pubkey.errors import ValidationError
from kms_pubkey_aws.credentials import chain
from kms_pubkey_aws.credentials.config import load_config

ARGUMENTS = ("access_key_id", "secret_access_key", "session_token")


def resolve_credentials(*given: str | None) -> Credentials:
    """client.py's call, `(access_key_id, secret_access_key, session_token, profile)`, kept until the
    client hands `chain.resolve_credentials`'s Fetcher to the refreshing source: a remote provider is
    fetched here, once, without refresh."""
    key_id, secret, token, profile = (*given, None, None, None, None)[:4]
    found = chain.resolve_credentials(from_arguments(key_id, secret, token, ARGUMENTS), load_config(profile))
    return found.fetch() if isinstance(found, Fetcher) else found


def resolve_region(region: str | None, profile: str | None, environ: Mapping[str, str] | None = None) -> str:
    """The region: the argument, AWS_REGION, AWS_DEFAULT_REGION, the profile's `region`."""
    value = load_config(profile, environ).region(region)
    if not value:
        raise ValidationError(
            "no AWS region: pass {region}, or set AWS_REGION or a profile region", parameters=("region",)
        )
    return value
