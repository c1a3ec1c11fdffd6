"""The `kms-pubkey` command line. Vendors and the emulator plug in through entry points
(`kms_pubkey.plugins`), so each wheel brings its own subcommand. Each vendor serves `get`,
and `verify` and `encrypt`, which fetch the key the same way and then use it offline.

Exit status: 0 done (a key written, a signature valid, or a dry run that passed), 1 an error
while running (the service, the credentials, the output) or a signature that does not verify,
2 a command line that cannot run (a bad option, or a vendor whose wheel is not installed).
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple, NoReturn, Protocol, TypedDict

from kms_pubkey import defaults
from kms_pubkey.defaults import SM2_DEFAULT_ID
from kms_pubkey.errors import ApiError, KmsError, UnsupportedKeyError, ValidationError
from kms_pubkey.frozen import Frozen
from kms_pubkey.plugins import COMMAND_GROUP, VENDOR_GROUP, VENDOR_WHEELS
from kms_pubkey.plugins import load_all as _load
from kms_pubkey.public_key import PublicKey

if TYPE_CHECKING:
    from _typeshed import SupportsWrite

FORMATS = ("pem", "der", "jwk", "jwks", "json", "ssh", "fingerprint")
EXIT_OK, EXIT_ERROR, EXIT_USAGE = 0, 1, 2
LOGGER = "kms_pubkey"


class DryRunPassed(Frozen):
    """What a vendor's `fetch` returns when a dry run says the real request would succeed."""

    __slots__ = ("code",)
    code: str
    """The service's verdict code, e.g. Alibaba's DryRunOperationError."""

    def __init__(self, code: str) -> None:
        self._set(code=code)


class VendorCommand(Protocol):
    """What a vendor wheel exposes for `kms-pubkey get <name>`."""

    name: str
    help: str

    def add_arguments(self, parser: argparse.ArgumentParser) -> None: ...

    def fetch(self, args: argparse.Namespace) -> PublicKey | DryRunPassed:
        """Fetch the key named by `args.key_id`; `args.endpoint`, `.timeout`, `.retries` are set."""
        ...


class Option(Frozen):
    """One flag of a vendor command: `argparse.add_argument`'s arguments, kept as data."""

    __slots__ = ("flags", "settings")
    flags: tuple[str, ...]
    settings: dict[str, Any]

    def __init__(self, flags: tuple[str, ...], settings: dict[str, Any]) -> None:
        self._set(flags=flags, settings=settings)


def option(*flags: str, **settings: Any) -> Option:
    return Option(flags, settings)


class Plugin(Frozen):
    """A `VendorCommand` declared as data: its flags, and how it fetches with them."""

    __slots__ = ("epilog", "fetch", "help", "name", "options")
    name: str
    help: str
    fetch: Callable[[argparse.Namespace], PublicKey | DryRunPassed]
    options: tuple[Option, ...]
    epilog: str | None

    def __init__(
        self,
        name: str,
        help: str,
        fetch: Callable[[argparse.Namespace], PublicKey | DryRunPassed],
        options: tuple[Option, ...] = (),
        epilog: str | None = None,
    ) -> None:
        self._set(name=name, help=help, fetch=fetch, options=options, epilog=epilog)

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
    # verify/encrypt with --key-file fetch nothing, so a vendor's required fetch options are
    # checked only when the key is fetched (`_require_fetch_options`).
    defer_required: bool = False
    deferred: tuple[argparse.Action, ...] = ()

    def add_argument(self, *args: Any, **kwargs: Any) -> argparse.Action:
        required = self.defer_required and kwargs.pop("required", False)
        action = super().add_argument(*args, **kwargs)
        if required:
            self.deferred = (*self.deferred, action)
        return action

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


def _add_key_options(
    parser: argparse.ArgumentParser, *, key_file: bool = False, key_metavar: str = "KEY_ID"
) -> None:
    """KEY_ID and how to ask for it: what `get`, `verify` and `encrypt` share."""
    if key_file:
        parser.add_argument(
            "key_id", metavar="KEY_ID", nargs="?", help="the key to fetch (not with --key-file)"
        )
        parser.add_argument(
            "--key-file",
            metavar="FILE",
            type=Path,
            help="use this public key file (PEM or DER) instead of fetching; nothing is sent",
        )
    else:
        parser.add_argument("key_id", metavar=key_metavar)
    parser.add_argument("--endpoint", metavar="URL", help="override the service URL (VPC, emulator)")
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


def _add_output_options(parser: argparse.ArgumentParser, what: str) -> None:
    parser.add_argument(
        "-o",
        "--output",
        metavar="FILE",
        type=Path,
        help=f"write the {what} to FILE (atomically) instead of stdout",
    )
    parser.add_argument("--force", action="store_true", help="let --output replace an existing file")


def _add_common_options(parser: argparse.ArgumentParser, key_metavar: str = "KEY_ID") -> None:
    """`get`'s options, for a vendor's KEY_ID or (kms_pubkey.uri_cli) a key URI."""
    _add_key_options(parser, key_metavar=key_metavar)
    parser.add_argument("--format", choices=FORMATS, default="pem", help="output format (default: pem)")
    _add_output_options(parser, "key")


def _hex(value: str) -> bytes:
    try:
        return bytes.fromhex(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not hexadecimal") from None


def _add_verify_options(parser: argparse.ArgumentParser) -> None:
    _add_key_options(parser, key_file=True)
    parser.add_argument("--algorithm", required=True, help="the vendor's signing algorithm name")
    parser.add_argument(
        "--message-type",
        metavar="TYPE",
        help="RAW, DIGEST or EXTERNAL_MU (default: RAW with --message, DIGEST with --digest)",
    )
    given = parser.add_mutually_exclusive_group(required=True)
    given.add_argument(
        "--message", metavar="FILE", type=Path, help="the signed message (or digest), read as bytes"
    )
    given.add_argument("--digest", metavar="HEX", type=_hex, help="the signed digest, in hexadecimal")
    parser.add_argument(
        "--signature", metavar="FILE", type=Path, required=True, help="the signature, as bytes"
    )
    parser.add_argument(
        "--signature-format",
        choices=("der", "raw"),
        default="der",
        help="ECDSA and SM2 signatures as DER (default) or raw r||s",
    )
    parser.add_argument(
        "--distinguishing-id",
        metavar="ID",
        default=SM2_DEFAULT_ID.decode("ascii"),
        help=f"the SM2 signer's distinguishing ID (default {SM2_DEFAULT_ID.decode('ascii')})",
    )


def _add_encrypt_options(parser: argparse.ArgumentParser) -> None:
    _add_key_options(parser, key_file=True)
    parser.add_argument("--algorithm", required=True, help="the vendor's encryption algorithm name")
    parser.add_argument(
        "--plaintext", metavar="FILE", type=Path, required=True, help="the plaintext, as bytes"
    )
    _add_output_options(parser, "ciphertext")


class _KeyCommand(NamedTuple):
    """A subcommand that works on one vendor's key: `get`, `verify`, `encrypt`."""

    help: str
    add_options: Callable[[argparse.ArgumentParser], None]
    key_file: bool  # whether --key-file may stand in for fetching
    description: str | None = None


_KEY_COMMANDS = {
    "get": _KeyCommand(
        "fetch a public key and print it",
        _add_common_options,
        False,
        "Name the key by vendor and key id (get VENDOR KEY_ID ...), or by a key URI "
        "(get URI ..., e.g. get awskms:///alias/x).",
    ),
    "verify": _KeyCommand(
        "check a signature the KMS made, offline (exit 0 valid, 1 not)", _add_verify_options, True
    ),
    "encrypt": _KeyCommand(
        "encrypt to a KMS key, offline, for the KMS to decrypt", _add_encrypt_options, True
    ),
}


def build_parser(vendors: Sequence[VendorCommand], commands: Sequence[Command]) -> argparse.ArgumentParser:
    parser = _Parser(
        prog="kms-pubkey", description="Fetch the public key of an asymmetric KMS key, and use it offline."
    )
    parser.add_argument(
        "--version", action=_VersionAction, help="show every installed kms-pubkey package and its version"
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    installed = {vendor.name for vendor in vendors}
    for name, spec in _KEY_COMMANDS.items():
        command_parser = sub.add_parser(name, help=spec.help, description=spec.description)
        vendor_sub = command_parser.add_subparsers(dest="vendor", metavar="VENDOR", required=True)
        for vendor in vendors:
            vp = vendor_sub.add_parser(vendor.name, help=vendor.help)
            spec.add_options(vp)
            vp.defer_required = spec.key_file
            vendor.add_arguments(vp)
            vp.defer_required = False
            vp.set_defaults(_vendor=vendor, _parser=vp, _run=_RUNS[name])
        for vendor_name, wheel in sorted(VENDOR_WHEELS.items()):
            if vendor_name not in installed:
                placeholder = vendor_sub.add_parser(
                    vendor_name, help=f"(not installed: pip install {wheel})", add_help=False
                )
                placeholder.missing_vendor = vendor_name
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
        "vocabulary": key.vocabulary,
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
        return _dry_run(result)
    try:
        data = render(result, args.format)
    except KmsError as error:  # a key with no form in that format (SM2 as ssh or jwk)
        return _fail(_describe(error, args._parser))
    return _write(data, output, force=args.force)


def _read(path: Path, what: str) -> bytes:
    try:
        return sys.stdin.buffer.read() if str(path) == "-" else path.read_bytes()
    except OSError as exc:
        raise _InputError(f"cannot read the {what} {path}: {exc.strerror or type(exc).__name__}") from None


class _InputError(Exception):
    """A file named on the command line cannot be read."""


def _key(args: argparse.Namespace) -> PublicKey | DryRunPassed:
    """The key `verify` and `encrypt` work with: read from --key-file, or fetched like `get`."""
    vendor: VendorCommand = args._vendor
    parser: _Parser = args._parser
    if args.key_file is not None:
        from kms_pubkey.public_key import load_public_key

        return load_public_key(_read(args.key_file, "key file"), vendor=vendor.name, key_id=args.key_id)
    if args.key_id is None:
        parser.error("give KEY_ID to fetch the key, or --key-file FILE")
    missing = [max(a.option_strings, key=len) for a in parser.deferred if getattr(args, a.dest) is None]
    if missing:
        parser.error(f"the following arguments are required to fetch the key: {', '.join(missing)}")
    if args.verbose:
        _log_to_stderr()
    return vendor.fetch(args)


def _dry_run(result: DryRunPassed) -> int:
    _stdout(f"kms-pubkey: dry run passed: the request would have succeeded ({result.code})\n".encode())
    return EXIT_OK


def _no_key(result: DryRunPassed, what: str) -> str:
    """A dry run fetches no key, so `verify` must not exit 0 (that means a valid signature)."""
    return (
        f"a dry run fetches no key, so nothing was {what} (the request would have succeeded: {result.code})"
    )


def _verify(args: argparse.Namespace) -> int:
    parser: _Parser = args._parser
    kind = args.message_type.upper() if args.message_type else None
    if args.digest is not None and kind == "RAW":
        parser.error("--digest gives a digest: --message-type RAW needs --message")
    try:
        signature = _read(args.signature, "signature")
        message = args.digest if args.digest is not None else _read(args.message, "message")
        key = _key(args)
        if isinstance(key, DryRunPassed):
            return _fail(_no_key(key, "verified"))
        key.verify(
            signature,
            message,
            algorithm=args.algorithm,
            message_type=kind or ("DIGEST" if args.digest is not None else "RAW"),
            signature_format=args.signature_format,
            distinguishing_id=args.distinguishing_id.encode("utf-8"),
        )
    except _InputError as error:
        return _fail(str(error))
    except KmsError as error:
        return _fail(_describe(error, parser))
    _stdout(b"kms-pubkey: signature verified\n")
    return EXIT_OK


def _encrypt(args: argparse.Namespace) -> int:
    output: Path | None = args.output
    if output is None and sys.stdout.isatty():
        return _fail("refusing to write a binary ciphertext to a terminal: use -o FILE or redirect stdout")
    if output is not None and output.exists() and not args.force:
        return _fail(_exists(output))
    try:
        plaintext = _read(args.plaintext, "plaintext")
        key = _key(args)
        if isinstance(key, DryRunPassed):
            return _fail(_no_key(key, "encrypted"))
        ciphertext = key.encrypt(plaintext, algorithm=args.algorithm)
    except _InputError as error:
        return _fail(str(error))
    except KmsError as error:
        return _fail(_describe(error, args._parser))
    return _write(ciphertext, output, force=args.force)


def _write(data: bytes, output: Path | None, *, force: bool) -> int:
    if output is None:
        _stdout(data)
        return EXIT_OK
    try:
        write_file(output, data, force=force)
    except FileExistsError:
        return _fail(_exists(output))
    except OSError as exc:
        return _fail(f"cannot write {output}: {exc.strerror or type(exc).__name__}")
    return EXIT_OK


_RUNS: dict[str, Callable[[argparse.Namespace], int]] = {"get": _get, "verify": _verify, "encrypt": _encrypt}


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
    run: Callable[[argparse.Namespace], int] = args._run
    return run(args)


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
