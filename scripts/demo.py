"""`make demo`: start the emulator, fetch one key per installed vendor through `kms-pubkey get`, print it.

For each vendor it prints the exact command it ran, credentials included (the emulator's public
defaults), as a line a user can paste into a shell (the line after the `== vendor` header), then
the key. A vendor is demonstrated when both its CLI plugin (entry point group
`kms_pubkey.vendors`) and its emulator protocol exist; others are listed as skipped. Each
fetched PEM is checked against the emulator's own key list.
Exit status 0 on success.

The emulator keeps its keys in a state dir and listens on port 8765 when it is free, so after the
demo, `kms-pubkey emulator --port 8765 --state-dir DIR` serves the same keys and the printed
commands work unchanged. Options: `--state-dir DIR` (default: <tmp>/kms-emu), `--port N`.

To fit a new vendor in, add its extra `get` arguments to `EXTRA_ARGS`, the prefix of its
environment variables to `ENV_PREFIX` and its preferred spec to `PREFERRED_SPEC`.
"""

from __future__ import annotations

import argparse
import os
import shlex
import socket
import subprocess
import sys
import tempfile
from collections.abc import Callable
from importlib.metadata import entry_points
from pathlib import Path

from kms_pubkey_emulator import Emulator, StoredKey
from kms_pubkey_emulator.config import DEFAULT_HOST, DEFAULT_PORT, EmulatorConfig

# vendor -> extra `kms-pubkey get <vendor>` arguments for a key
EXTRA_ARGS: dict[str, Callable[[StoredKey], list[str]]] = {
    "alibaba": lambda key: ["--key-version-id", key.key_version_id],
}
# vendor -> the prefix of the emulator's environment variables (`Emulator.client_env`) it reads
ENV_PREFIX = {"aws": "AWS_", "alibaba": "ALIBABA_CLOUD_", "huawei": "HUAWEICLOUD_SDK_"}
PREFERRED_SPEC = {
    "aws": "ECC_NIST_P256",
    "alibaba": "EC_P256",
    "huawei": "EC_P256",
    "alibaba-instance": "RSA_2048",
}
# plugin -> the emulator vendor whose keys it reads (the dedicated gateway serves Alibaba's keys)
KEY_VENDOR = {"alibaba-instance": "alibaba"}


def _instance_args(emu: Emulator) -> list[str]:
    """The ClientKey file and its password file, which the emulator writes into its state dir at start."""
    return [
        "--client-key-file",
        str(emu.client_key_file),
        "--client-key-password-file",
        str(emu.client_key_password_file),
    ]


# plugin -> extra arguments that depend on the running emulator
EMULATOR_ARGS: dict[str, Callable[[Emulator], list[str]]] = {"alibaba-instance": _instance_args}
# Credential variables of the caller's shell that must not leak into the demo.
_CLEARED_PREFIXES = ("AWS_", "ALIBABA_CLOUD_", "HUAWEICLOUD_SDK_", "CLOUD_SDK_")
TIMEOUT_SECONDS = 60


def pick_key(keys: list[StoredKey], vendor: str) -> StoredKey:
    preferred = [k for k in keys if k.key_spec == PREFERRED_SPEC.get(vendor)]
    return (preferred or keys)[0]


def console_script() -> str:
    """`kms-pubkey` beside this Python, as short as a user would type it (`.venv/bin/kms-pubkey`)."""
    script = Path(sys.executable).parent / "kms-pubkey"
    relative = os.path.relpath(script)
    return relative if not relative.startswith("..") else str(script)


def command_for(emu: Emulator, vendor: str, key: StoredKey) -> tuple[dict[str, str], list[str]]:
    """The environment assignments and the argv of `kms-pubkey get <vendor>` for `key`."""
    prefix = ENV_PREFIX.get(vendor)
    env = {k: v for k, v in emu.client_env().items() if prefix and k.startswith(prefix)}
    extra = EXTRA_ARGS.get(vendor, lambda key: [])(key) + EMULATOR_ARGS.get(vendor, lambda emu: [])(emu)
    argv = [console_script(), "get", vendor, key.key_id, "--endpoint", emu.url, *extra]
    return env, argv


def shell_line(env: dict[str, str], argv: list[str]) -> str:
    """What to paste into a POSIX shell: `VAR=value ... command args`."""
    return " ".join([*(f"{k}={shlex.quote(v)}" for k, v in env.items()), shlex.join(argv)])


def run(env: dict[str, str], argv: list[str]) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(_CLEARED_PREFIXES)}
    return subprocess.run(
        argv, env={**clean, **env}, capture_output=True, text=True, timeout=TIMEOUT_SECONDS, check=False
    )


def free_port(wanted: int) -> int:
    """`wanted` when nothing listens there, else 0 (any free port)."""
    try:
        with socket.create_server((DEFAULT_HOST, wanted)):
            return wanted
    except OSError:
        return 0


def by_hand(state_dir: Path, port: int) -> str:
    script = console_script()
    return "\n".join(
        [
            "Try the commands by hand: keep an emulator running in one terminal,",
            f"  {shlex.join([script, 'emulator', '--port', str(port), '--state-dir', str(state_dir)])}",
            "(its state dir keeps the key ids and ClientKey files above), then paste the commands",
            "above into another. `. .venv/bin/activate` first lets you type plain `kms-pubkey`.",
        ]
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--state-dir", type=Path, default=Path(tempfile.gettempdir()) / "kms-emu")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help="0 picks a free one")
    options = parser.parse_args(argv)
    plugins = sorted({entry.name for entry in entry_points(group="kms_pubkey.vendors")})
    print(f"kms-pubkey demo: vendor plugins installed: {', '.join(plugins) or 'none'}")
    failures = 0
    shown = 0
    config = EmulatorConfig(port=free_port(options.port), state_dir=options.state_dir)
    with Emulator(config) as emu:
        print(f"emulator on {emu.url} with {len(emu.keys)} keys, state dir {options.state_dir}")
        for vendor in plugins:
            keys = emu.keys_for(KEY_VENDOR.get(vendor, vendor))
            if not keys:
                print(f"\n== {vendor}: skipped (the emulator does not speak {vendor} yet)")
                continue
            key = pick_key(keys, vendor)
            print(f"\n== {vendor} {key.key_spec} {key.key_id}")
            env, command = command_for(emu, vendor, key)
            print(shell_line(env, command))
            result = run(env, command)
            if result.returncode != 0 or result.stdout != key.public_key_pem:
                failures += 1
                print(f"FAILED (exit {result.returncode}): {result.stderr.strip() or 'PEM differs'}")
                continue
            shown += 1
            print(result.stdout, end="")
        port = emu.port
    print(f"\nkms-pubkey demo: {shown} vendor(s) fetched, {failures} failed; emulator stopped\n")
    print(by_hand(options.state_dir, port))
    return 1 if failures or not shown else 0


if __name__ == "__main__":
    raise SystemExit(main())
