"""The AWS credential chain (`chain.resolve_credentials`), the shared files' settings
(`config.load_config`), and the region a client signs for."""

from __future__ import annotations

from collections.abc import Mapping

from kms_pubkey.errors import ValidationError
from kms_pubkey_aws.credentials.config import AwsConfig, load_config

DEFAULT_SIGNING_REGION = "us-east-1"
"""The region to sign for at a custom endpoint (emulator, VPC endpoint) when none is configured."""


def region_for(config: AwsConfig, region: str | None, endpoint: str | None = None) -> str:
    """The argument, AWS_REGION, AWS_DEFAULT_REGION, the profile's `region`; at a custom or
    configured endpoint with none of them, `DEFAULT_SIGNING_REGION`."""
    value = config.region(region)
    if not value and (endpoint or config.endpoint_url("kms")):
        value = DEFAULT_SIGNING_REGION
    if not value:
        raise ValidationError(
            "no AWS region: pass {region}, or set AWS_REGION or a profile region", parameters=("region",)
        )
    return value


def resolve_region(region: str | None, profile: str | None, environ: Mapping[str, str] | None = None) -> str:
    """The region from the argument, the environment or the profile (no endpoint fallback)."""
    return region_for(load_config(profile, environ), region)
