"""The Alibaba Cloud credential chain (`chain`) and its providers: the aliyun CLI's config.json
(`cli_config`), STS AssumeRole / AssumeRoleWithOIDC (`sts`), the ECS metadata service and a
credentials URI (`metadata`)."""

from typing import TYPE_CHECKING

from kms_pubkey_alibaba.credentials.chain import ARGUMENT_NAMES, resolve_credentials, resolve_region

if TYPE_CHECKING:
    from kms_pubkey_alibaba.credentials.cli_config import config_path


def __getattr__(name: str) -> object:
    # config_path lives with the CLI-config provider, which a client given keys never loads.
    if name == "config_path":
        from kms_pubkey_alibaba.credentials.cli_config import config_path

        return config_path
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["ARGUMENT_NAMES", "config_path", "resolve_credentials", "resolve_region"]
