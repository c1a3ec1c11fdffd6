"""The `kms-pubkey` command line. Vendors and the emulator plug in through entry points.

- group `kms_pubkey.vendors`: one object per vendor, used by `kms-pubkey get <vendor>`;
- group `kms_pubkey.commands`: extra top-level commands, such as `emulator`.

So each wheel brings its own subcommand, and the core knows none of them by name.
"""

from __future__ import annotations

import argparse
import base64
import json
import sys
from collections.abc import Sequence
from typing import Protocol

from kms_pubkey.errors import ApiError, KmsError
from kms_pubkey.public_key import PublicKey

VENDOR_GROUP = "kms_pubkey.vendors"
COMMAND_GROUP = "kms_pubkey.commands"
FORMATS = ("pem", "der", "jwk", "json")


class VendorCommand(Protocol):
    """What a vendor wheel exposes for `kms-pubkey get <name>`."""

    name: str
    help: str

    def add_arguments(self, parser: argparse.ArgumentParser) -> None: ...

    def fetch(self, args: argparse.Namespace) -> PublicKey:
        """Fetch the key named by `args.key_id`; `args.endpoint` and `args.timeout` are set."""
        ...


class Command(Protocol):
    """A top-level subcommand contributed by another wheel (e.g. `emulator`)."""

    name: str
    help: str

    def add_arguments(self, parser: argparse.ArgumentParser) -> None: ...

    def run(self, args: argparse.Namespace) -> int: ...


def _load(group: str) -> list[object]:
    from importlib.metadata import entry_points

    loaded = []
    for entry in sorted(entry_points(group=group), key=lambda e: e.name):
        try:
            loaded.append(entry.load())
        except Exception as exc:  # a broken plugin must not take the others down
            print(f"kms-pubkey: warning: cannot load plugin {entry.name!r}: {exc}", file=sys.stderr)
    return loaded


def to_json(key: PublicKey) -> dict[str, object]:
    """Every `PublicKey` field, with the DER as base64 and the PEM alongside."""
    return {
        "vendor": key.vendor,
        "key_id": key.key_id,
        "key_version_id": key.key_version_id,
        "key_spec": key.key_spec,
        "key_usage": key.key_usage,
        "signing_algorithms": list(key.signing_algorithms),
        "encryption_algorithms": list(key.encryption_algorithms),
        "key_agreement_algorithms": list(key.key_agreement_algorithms),
        "encapsulation_algorithms": list(key.encapsulation_algorithms),
        "request_id": key.request_id,
        "der": base64.b64encode(key.der).decode("ascii"),
        "pem": key.pem,
    }


def write_key(key: PublicKey, fmt: str) -> None:
    if fmt == "der":
        sys.stdout.buffer.write(key.der)
        sys.stdout.buffer.flush()
    elif fmt == "jwk":
        print(json.dumps(key.to_jwk(), indent=2))
    elif fmt == "json":
        print(json.dumps(to_json(key), indent=2))
    else:
        sys.stdout.write(key.pem)


def build_parser(vendors: Sequence[VendorCommand], commands: Sequence[Command]) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kms-pubkey", description="Fetch the public key of an asymmetric KMS key."
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    get = sub.add_parser("get", help="fetch a public key and print it")
    vendor_sub = get.add_subparsers(dest="vendor", metavar="VENDOR", required=True)
    for vendor in vendors:
        vp = vendor_sub.add_parser(vendor.name, help=vendor.help)
        vp.add_argument("key_id", metavar="KEY_ID")
        vp.add_argument("--endpoint", metavar="URL", help="override the service URL (VPC, emulator)")
        vp.add_argument("--format", choices=FORMATS, default="pem", help="output format (default: pem)")
        vp.add_argument("--timeout", type=float, default=None, help="seconds per attempt")
        vendor.add_arguments(vp)
        vp.set_defaults(_vendor=vendor)
    for command in commands:
        cp = sub.add_parser(command.name, help=command.help)
        command.add_arguments(cp)
        cp.set_defaults(_command=command)
    if not vendors:
        get.epilog = "No vendor is installed: pip install kms-pubkey-aws (or -alibaba, -huawei)."
    return parser


def _describe(error: KmsError) -> str:
    """One line: services may answer with several (AWS quotes its canonical request)."""
    text = str(error) if isinstance(error, ApiError) else f"{type(error).__name__}: {error}"
    return " ".join(text.split())


def main(argv: Sequence[str] | None = None) -> int:
    vendors: list[VendorCommand] = _load(VENDOR_GROUP)  # type: ignore[assignment]
    commands: list[Command] = _load(COMMAND_GROUP)  # type: ignore[assignment]
    parser = build_parser(vendors, commands)
    args = parser.parse_args(argv)
    try:
        command: Command | None = getattr(args, "_command", None)
        if command is not None:
            return command.run(args)
        vendor: VendorCommand = args._vendor
        key = vendor.fetch(args)
        write_key(key, args.format)
    except KmsError as error:
        print(f"kms-pubkey: error: {_describe(error)}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
