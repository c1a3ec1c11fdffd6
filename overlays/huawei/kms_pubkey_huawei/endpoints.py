"""Where Huawei Cloud KMS lives for a region, or an override (VPC endpoint, emulator)."""

from __future__ import annotations

import os
from collections.abc import Mapping

from kms_pubkey.endpoints import check_endpoint, check_region
from kms_pubkey.errors import ValidationError

# Regions outside the .com domain, as huaweicloudsdkkms's KmsRegion lists them.
_DOMAINS = {"eu-west-101": "myhuaweicloud.eu"}


def resolve_endpoint(
    region: str | None, endpoint: str | None = None, environ: Mapping[str, str] | None = None
) -> str:
    """`endpoint=`, else HUAWEICLOUD_SDK_REGION_KMS_<REGION> (as huaweicloudsdkcore reads it),
    else kms.<region>.<domain>."""
    env = os.environ if environ is None else environ
    if endpoint:
        return check_endpoint(endpoint)
    if region is None:
        raise ValidationError(
            "no Huawei Cloud region: pass {region} (e.g. 'cn-north-4') or {endpoint}",
            parameters=("region", "endpoint"),
        )
    check_region(region, "Huawei Cloud")
    override = env.get("HUAWEICLOUD_SDK_REGION_KMS_" + region.replace("-", "_").upper())
    if override:
        return check_endpoint(override)
    return f"https://kms.{region}.{_DOMAINS.get(region, 'myhuaweicloud.com')}"
