"""`kms-pubkey get huawei KEY_ID --project-id P`: the Huawei plugin for the core command line."""

from __future__ import annotations

import argparse

from kms_pubkey.cli import request_options
from kms_pubkey.public_key import PublicKey


class _HuaweiCommand:
    name = "huawei"
    help = "Huawei Cloud KMS ShowPublicKey"

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--region", help="region, e.g. cn-north-4 (needed unless --endpoint is given)")
        parser.add_argument(
            "--project-id", dest="project_id", help="project id (default: HUAWEICLOUD_SDK_PROJECT_ID)"
        )
        parser.add_argument("--sequence", help="request sequence number, 36 bytes")

    def fetch(self, args: argparse.Namespace) -> PublicKey:
        from kms_pubkey_huawei.client import HuaweiKmsClient

        with HuaweiKmsClient(
            args.region, project_id=args.project_id, endpoint=args.endpoint, **request_options(args)
        ) as client:
            return client.get_public_key(args.key_id, sequence=args.sequence)


COMMAND = _HuaweiCommand()
