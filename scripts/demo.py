"""`make demo`: start the emulator, fetch one key per installed vendor through `kms-pubkey get`, print it.

A vendor is demonstrated when both its CLI plugin (entry point group `kms_pubkey.vendors`) and its
emulator protocol (`kms_pubkey_emulator.server.PROTOCOLS`) exist; others are listed as skipped.
Each fetched PEM is checked against the emulator's own key list. Exit status 0 on success.

To fit a new vendor in, add its extra `get` arguments to `EXTRA_ARGS` and its preferred spec to
`PREFERRED_SPEC` (both optional).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from collections.abc import Callable
from importlib.metadata import entry_points

from kms_pubkey_emulator import Emulator, StoredKey

# vendor -> extra `kms-pubkey get <vendor>` arguments for a key
EXTRA_ARGS: dict[str, Callable[[StoredKey], list[str]]] = {
    "aws": lambda key: ["--region", "us-east-1"],
    "alibaba": lambda key: ["--key-version-id", key.key_version_id],
    "huawei": lambda key: [],
}
PREFERRED_SPEC = {
    "aws": "ECC_NIST_P256",
    "alibaba": "EC_P256",
    "huawei": "EC_P256",
    "alibaba-instance": "RSA_2048",
}
# plugin -> the emulator vendor whose keys it reads (the dedicated gateway serves Alibaba's keys)
KEY_VENDOR = {"alibaba-instance": "alibaba"}


def _instance_args(emu: Emulator) -> list[str]:
    """The emulator's ClientKey file and password file for the Alibaba dedicated gateway."""
    from kms_pubkey_emulator.vendors.alibaba_instance import client_key

    assert emu.state is not None
    files = client_key(emu.state)
    return [
        "--client-key-file",
        str(files.client_key_file),
        "--client-key-password-file",
        str(files.password_file),
    ]


# plugin -> extra arguments that depend on the running emulator
EMULATOR_ARGS: dict[str, Callable[[Emulator], list[str]]] = {"alibaba-instance": _instance_args}
# Credential variables of the caller's shell that must not leak into the demo.
_CLEARED_PREFIXES = ("AWS_", "ALIBABA_CLOUD_", "HUAWEICLOUD_SDK_", "CLOUD_SDK_")
TIMEOUT_SECONDS = 60


def pick_key(keys: list[StoredKey], vendor: str) -> StoredKey:
    preferred = [k for k in keys if k.key_spec == PREFERRED_SPEC.get(vendor)]
    return (preferred or keys)[0]


def fetch(emu: Emulator, vendor: str, key: StoredKey, home: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(_CLEARED_PREFIXES)}
    env.update(emu.client_env())
    env["HOME"] = home  # no ~/.aws or other shared config files of the caller
    extra = EXTRA_ARGS.get(vendor, lambda key: [])(key) + EMULATOR_ARGS.get(vendor, lambda emu: [])(emu)
    command = [
        sys.executable,
        "-m",
        "kms_pubkey.cli",
        "get",
        vendor,
        key.key_id,
        "--endpoint",
        emu.url,
        *extra,
    ]
    return subprocess.run(
        command, env=env, capture_output=True, text=True, timeout=TIMEOUT_SECONDS, check=False
    )


def main() -> int:
    plugins = sorted({entry.name for entry in entry_points(group="kms_pubkey.vendors")})
    print(f"kms-pubkey demo: vendor plugins installed: {', '.join(plugins) or 'none'}")
    failures = 0
    shown = 0
    with Emulator() as emu, tempfile.TemporaryDirectory(prefix="kms-demo-home-") as home:
        print(f"emulator on {emu.url} with {len(emu.keys)} keys")
        for vendor in plugins:
            keys = emu.keys_for(KEY_VENDOR.get(vendor, vendor))
            if not keys:
                print(f"\n== {vendor}: skipped (the emulator does not speak {vendor} yet)")
                continue
            key = pick_key(keys, vendor)
            print(f"\n== {vendor} {key.key_spec} {key.key_id}")
            result = fetch(emu, vendor, key, home)
            if result.returncode != 0 or result.stdout != key.public_key_pem:
                failures += 1
                print(f"FAILED (exit {result.returncode}): {result.stderr.strip() or 'PEM differs'}")
                continue
            shown += 1
            print(result.stdout, end="")
    print(f"\nkms-pubkey demo: {shown} vendor(s) fetched, {failures} failed; emulator stopped")
    return 1 if failures or not shown else 0


if __name__ == "__main__":
    raise SystemExit(main())
