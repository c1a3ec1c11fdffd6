"""Every command in the README's command-line example runs, in order, as written.

Two substitutions only, so that parallel runs do not collide: the port 8765 becomes a free one
and /tmp/kms-emu a temporary folder. `. .venv/bin/activate` is modelled by putting this venv's
bin folder first on PATH; the emulator line is started in the background, as "in one terminal"
says. Expected keys come from the emulator's key list and `cryptography`."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from cryptography.hazmat.primitives import serialization

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
CLEARED = ("AWS_", "ALIBABA_CLOUD_", "HUAWEICLOUD_SDK_", "CLOUD_SDK_")
BLOCK = re.compile(r"<!-- cli-example:start[^\n]*-->\n```sh\n(.*?)```\n<!-- cli-example:end -->", re.DOTALL)


def readme_commands() -> list[str]:
    match = BLOCK.search((ROOT / "README.md").read_text(encoding="utf-8"))
    assert match, "README.md has no cli-example block"
    return [line.split("  #")[0].strip() for line in match.group(1).splitlines() if line.strip()]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_the_readme_commands_run(tmp_path, start_emulator):
    commands = readme_commands()
    assert commands[0] == ". .venv/bin/activate"
    port = str(free_port())
    state = str(tmp_path / "kms-emu")

    def localise(command: str) -> str:
        return command.replace("8765", port).replace("/tmp/kms-emu", state)

    env = {k: v for k, v in os.environ.items() if not k.startswith(CLEARED)}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    work = tmp_path / "work"
    work.mkdir()
    exported = ""
    outputs: list[tuple[str, subprocess.CompletedProcess[str]]] = []
    for command in commands[1:]:
        if command.startswith("kms-pubkey emulator "):
            start_emulator(f"{Path(sys.executable).parent}/{localise(command)}", env)
            continue
        if command.startswith("export "):
            exported += command + "\n"
            continue
        result = subprocess.run(
            ["/bin/sh", "-ec", exported + localise(command)],
            cwd=work,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert result.returncode == 0, f"{command}\n{result.stderr}"
        outputs.append((command, result))

    keys = httpx.get(f"http://127.0.0.1:{port}/_emulator/keys", timeout=10).json()
    pem = {k["key_spec"]: k["public_key_pem"] for k in keys if k["vendor"] == "aws"}
    p256 = pem["ECC_NIST_P256"]
    der = serialization.load_pem_public_key(p256.encode()).public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    assert (work / "key.pem").read_text() == p256
    assert (work / "key.der").read_bytes() == der
    seen = {command: result for command, result in outputs}
    assert seen["kms-pubkey --version"].stdout.startswith("kms-pubkey ")
    assert seen["python -m kms_pubkey --version"].stdout == seen["kms-pubkey --version"].stdout
    plain = next(r for c, r in outputs if c.endswith("--endpoint http://127.0.0.1:8765"))
    assert plain.stdout == p256
    jwk = next(r for c, r in outputs if "--format jwk" in c)
    assert json.loads(jwk.stdout)["kty"] == "RSA"
    assert re.search(r"^kms-pubkey: DEBUG: aws GetPublicKey: attempt 1: POST \S+ -> 200$", jwk.stderr, re.M)
    assert len((work / "ct.bin").read_bytes()) == 512  # one RSA-4096 OAEP block
    verified = next(r for c, r in outputs if c.startswith("kms-pubkey verify "))
    assert verified.stdout == "kms-pubkey: signature verified\n"
