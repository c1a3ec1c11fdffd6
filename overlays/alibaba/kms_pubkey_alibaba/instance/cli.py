"""`kms-pubkey get alibaba-instance KEY_ID`: the KMS instance (dedicated gateway) plugin.

The password never goes on the command line unless the caller insists: prefer
`--client-key-password-env VAR` (or `--client-key-password-file F`). With none of them, the
password file the console hands out beside the ClientKey is used:
`clientKey_<KeyId>.json` -> `clientKey_<KeyId>_Password.txt`.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from kms_pubkey.cli import Plugin, option, request_options
from kms_pubkey.errors import ValidationError
from kms_pubkey.public_key import PublicKey


def _password(args: argparse.Namespace) -> str:
    given = [
        name
        for name in ("client_key_password", "client_key_password_env", "client_key_password_file")
        if getattr(args, name) is not None
    ]
    if len(given) > 1:
        raise ValidationError("give the ClientKey password one way only")
    if args.client_key_password_env is not None:
        value = os.environ.get(args.client_key_password_env)
        if value is None:
            raise ValidationError(f"environment variable {args.client_key_password_env} is not set")
        return value
    if args.client_key_password_file is not None:
        return _read_password(Path(args.client_key_password_file))
    if args.client_key_password is not None:
        return str(args.client_key_password)
    beside = password_file_beside(Path(args.client_key_file))
    if beside.is_file():
        return _read_password(beside)
    raise ValidationError(
        "the ClientKey password is required: --client-key-password-env VAR, "
        f"--client-key-password-file F or --client-key-password P (no {beside.name} beside the ClientKey)"
    )


def password_file_beside(client_key_file: Path) -> Path:
    """Where the console puts the password: `clientKey_X.json` -> `clientKey_X_Password.txt`."""
    return client_key_file.with_name(f"{client_key_file.stem}_Password.txt")


def _read_password(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8").rstrip("\r\n")
    except (OSError, UnicodeDecodeError) as exc:
        raise ValidationError(f"cannot read the password file {str(path)!r}: {type(exc).__name__}") from None


def _fetch(args: argparse.Namespace) -> PublicKey:
    from kms_pubkey_alibaba.instance.client import AlibabaKmsInstanceClient

    if not args.endpoint:
        raise ValidationError("--endpoint is required for alibaba-instance (the KMS instance endpoint)")
    with AlibabaKmsInstanceClient(
        args.endpoint,
        client_key_file=args.client_key_file,
        client_key_password=_password(args),
        ca_file=args.ca_file,
        **request_options(args),
    ) as client:
        return client.get_public_key(args.key_id)


COMMAND = Plugin(
    "alibaba-instance",
    "Alibaba Cloud KMS instance (dedicated gateway) GetPublicKey, with a ClientKey",
    _fetch,
    (
        option(
            "--client-key-file",
            required=True,
            metavar="FILE",
            help="the ClientKey JSON file of the application access point",
        ),
        option(
            "--client-key-password-env",
            metavar="VAR",
            help="environment variable holding the ClientKey password",
        ),
        option("--client-key-password-file", metavar="FILE", help="file holding the ClientKey password"),
        option(
            "--client-key-password",
            metavar="PASSWORD",
            help="the ClientKey password (visible to other local users; prefer the env form)",
        ),
        option("--ca-file", metavar="FILE", help="the KMS instance CA certificate (PEM)"),
    ),
    epilog="--endpoint is required: https://<kms-instance-id>.cryptoservice.kms.<region>.aliyuncs.com",
)
