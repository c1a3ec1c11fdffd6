"""kms-pubkey for Huawei Cloud KMS."""

from kms_pubkey_huawei.client import AsyncHuaweiKmsClient, HuaweiKmsClient

__all__ = ["AsyncHuaweiKmsClient", "HuaweiKmsClient"]
