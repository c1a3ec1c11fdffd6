"""kms-pubkey for AWS KMS."""

from kms_pubkey_aws.client import AsyncAwsKmsClient, AwsKmsClient

__all__ = ["AsyncAwsKmsClient", "AwsKmsClient"]
