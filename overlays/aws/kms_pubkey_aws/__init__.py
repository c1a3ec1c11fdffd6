"""kms-pubkey for AWS KMS.

`AwsKmsClient` and `AsyncAwsKmsClient` for normal use; `SigV4Auth`, the httpx auth that signs
with SigV4, for calling the generated client `kms_pubkey_aws_api` directly.
"""

from kms_pubkey_aws.client import AsyncAwsKmsClient, AwsKmsClient
from kms_pubkey_aws.sigv4 import SigV4Auth

__all__ = ["AsyncAwsKmsClient", "AwsKmsClient", "SigV4Auth"]
