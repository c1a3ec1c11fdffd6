"""`kms-pubkey get alibaba KEY_ID --key-version-id V`: the Alibaba Cloud plugin for the core command line."""

from __future__ import annotations

import argparse

from kms_pubkey.cli import DryRunPassed, Plugin, option, request_options
from kms_pubkey.errors import DryRunError
from kms_pubkey.public_key import PublicKey


def _fetch(args: argparse.Namespace) -> PublicKey | DryRunPassed:
    from kms_pubkey_alibaba.client import AlibabaKmsClient
    from kms_pubkey_alibaba.errors import ERROR_CODES

    # The codes that are a DryRun verdict whatever the request: "checked, it would succeed".
    passed = {code for code, cls in ERROR_CODES.items() if cls is DryRunError}
    with AlibabaKmsClient(
        args.region,
        endpoint=args.endpoint,
        profile=args.profile,
        signature_version=args.signature_version,
        **request_options(args),
    ) as client:
        try:
            return client.get_public_key(args.key_id, args.key_version_id, dry_run=args.dry_run)
        except DryRunError as verdict:
            if verdict.code in passed:
                return DryRunPassed(verdict.code)
            raise


COMMAND = Plugin(
    "alibaba",
    "Alibaba Cloud KMS GetPublicKey (shared gateway)",
    _fetch,
    (
        option("--key-version-id", required=True, help="the key version (KeyVersionId)"),
        option("--region", help="region id, e.g. cn-hangzhou (default: ALIBABA_CLOUD_REGION_ID)"),
        option(
            "--profile",
            help="profile in ~/.aliyun/config.json (default: ALIBABA_CLOUD_PROFILE, else the file's current)",
        ),
        option(
            "--signature-version",
            choices=("v3", "v1"),
            default="v3",
            help="v3 = ACS3-HMAC-SHA256 (default), v1 = legacy RPC HMAC-SHA1",
        ),
        option(
            "--dry-run",
            action="store_true",
            help="only check permissions and parameters: exit 0 if the request would succeed",
        ),
    ),
)
