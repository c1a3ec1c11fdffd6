"""kms-pubkey for Alibaba Cloud KMS.

Shared gateway (`kms.<region>.aliyuncs.com`): `AlibabaKmsClient`, `AsyncAlibabaKmsClient`
(modules `client`, `acs3`, `rpc`, `credentials`, `endpoints`, `errors`, `cli`).
KMS instance, dedicated gateway: `AlibabaKmsInstanceClient`, `AsyncAlibabaKmsInstanceClient`
(subpackage `instance`), imported on first use: they load `cryptography` to read the
ClientKey, which shared-gateway users should not pay for at start-up.
"""

from typing import TYPE_CHECKING, Any

from kms_pubkey_alibaba.client import AlibabaKmsClient, AsyncAlibabaKmsClient

if TYPE_CHECKING:
    from kms_pubkey_alibaba.instance import AlibabaKmsInstanceClient, AsyncAlibabaKmsInstanceClient

__all__ = [
    "AlibabaKmsClient",
    "AlibabaKmsInstanceClient",
    "AsyncAlibabaKmsClient",
    "AsyncAlibabaKmsInstanceClient",
]
_LAZY = {"AlibabaKmsInstanceClient", "AsyncAlibabaKmsInstanceClient"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        from kms_pubkey_alibaba import instance

        return getattr(instance, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
