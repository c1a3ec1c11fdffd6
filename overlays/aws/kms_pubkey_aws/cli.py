"""`kms-pubkey get aws KEY_ID`: the AWS plugin for the core command line."""

from __future__ import annotations

import argparse

from kms_pubkey.cli import request_options
from kms_pubkey.public_key import PublicKey


class _AwsCommand:
    name = "aws"
    help = "AWS KMS GetPublicKey"

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--region", help="AWS region (default: AWS_REGION or the profile's)")
        parser.add_argument(
            "--profile", help="profile in ~/.aws/credentials or ~/.aws/config (default: AWS_PROFILE)"
        )
        parser.add_argument(
            "--grant-token",
            action="append",
            default=[],
            dest="grant_tokens",
            help="grant token; repeat for several",
        )

    def fetch(self, args: argparse.Namespace) -> PublicKey:
        from kms_pubkey_aws.client import AwsKmsClient

        with AwsKmsClient(
            args.region, endpoint=args.endpoint, profile=args.profile, **request_options(args)
        ) as client:
            return client.get_public_key(args.key_id, grant_tokens=args.grant_tokens)


COMMAND = _AwsCommand()
