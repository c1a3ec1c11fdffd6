"""The Alibaba Cloud credential chain (`chain`) and its providers: the aliyun CLI's config.json
(`cli_config`), STS AssumeRole / AssumeRoleWithOIDC (`sts`), the ECS metadata service and a
credentials URI (`metadata`)."""

from kms_pubkey_alibaba.credentials.chain import ARGUMENT_NAMES, resolve_credentials, resolve_region
from kms_pubkey_alibaba.credentials.cli_config import config_path

__all__ = ["ARGUMENT_NAMES", "config_path", "resolve_credentials", "resolve_region"]
