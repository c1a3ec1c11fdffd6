"""The key URI commands: `kms-pubkey get URI` and `kms-pubkey jwks URI... [--watch [SECONDS]]`.

`get URI` takes `get <vendor> KEY_ID`'s common options; the vendor is the URI's scheme and its
credentials come from the vendor's usual chain (environment, profile files). `jwks` is a
top-level command that core itself declares in the `kms_pubkey.commands` group.
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
from collections.abc import Sequence
from pathlib import Path

from kms_pubkey import cli
from kms_pubkey.errors import KmsError
from kms_pubkey.jwk_set import OnUnsupported, jwks
from kms_pubkey.key_cache import KeyCache
from kms_pubkey.public_key import PublicKey
from kms_pubkey.uri_fetch import fetch

DEFAULT_WATCH_SECONDS = 60.0
ON_UNSUPPORTED = ("skip", "error")


def is_uri_get(argv: Sequence[str]) -> bool:
    """`get URI ...` rather than `get <vendor> KEY_ID ...`: no vendor name holds `://`."""
    return len(argv) >= 2 and argv[0] == "get" and "://" in argv[1]


def _fetch_uri(args: argparse.Namespace) -> PublicKey:
    return fetch(args.key_id, endpoint=args.endpoint, **cli.request_options(args))


GET_URI = cli.Plugin("uri", "fetch the key a key URI names", _fetch_uri)


def get_parser() -> argparse.ArgumentParser:
    parser = cli._Parser(
        prog="kms-pubkey get",
        usage="kms-pubkey get URI [options]",
        description="Fetch the key a key URI names, e.g. awskms:///alias/x (see the README, Key URIs).",
    )
    cli._add_common_options(parser, key_metavar="URI")
    parser.set_defaults(_vendor=GET_URI, _parser=parser)
    return parser


def _render(keys: Sequence[PublicKey], on_unsupported: OnUnsupported) -> bytes:
    return (json.dumps(jwks(keys, on_unsupported=on_unsupported), indent=2) + "\n").encode("utf-8")


class JwksCommand:
    name = "jwks"
    help = "print the JWKS of one or more key URIs; --watch keeps a file up to date"

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("uris", nargs="+", metavar="URI", help="key URIs, e.g. awskms:///alias/x")
        parser.add_argument("-o", "--output", metavar="FILE", type=Path, help="write FILE (atomically)")
        parser.add_argument("--force", action="store_true", help="let --output replace an existing file")
        parser.add_argument(
            "--watch",
            nargs="?",
            type=cli._seconds,
            const=DEFAULT_WATCH_SECONDS,
            default=None,
            metavar="SECONDS",
            help="with -o: fetch again every SECONDS (default "
            f"{DEFAULT_WATCH_SECONDS:g}) and rewrite FILE when a key changes",
        )
        parser.add_argument(
            "--on-unsupported",
            choices=ON_UNSUPPORTED,
            default="skip",
            help="a key with no JWK form (SM2, ML-KEM): skip it (default) or fail",
        )
        parser.add_argument("--endpoint", metavar="URL", help="override every URI's service URL (emulator)")
        parser.add_argument(
            "--timeout", type=cli._seconds, metavar="SECONDS", default=None, help="per attempt"
        )
        parser.add_argument("--retries", type=cli._retries, metavar="N", default=None, help="after a failure")
        parser.add_argument("-v", "--verbose", action="store_true", help="log each request to stderr")
        parser.set_defaults(_parser=parser)

    def run(self, args: argparse.Namespace) -> int:
        output: Path | None = args.output
        if args.watch is not None and output is None:
            return cli._fail(
                "--watch needs -o FILE: it rewrites that file when a key changes", cli.EXIT_USAGE
            )
        if output is not None and output.exists() and not args.force:
            return cli._fail(cli._exists(output))
        if args.verbose:
            cli._log_to_stderr()
        options = {"endpoint": args.endpoint, **cli.request_options(args)}
        if args.watch is None:
            try:
                data = _render([fetch(uri, **options) for uri in args.uris], args.on_unsupported)
            except KmsError as error:
                return cli._fail(cli._describe(error, args._parser))
            if output is None:
                cli._stdout(data)
                return cli.EXIT_OK
            return _write(output, data, args.force)
        assert output is not None
        # Keys that never change are fetched once; aliases and unversioned keys every round.
        return watch(args.uris, output, args.watch, KeyCache(alias_ttl=0, **options), args)


def _write(output: Path, data: bytes, force: bool) -> int:
    try:
        cli.write_file(output, data, force=force)
    except FileExistsError:
        return cli._fail(cli._exists(output))
    except OSError as exc:
        return cli._fail(f"cannot write {output}: {exc.strerror or type(exc).__name__}")
    return cli.EXIT_OK


def watch(
    uris: Sequence[str],
    output: Path,
    seconds: float,
    cache: KeyCache,
    args: argparse.Namespace,
    stop: threading.Event | None = None,
) -> int:
    """Write the JWKS, then every `seconds` fetch again and rewrite `output` when it changed.

    A failure in the first round ends the command (exit 1); later, the file keeps its last
    good content and the failure is reported on stderr, until the keys can be fetched again.
    `stop` ends the loop (for tests; the command line stops with Ctrl-C or a signal).
    """
    stop = stop or threading.Event()
    written: bytes | None = None
    while True:
        try:
            data = _render([cache.get(uri) for uri in uris], args.on_unsupported)
        except KmsError as error:
            if written is None:
                return cli._fail(cli._describe(error, args._parser))
            print(
                f"kms-pubkey: warning: {cli._describe(error, args._parser)}; {output} unchanged",
                file=sys.stderr,
            )
        else:
            if data != written:
                status = _write(output, data, force=args.force or written is not None)
                if status != cli.EXIT_OK:
                    return status
                written = data
                print(f"kms-pubkey: wrote {output}", file=sys.stderr, flush=True)
        if stop.wait(seconds):
            return cli.EXIT_OK


JWKS = JwksCommand()
