"""Where the Alibaba Cloud KMS shared gateway lives for a region, or an override (VPC, emulator)."""

from __future__ import annotations

from kms_pubkey.endpoints import check_endpoint, check_region
from kms_pubkey.errors import ValidationError


def resolve_endpoint(region: str | None, endpoint: str | None = None) -> str:
    if endpoint:
        return check_endpoint(endpoint)
    if not region:
        raise ValidationError(
            "no Alibaba Cloud region: pass {region} (e.g. 'cn-hangzhou'), set ALIBABA_CLOUD_REGION_ID, "
            "or pass {endpoint}",
            parameters=("region", "endpoint"),
        )
    check_region(region, "Alibaba Cloud")
    return f"https://kms.{region}.aliyuncs.com"
