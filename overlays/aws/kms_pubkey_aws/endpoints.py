"""Where AWS KMS lives for a region: the public partition, China, or an override."""

from __future__ import annotations

from collections.abc import Mapping

from kms_pubkey.endpoints import check_endpoint, check_region
from kms_pubkey_aws.credentials.config import AwsConfig, load_config


def resolve_endpoint(
    region: str,
    endpoint: str | None = None,
    environ: Mapping[str, str] | None = None,
    *,
    config: AwsConfig | None = None,
) -> str:
    """`endpoint`, else a configured one (botocore's order: `AWS_ENDPOINT_URL_KMS`,
    `AWS_ENDPOINT_URL`, the profile's), else the region's public endpoint."""
    override = endpoint or (config or load_config(None, environ)).endpoint_url("kms")
    if override:
        return check_endpoint(override)
    return regional_endpoint("kms", region)


def regional_endpoint(service: str, region: str) -> str:
    """A service's public endpoint in `region`: the China partition's suffix for `cn-` regions."""
    check_region(region, "AWS")
    suffix = "amazonaws.com.cn" if region.startswith("cn-") else "amazonaws.com"
    return f"https://{service}.{region}.{suffix}"
