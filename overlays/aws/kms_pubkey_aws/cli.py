"""`kms-pubkey get aws KEY_ID`: the AWS plugin for the core command line."""

from __future__ import annotations

import argparse

from kms_pubkey.cli import Plugin, option, request_options
from kms_pubkey.public_key import PublicKey

OPTIONS = (
    option("--region", help="AWS region (default: AWS_REGION or the profile's)"),
    option("--profile", help="profile in ~/.aws/credentials or ~/.aws/config (default: AWS_PROFILE)"),
    option("--grant-token", action="append", default=[], dest="grant_tokens", help="grant token; repeat"),
)


def _fetch(args: argparse.Namespace) -> PublicKey:
    from kms_pubkey_aws.client import AwsKmsClient
    from kms_pubkey_aws.credentials.config import arn_region, load_config

    profile, grant_tokens = args.profile, args.grant_tokens
    # With no region anywhere (flag, environment, profile), a key ARN says where the key lives.
    region = args.region or load_config(profile).region() or arn_region(args.key_id)
    with AwsKmsClient(region, endpoint=args.endpoint, profile=profile, **request_options(args)) as aws:
        return aws.get_public_key(args.key_id, grant_tokens=grant_tokens)


COMMAND = Plugin("aws", "AWS KMS GetPublicKey", _fetch, OPTIONS)
