"""`kms-pubkey get huawei KEY_ID --project-id P`: the Huawei plugin for the core command line."""

from __future__ import annotations

import argparse

from kms_pubkey.cli import Plugin, option, request_options
from kms_pubkey.public_key import PublicKey


def _fetch(args: argparse.Namespace) -> PublicKey:
    from kms_pubkey_huawei.client import HuaweiKmsClient

    client = HuaweiKmsClient(
        args.region, project_id=args.project_id, endpoint=args.endpoint, **request_options(args)
    )
    with client:
        return client.get_public_key(args.key_id, sequence=args.sequence)


COMMAND = Plugin(
    "huawei",
    "Huawei Cloud KMS ShowPublicKey",
    _fetch,
    (
        option("--region", help="region, e.g. cn-north-4 (needed unless --endpoint is given)"),
        option("--project-id", dest="project_id", help="project id (default: HUAWEICLOUD_SDK_PROJECT_ID)"),
        option("--sequence", help="request sequence number, 36 bytes"),
    ),
)
