"""kms-pubkey for Alibaba Cloud KMS.

Shared gateway (`kms.<region>.aliyuncs.com`): `AlibabaKmsClient`, `AsyncAlibabaKmsClient`
(modules `client`, `acs3`, `rpc`, `credentials`, `endpoints`, `errors`, `cli`).
KMS instance, dedicated gateway: `AlibabaKmsInstanceClient`, `AsyncAlibabaKmsInstanceClient`
(subpackage `instance`), imported on first use: they load `cryptography` to read the
ClientKey, which shared-gateway users should not pay for at start-up.
`Acs3Auth` (ACS3-HMAC-SHA256) and `RpcAuth` (RPC HMAC-SHA1) are the httpx auths for calling the
generated client `kms_pubkey_alibaba_api` directly; the KMS instance's ClientKey auth is
`kms_pubkey_alibaba.instance.InstanceAuth`.
"""

from typing import TYPE_CHECKING, Any

from kms_pubkey_alibaba.acs3 import Acs3Auth
from kms_pubkey_alibaba.client import AlibabaKmsClient, AsyncAlibabaKmsClient

if TYPE_CHECKING:
    from kms_pubkey_alibaba.instance import AlibabaKmsInstanceClient, AsyncAlibabaKmsInstanceClient
    from kms_pubkey_alibaba.rpc import RpcAuth

__all__ = [
    "Acs3Auth",
    "AlibabaKmsClient",
    "AlibabaKmsInstanceClient",
    "AsyncAlibabaKmsClient",
    "AsyncAlibabaKmsInstanceClient",
    "RpcAuth",
]
_LAZY = {"AlibabaKmsInstanceClient", "AsyncAlibabaKmsInstanceClient"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        from kms_pubkey_alibaba import instance

        return getattr(instance, name)
    if name == "RpcAuth":  # v1 signing, loaded only by a program that asks for it
        from kms_pubkey_alibaba.rpc import RpcAuth

        return RpcAuth
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
