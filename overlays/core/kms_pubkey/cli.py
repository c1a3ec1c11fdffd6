"""The `kms-pubkey` command line. Vendors and the emulator plug in through entry points
(`kms_pubkey.plugins`), so each wheel brings its own subcommand.

Exit status: 0 done (a key written, or a dry run that passed), 1 an error while running
(the service, the credentials, the output), 2 a command line that cannot run (a bad option,
or a vendor whose wheel is not installed).
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, Protocol, TypedDict

import attrs

from kms_pubkey import defaults
from kms_pubkey.errors import ApiError, KmsError, UnsupportedKeyError, ValidationError
from kms_pubkey.plugins import COMMAND_GROUP, VENDOR_GROUP, VENDOR_WHEELS
from kms_pubkey.plugins import load_all as _load
from kms_pubkey.public_key import PublicKey

if TYPE_CHECKING:
    from _typeshed import SupportsWrite

FORMATS = ("pem", "der", "jwk", "jwks", "json", "ssh", "fingerprint")
EXIT_OK, EXIT_ERROR, EXIT_USAGE = 0, 1, 2
LOGGER = "kms_pubkey"


@attrs.frozen
class DryRunPassed:
    """What a vendor's `fetch` returns when a dry run says the real request would succeed."""

    code: str  # the service's verdict code, e.g. Alibaba's DryRunOperationError


class VendorCommand(Protocol):
    """What a vendor wheel exposes for `kms-pubkey get <name>`."""

    name: str
    help: str

    def add_arguments(self, parser: argparse.ArgumentParser) -> None: ...

    def fetch(self, args: argparse.Namespace) -> PublicKey | DryRunPassed:
        """Fetch the key named by `args.key_id`; `args.endpoint`, `.timeout`, `.retries` are set."""
        ...


@attrs.frozen
class Option:
    """One flag of a vendor command: `argparse.add_argument`'s arguments, kept as data."""

    flags: tuple[str, ...]
    settings: dict[str, Any]


def option(*flags: str, **settings: Any) -> Option:
    return Option(flags, settings)


@attrs.frozen
class Plugin:
    """A `VendorCommand` declared as data: its flags, and how it fetches with them."""

    name: str
    help: str
    fetch: Callable[[argparse.Namespace], PublicKey | DryRunPassed]
    options: tuple[Option, ...] = ()
    epilog: str | None = None

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        for flag in self.options:
            parser.add_argument(*flag.flags, **flag.settings)
        parser.epilog = self.epilog


class Command(Protocol):
    """A top-level subcommand contributed by another wheel (e.g. `emulator`)."""

    name: str
    help: str

    def add_arguments(self, parser: argparse.ArgumentParser) -> None: ...

    def run(self, args: argparse.Namespace) -> int: ...


class RequestOptions(TypedDict):
    timeout: float
    max_retries: int


def request_options(args: argparse.Namespace) -> RequestOptions:
    """The client's `timeout=` and `max_retries=` from `--timeout` and `--retries`."""
    return {
        "timeout": defaults.TIMEOUT_SECONDS if args.timeout is None else args.timeout,
        "max_retries": defaults.MAX_RETRIES if args.retries is None else args.retries,
    }


class _OutputError(Exception):
    """Standard output cannot be written (a full disk, a closed pipe)."""


class _Parser(argparse.ArgumentParser):
    """An unknown option is reported with the usage of the subcommand it was given to.

    argparse hands a subcommand's leftovers up to the top parser, whose usage says nothing
    about the subcommand's options; so every parser here refuses its own leftovers. A
    parser standing for a vendor whose wheel is absent accepts anything and records the
    vendor, so `main` can name the wheel to install.
    """

    missing_vendor: str | None = None

    def parse_known_args(  # type: ignore[override]
        self, args: Sequence[str] | None = None, namespace: argparse.Namespace | None = None
    ) -> tuple[argparse.Namespace, list[str]]:
        if self.missing_vendor is not None:
            return argparse.Namespace(_missing_vendor=self.missing_vendor), []
        parsed, extras = super().parse_known_args(args, namespace)
        if extras:
            self.error(f"unrecognized arguments: {' '.join(extras)}")
        return parsed, extras

    def print_help(self, file: SupportsWrite[str] | None = None) -> None:
        """argparse ignores a failed write of the help; a full disk must be reported here too."""
        if file is None:
            _stdout(self.format_help().encode("utf-8"))
        else:
            super().print_help(file)


def installed_versions() -> str:
    """Every installed distribution named kms-pubkey*, one `name version` line each."""
    import re
    from importlib.metadata import distributions

    found: dict[str, str] = {}
    for dist in distributions():
        name = re.sub(r"[-_.]+", "-", dist.metadata["Name"] or "").lower()
        if name == "kms-pubkey" or name.startswith("kms-pubkey-"):
            found.setdefault(name, dist.version)
    return "".join(f"{name} {version}\n" for name, version in sorted(found.items()))


class _VersionAction(argparse.Action):
    def __init__(self, option_strings: Sequence[str], dest: str = argparse.SUPPRESS, **kwargs: Any) -> None:
        super().__init__(option_strings, dest=dest, default=argparse.SUPPRESS, nargs=0, **kwargs)

    def __call__(self, parser: argparse.ArgumentParser, *_: object) -> NoReturn:
        _stdout(installed_versions().encode("utf-8"))
        parser.exit()


def _retries(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a whole number") from None
    if number < 0:
        raise argparse.ArgumentTypeError(f"{value!r} is negative")
    return number


def _seconds(value: str) -> float:
    import math

    try:
        number = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a number of seconds") from None
    if not (number > 0 and math.isfinite(number)):
        raise argparse.ArgumentTypeError(f"{value!r} is not a positive number of seconds")
    return number


def _add_common_options(parser: argparse.ArgumentParser, key_metavar: str = "KEY_ID") -> None:
    parser.add_argument("key_id", metavar=key_metavar)
    parser.add_argument("--endpoint", metavar="URL", help="override the service URL (VPC, emulator)")
    parser.add_argument("--format", choices=FORMATS, default="pem", help="output format (default: pem)")
    parser.add_argument(
        "-o",
        "--output",
        metavar="FILE",
        type=Path,
        help="write the key to FILE (atomically) instead of stdout",
    )
    parser.add_argument("--force", action="store_true", help="let --output replace an existing file")
    parser.add_argument(
        "--timeout",
        type=_seconds,
        metavar="SECONDS",
        default=None,
        help=f"seconds per attempt (default {defaults.TIMEOUT_SECONDS:g})",
    )
    parser.add_argument(
        "--retries",
        type=_retries,
        default=None,
        metavar="N",
        help=f"retries after a failed attempt (default {defaults.MAX_RETRIES})",
    )
    parser.add_argument(
        "-v", "--verbose", action="store_true", help="log each request and retry to stderr (never secrets)"
    )


def build_parser(vendors: Sequence[VendorCommand], commands: Sequence[Command]) -> argparse.ArgumentParser:
    parser = _Parser(prog="kms-pubkey", description="Fetch the public key of an asymmetric KMS key.")
    parser.add_argument(
        "--version", action=_VersionAction, help="show every installed kms-pubkey package and its version"
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    get = sub.add_parser(
        "get",
        help="fetch a public key and print it",
        description="Name the key by vendor and key id (get VENDOR KEY_ID ...), or by a key URI "
        "(get URI ..., e.g. get awskms:///alias/x).",
    )
    vendor_sub = get.add_subparsers(dest="vendor", metavar="VENDOR", required=True)
    installed = {vendor.name for vendor in vendors}
    for vendor in vendors:
        vp = vendor_sub.add_parser(vendor.name, help=vendor.help)
        _add_common_options(vp)
        vendor.add_arguments(vp)
        vp.set_defaults(_vendor=vendor, _parser=vp)
    for name, wheel in sorted(VENDOR_WHEELS.items()):
        if name not in installed:
            placeholder = vendor_sub.add_parser(
                name, help=f"(not installed: pip install {wheel})", add_help=False
            )
            placeholder.missing_vendor = name
    for command in commands:
        cp = sub.add_parser(command.name, help=command.help)
        command.add_arguments(cp)
        cp.set_defaults(_command=command)
    return parser


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


def render(key: PublicKey, fmt: str) -> bytes:
    """The key in one of `FORMATS`, as the bytes to write."""
    if fmt == "der":
        return key.der
    if fmt == "jwk":
        return (json.dumps(key.to_jwk(), indent=2) + "\n").encode("utf-8")
    if fmt == "jwks":
        from kms_pubkey.jwk_set import jwks

        return (json.dumps(jwks([key], on_unsupported="error"), indent=2) + "\n").encode("utf-8")
    if fmt == "json":
        return (json.dumps(to_json(key), indent=2) + "\n").encode("utf-8")
    if fmt == "ssh":
        return (key.to_ssh() + "\n").encode("ascii")
    if fmt == "fingerprint":
        return "".join(f"{kind} {value}\n" for kind, value in fingerprints(key)).encode("ascii")
    return key.pem.encode("ascii")


def fingerprints(key: PublicKey) -> list[tuple[str, str]]:
    """(kind, fingerprint) for every kind that applies to the key (SSH and JWK ones may not)."""
    from kms_pubkey.derive.fingerprint import KINDS

    found: list[tuple[str, str]] = []
    for kind in KINDS:
        try:
            found.append((kind, key.fingerprint(kind)))
        except UnsupportedKeyError:
            continue
    return found


def _stdout(data: bytes) -> None:
    try:
        sys.stdout.flush()
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
    except OSError as exc:
        raise _OutputError(exc.strerror or type(exc).__name__) from None


def write_file(path: Path, data: bytes, *, force: bool) -> None:
    """Write `data` to `path` whole or not at all: a temp file beside it, then `os.replace`.

    Without `force`, an existing `path` raises `FileExistsError` and is left as it was.
    """
    import tempfile

    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temp, 0o666 & ~umask)  # a public key: the usual file mode, not mkstemp's 0600
        if path.exists() and not force:
            raise FileExistsError(path)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def _spelling(parser: argparse.ArgumentParser) -> Callable[[str], str]:
    """Python parameter name -> how this subcommand's command line spells it (`--region`, `KEY_ID`)."""
    flags: dict[str, str] = {}
    for action in parser._actions:  # argparse keeps no public list of a parser's arguments
        if action.option_strings:
            flags.setdefault(action.dest, max(action.option_strings, key=len))
        elif isinstance(action.metavar, str):
            flags.setdefault(action.dest, action.metavar)
    return lambda name: flags.get(name, f"{name}=")


def _describe(error: KmsError, parser: argparse.ArgumentParser | None) -> str:
    """One line: services may answer with several (AWS quotes its canonical request)."""
    if isinstance(error, ApiError):
        text = str(error)
    elif isinstance(error, ValidationError) and parser is not None:
        text = f"{type(error).__name__}: {error.render(_spelling(parser), library=False)}"
    else:
        text = f"{type(error).__name__}: {error}"
    return " ".join(text.split())


def _fail(message: str, status: int = EXIT_ERROR) -> int:
    print(f"kms-pubkey: error: {message}", file=sys.stderr)
    return status


def _exists(path: Path) -> str:
    return f"{path} exists: pass --force to replace it"


def _log_to_stderr() -> None:
    import logging

    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("kms-pubkey: %(levelname)s: %(message)s"))
    logger = logging.getLogger(LOGGER)
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    logger.propagate = False


def _get(args: argparse.Namespace) -> int:
    output: Path | None = args.output
    if output is None and args.format == "der" and sys.stdout.isatty():
        return _fail("refusing to write binary DER to a terminal: use -o FILE or redirect stdout")
    if output is not None and output.exists() and not args.force:  # before asking the service
        return _fail(_exists(output))
    if args.verbose:
        _log_to_stderr()
    vendor: VendorCommand = args._vendor
    try:
        result = vendor.fetch(args)
    except KmsError as error:
        return _fail(_describe(error, args._parser))
    if isinstance(result, DryRunPassed):
        _stdout(f"kms-pubkey: dry run passed: the request would have succeeded ({result.code})\n".encode())
        return EXIT_OK
    try:
        data = render(result, args.format)
    except KmsError as error:  # a key with no form in that format (SM2 as ssh or jwk)
        return _fail(_describe(error, args._parser))
    if output is None:
        _stdout(data)
        return EXIT_OK
    try:
        write_file(output, data, force=args.force)
    except FileExistsError:
        return _fail(_exists(output))
    except OSError as exc:
        return _fail(f"cannot write {output}: {exc.strerror or type(exc).__name__}")
    return EXIT_OK


def _run(argv: Sequence[str] | None) -> int:
    from kms_pubkey import uri_cli

    argv = sys.argv[1:] if argv is None else list(argv)
    if uri_cli.is_uri_get(argv):
        return _get(uri_cli.get_parser().parse_args(argv[1:]))
    vendors: list[VendorCommand] = _load(VENDOR_GROUP)  # type: ignore[assignment]
    commands: list[Command] = _load(COMMAND_GROUP)  # type: ignore[assignment]
    args = build_parser(vendors, commands).parse_args(argv)
    missing: str | None = getattr(args, "_missing_vendor", None)
    if missing is not None:
        wheel = VENDOR_WHEELS[missing]
        return _fail(f"the {missing} vendor is not installed: pip install {wheel}", EXIT_USAGE)
    command: Command | None = getattr(args, "_command", None)
    if command is not None:
        try:
            return command.run(args)
        except KmsError as error:
            return _fail(_describe(error, None))
    return _get(args)


def main(argv: Sequence[str] | None = None) -> int:
    try:
        try:
            return _run(argv)
        except KeyboardInterrupt:
            return 130
        finally:
            # Flush here, where a failure can still be reported, not at interpreter exit.
            try:
                sys.stdout.flush()
            except OSError as exc:
                raise _OutputError(exc.strerror or type(exc).__name__) from None
    except _OutputError as error:
        # What is still buffered goes nowhere, so the interpreter's own flush at exit cannot fail.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
        return _fail(f"cannot write to standard output: {error}")


if __name__ == "__main__":
    # Run the imported module's main: plugins import `kms_pubkey.cli`, and its classes
    # (DryRunPassed) must be the ones this run checks against, not `__main__`'s copies.
    from kms_pubkey.cli import main as _main

    raise SystemExit(_main())
