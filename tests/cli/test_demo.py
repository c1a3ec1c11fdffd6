"""The `make demo` script (run directly, not through make): exits 0 and prints a PEM per available vendor."""

from __future__ import annotations

import re
import runpy
import subprocess
import sys
from importlib.metadata import entry_points
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization

from kms_pubkey_emulator import PROTOCOLS

pytestmark = pytest.mark.integration

DEMO = Path(__file__).resolve().parents[2] / "scripts" / "demo.py"
PEM = re.compile(r"-----BEGIN PUBLIC KEY-----\n.*?\n-----END PUBLIC KEY-----\n", re.DOTALL)


def test_demo_prints_a_pem_per_available_vendor():
    plugins = {entry.name for entry in entry_points(group="kms_pubkey.vendors")}
    key_vendor = runpy.run_path(str(DEMO)).get("KEY_VENDOR", {})  # plugin -> emulator vendor it reads
    expected = sorted(v for v in plugins if key_vendor.get(v, v) in {p.name for p in PROTOCOLS})
    assert "aws" in expected
    result = subprocess.run(
        [sys.executable, str(DEMO)], capture_output=True, text=True, timeout=300, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    sections = re.split(r"^== ", result.stdout, flags=re.MULTILINE)[1:]
    shown = {}
    for section in sections:
        vendor = section.split()[0].rstrip(":")
        pems = PEM.findall(section)
        if pems:
            shown[vendor] = pems
    assert sorted(shown) == expected
    for vendor, pems in shown.items():
        assert len(pems) == 1, vendor
        assert serialization.load_pem_public_key(pems[0].encode())
