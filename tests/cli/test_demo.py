"""The `make demo` script (run directly, not through make): it exits 0, prints a command and a PEM
per available vendor, and the commands it prints work by hand against the emulator it suggests."""

from __future__ import annotations

import os
import re
import runpy
import shlex
import subprocess
import sys
from importlib.metadata import entry_points
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization

from kms_pubkey_emulator import PROTOCOLS

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "scripts" / "demo.py"
PEM = re.compile(r"-----BEGIN PUBLIC KEY-----\n.*?\n-----END PUBLIC KEY-----\n", re.DOTALL)
CLEARED = ("AWS_", "ALIBABA_CLOUD_", "HUAWEICLOUD_SDK_", "CLOUD_SDK_")


def _clean_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith(CLEARED)}


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> subprocess.CompletedProcess[str]:
    state = tmp_path_factory.mktemp("demo-state")
    return subprocess.run(
        [sys.executable, str(DEMO), "--state-dir", str(state), "--port", "0"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        cwd=ROOT,
        env=_clean_env(),
    )


def _sections(stdout: str) -> dict[str, tuple[str, str]]:
    """vendor -> (the command line printed under its header, the PEM)."""
    shown = {}
    for section in re.split(r"^== ", stdout, flags=re.MULTILINE)[1:]:
        lines = section.splitlines()
        vendor = lines[0].split()[0].rstrip(":")
        pems = PEM.findall(section)
        if pems:
            assert len(pems) == 1, vendor
            shown[vendor] = (lines[1], pems[0])
    return shown


def test_demo_prints_a_command_and_a_pem_per_available_vendor(demo):
    plugins = {entry.name for entry in entry_points(group="kms_pubkey.vendors")}
    key_vendor = runpy.run_path(str(DEMO)).get("KEY_VENDOR", {})  # plugin -> emulator vendor it reads
    expected = sorted(v for v in plugins if key_vendor.get(v, v) in {p.name for p in PROTOCOLS})
    assert "aws" in expected
    assert demo.returncode == 0, demo.stdout + demo.stderr
    assert "Traceback" not in demo.stderr
    shown = _sections(demo.stdout)
    assert sorted(shown) == expected
    for vendor, (command, pem) in shown.items():
        words = shlex.split(command)
        start = next(i for i, w in enumerate(words) if "=" not in w)
        assert words[start : start + 3] == [".venv/bin/kms-pubkey", "get", vendor], command
        assert serialization.load_pem_public_key(pem.encode())
    aws_command = shown["aws"][0]
    assert aws_command.startswith(
        "AWS_ACCESS_KEY_ID=emulator-access-key AWS_SECRET_ACCESS_KEY=emulator-secret-key "
        "AWS_REGION=us-east-1 .venv/bin/kms-pubkey get aws "
    )


def test_the_printed_commands_work_by_hand(demo, start_emulator):
    assert demo.returncode == 0, demo.stdout + demo.stderr
    by_hand = r"^  (\.venv/bin/kms-pubkey emulator --port \d+ --state-dir \S+)$"
    hint = re.search(by_hand, demo.stdout, re.MULTILINE)
    assert hint, demo.stdout
    assert "`. .venv/bin/activate` first lets you type plain `kms-pubkey`" in demo.stdout
    start_emulator(hint.group(1))
    for vendor, (command, pem) in _sections(demo.stdout).items():
        # As a user pastes it: through a shell, with none of the vendor variables set beforehand.
        result = subprocess.run(
            ["/bin/sh", "-c", command],
            cwd=ROOT,
            env=_clean_env(),
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert (result.returncode, result.stderr) == (0, ""), vendor
        assert result.stdout == pem, vendor
