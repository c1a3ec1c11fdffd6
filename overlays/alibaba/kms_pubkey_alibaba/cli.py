"""`kms-pubkey get alibaba KEY_ID --key-version-id V`: the Alibaba Cloud plugin for the core command line."""

from __future__ import annotations

import argparse

from kms_pubkey import defaults
from kms_pubkey.public_key import PublicKey


class _AlibabaCommand:
    name = "alibaba"
    help = "Alibaba Cloud KMS GetPublicKey (shared gateway)"

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--key-version-id", required=True, help="the key version (KeyVersionId)")
        parser.add_argument("--region", help="region id, e.g. cn-hangzhou (default: ALIBABA_CLOUD_REGION_ID)")
        parser.add_argument(
            "--signature-version",
            choices=("v3", "v1"),
            default="v3",
            help="v3 = ACS3-HMAC-SHA256 (default), v1 = legacy RPC HMAC-SHA1",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="only check permissions and parameters; prints KMS's verdict",
        )

    def fetch(self, args: argparse.Namespace) -> PublicKey:
        from kms_pubkey_alibaba.client import AlibabaKmsClient

        timeout = args.timeout if args.timeout is not None else defaults.TIMEOUT_SECONDS
        with AlibabaKmsClient(
            args.region, endpoint=args.endpoint, signature_version=args.signature_version, timeout=timeout
        ) as client:
            return client.get_public_key(args.key_id, args.key_version_id, dry_run=args.dry_run)


COMMAND = _AlibabaCommand()
