"""Where AWS KMS lives for a region: the public partition, China, or an override."""

from __future__ import annotations

import os
from collections.abc import Mapping

from kms_pubkey.endpoints import check_endpoint, check_region


def resolve_endpoint(
    region: str, endpoint: str | None = None, environ: Mapping[str, str] | None = None
) -> str:
    env = os.environ if environ is None else environ
    override = endpoint or env.get("AWS_ENDPOINT_URL_KMS") or env.get("AWS_ENDPOINT_URL")
    if override:
        return check_endpoint(override)
    check_region(region, "AWS")
    suffix = "amazonaws.com.cn" if region.startswith("cn-") else "amazonaws.com"
    return f"https://kms.{region}.{suffix}"
