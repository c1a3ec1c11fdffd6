"""Where `kms-pubkey get` writes: -o/--output (atomic, no clobbering without --force), DER never to a
terminal, and a stdout that cannot be written (/dev/full) as one line and exit 1.

Subprocesses against the session emulator; the expected keys come from the emulator's key list
and `cryptography`."""

from __future__ import annotations

import os
import resource
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization

pytestmark = pytest.mark.integration

CLEARED = ("AWS_", "ALIBABA_CLOUD_", "HUAWEICLOUD_SDK_", "CLOUD_SDK_")
CONSOLE = str(Path(sys.executable).parent / "kms-pubkey")
FULL = "kms-pubkey: error: cannot write to standard output: No space left on device\n"


@pytest.fixture(scope="module")
def env(emulator, tmp_path_factory) -> dict[str, str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith(CLEARED)}
    base.update(emulator.client_env())
    base["HOME"] = str(tmp_path_factory.mktemp("home"))
    base["PYTHONDONTWRITEBYTECODE"] = "1"
    return base


@pytest.fixture(scope="module")
def key(emulator):
    return emulator.key("aws", "ECC_NIST_P256")


def get(emulator, env, key, *args: str, **kwargs: Any) -> subprocess.CompletedProcess[bytes]:
    command = [CONSOLE, "get", "aws", key.key_id, "--endpoint", emulator.url, *args]
    if "stdout" not in kwargs:
        kwargs["capture_output"] = True
    return subprocess.run(command, env=env, timeout=60, check=False, **kwargs)


def der_of(pem: str) -> bytes:
    return serialization.load_pem_public_key(pem.encode()).public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def current_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


@pytest.mark.parametrize("flag", ["-o", "--output"])
def test_output_writes_the_key_to_a_file(emulator, env, key, tmp_path, flag):
    target = tmp_path / "key.pem"
    result = get(emulator, env, key, flag, str(target))
    assert (result.returncode, result.stdout, result.stderr) == (0, b"", b"")
    assert target.read_text() == key.public_key_pem
    assert sorted(p.name for p in tmp_path.iterdir()) == ["key.pem"]
    assert target.stat().st_mode & 0o777 == 0o666 & ~current_umask()


def test_output_der(emulator, env, key, tmp_path):
    target = tmp_path / "key.der"
    result = get(emulator, env, key, "--format", "der", "-o", str(target))
    assert result.returncode == 0, result.stderr
    assert target.read_bytes() == der_of(key.public_key_pem)


def test_output_refuses_to_replace_a_file_without_force(emulator, env, key, tmp_path):
    target = tmp_path / "key.pem"
    target.write_text("keep me\n")
    result = get(emulator, env, key, "-o", str(target))
    assert result.returncode == 1
    assert result.stderr.decode() == f"kms-pubkey: error: {target} exists: pass --force to replace it\n"
    assert target.read_text() == "keep me\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["key.pem"]

    forced = get(emulator, env, key, "-o", str(target), "--force")
    assert (forced.returncode, forced.stderr) == (0, b"")
    assert target.read_text() == key.public_key_pem


# The CLI with os.replace wrapped to report its arguments: the temp file must sit beside the target.
RECORD_REPLACE = """
import os, sys
import kms_pubkey.cli as cli
real = os.replace
def replace(src, dst):
    print("replace", src, os.path.exists(src), dst, file=sys.stderr)
    real(src, dst)
os.replace = replace
raise SystemExit(cli.main(sys.argv[1:]))
"""


def test_the_temp_file_is_beside_the_target_and_replaced_into_it(emulator, env, key, tmp_path):
    target = tmp_path / "out" / "key.pem"
    target.parent.mkdir()
    command = [sys.executable, "-c", RECORD_REPLACE, "get", "aws", key.key_id, "--endpoint", emulator.url]
    result = subprocess.run(
        [*command, "-o", str(target)], env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    word, src, existed, dst = result.stderr.split()
    assert (word, existed, dst) == ("replace", "True", str(target))
    assert Path(src).parent == target.parent
    assert Path(src).name.startswith(".key.pem.")
    assert sorted(p.name for p in target.parent.iterdir()) == ["key.pem"]
    assert target.read_text() == key.public_key_pem


def _limit_file_size() -> None:
    # Writes past 64 bytes fail with EFBIG (the signal that would kill the process is ignored).
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (64, 64))


def test_a_failed_write_leaves_no_file(emulator, env, key, tmp_path):
    target = tmp_path / "key.pem"
    result = get(emulator, env, key, "-o", str(target), preexec_fn=_limit_file_size)
    assert result.returncode == 1
    assert result.stderr.decode() == f"kms-pubkey: error: cannot write {target}: File too large\n"
    assert list(tmp_path.iterdir()) == []


def test_a_failed_replace_leaves_no_temp_file(emulator, env, key, tmp_path):
    target = tmp_path / "key.pem"
    target.mkdir()  # os.replace cannot put a file over a directory
    result = get(emulator, env, key, "-o", str(target), "--force")
    assert result.returncode == 1
    assert result.stderr.decode() == f"kms-pubkey: error: cannot write {target}: Is a directory\n"
    assert [p.name for p in tmp_path.iterdir()] == ["key.pem"]
    assert list(target.iterdir()) == []


def test_a_missing_folder_is_one_line(emulator, env, key, tmp_path):
    target = tmp_path / "absent" / "key.pem"
    result = get(emulator, env, key, "-o", str(target))
    assert result.returncode == 1
    assert result.stderr.decode() == f"kms-pubkey: error: cannot write {target}: No such file or directory\n"


def _on_a_terminal(command: list[str], env: dict[str, str]) -> tuple[int, bytes, bytes]:
    """Run with stdout on a pseudo-terminal; return (exit code, what reached the terminal, stderr)."""
    controller, terminal = os.openpty()
    try:
        result = subprocess.run(
            command, stdout=terminal, stderr=subprocess.PIPE, env=env, timeout=60, check=False
        )
    finally:
        os.close(terminal)
    shown = b""
    try:
        while chunk := os.read(controller, 4096):
            shown += chunk
    except OSError:  # EIO: the terminal side is closed and everything has been read
        pass
    finally:
        os.close(controller)
    return result.returncode, shown, result.stderr


def test_der_is_never_written_to_a_terminal(emulator, env, key):
    command = [CONSOLE, "get", "aws", key.key_id, "--endpoint", emulator.url, "--format", "der"]
    code, shown, stderr = _on_a_terminal(command, env)
    assert (code, shown) == (1, b"")
    assert stderr.decode() == (
        "kms-pubkey: error: refusing to write binary DER to a terminal: use -o FILE or redirect stdout\n"
    )


def test_pem_on_a_terminal_and_der_to_a_file_from_a_terminal(emulator, env, key, tmp_path):
    command = [CONSOLE, "get", "aws", key.key_id, "--endpoint", emulator.url]
    code, shown, stderr = _on_a_terminal(command, env)
    assert (code, stderr) == (0, b"")
    assert shown.replace(b"\r\n", b"\n").decode() == key.public_key_pem  # the tty maps \n to \r\n
    target = tmp_path / "key.der"
    code, shown, stderr = _on_a_terminal([*command, "--format", "der", "-o", str(target)], env)
    assert (code, shown, stderr) == (0, b"", b"")
    assert target.read_bytes() == der_of(key.public_key_pem)


@pytest.mark.parametrize("fmt", ["pem", "der", "jwk", "json"])
def test_a_full_stdout_is_one_line_and_exit_1(emulator, env, key, fmt):
    with open("/dev/full", "wb") as full:
        result = get(emulator, env, key, "--format", fmt, stdout=full, stderr=subprocess.PIPE)
    assert result.returncode == 1
    assert result.stderr.decode() == FULL


@pytest.mark.parametrize("args", [("--version",), ("--help",), ("get", "aws", "--help")])
def test_a_full_stdout_for_version_and_help(env, args):
    with open("/dev/full", "wb") as full:
        result = subprocess.run(
            [CONSOLE, *args], env=env, stdout=full, stderr=subprocess.PIPE, timeout=60, check=False
        )
    assert result.returncode == 1
    assert result.stderr.decode() == FULL
