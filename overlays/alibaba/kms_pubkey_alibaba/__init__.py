"""kms-pubkey for Alibaba Cloud KMS.

Shared gateway (`kms.<region>.aliyuncs.com`): `AlibabaKmsClient`, `AsyncAlibabaKmsClient`
(modules `client`, `acs3`, `rpc`, `credentials`, `endpoints`, `errors`, `cli`).
"""

from kms_pubkey_alibaba.client import AlibabaKmsClient, AsyncAlibabaKmsClient
from kms_pubkey_alibaba.instance_client import AlibabaKmsInstanceClient, AsyncAlibabaKmsInstanceClient

__all__ = [
    "AlibabaKmsClient",
    "AlibabaKmsInstanceClient",
    "AsyncAlibabaKmsClient",
    "AsyncAlibabaKmsInstanceClient",
]
