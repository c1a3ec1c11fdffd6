"""kms-pubkey for Huawei Cloud KMS.

`HuaweiKmsClient` and `AsyncHuaweiKmsClient` for normal use; `AkSkAuth` (SDK-HMAC-SHA256) and
`TokenAuth` (an IAM token in `X-Auth-Token`), the httpx auths for calling the generated client
`kms_pubkey_huawei_api` directly.
"""

from kms_pubkey_huawei.client import AsyncHuaweiKmsClient, HuaweiKmsClient
from kms_pubkey_huawei.signer import AkSkAuth, TokenAuth

__all__ = ["AkSkAuth", "AsyncHuaweiKmsClient", "HuaweiKmsClient", "TokenAuth"]
