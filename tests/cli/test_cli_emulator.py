"""`kms-pubkey emulator` as a real subprocess: banner, boto3 against it, Ctrl-C, restart with a state dir."""

from __future__ import annotations

import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import boto3
import httpx
import pytest
from botocore.config import Config

pytestmark = pytest.mark.integration

START_TIMEOUT = 60.0


class Running:
    def __init__(self, *args: str) -> None:
        command = [sys.executable, "-m", "kms_pubkey.cli", "emulator", "--port", "0", "--quiet", *args]
        self.process = subprocess.Popen(
            command,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        self.lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._pump, daemon=True).start()
        self.banner: list[str] = []
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=max(0.1, deadline - time.monotonic()))
            except queue.Empty:
                break
            self.banner.append(line)
            if line.startswith("Press Ctrl-C"):
                break
        match = re.search(r"listening on (http://127\.0\.0\.1:\d+)", "".join(self.banner))
        if not match:
            self.process.kill()
            raise AssertionError(
                f"no banner: {self.banner} {self.process.stderr.read() if self.process.stderr else ''}"
            )
        self.url = match.group(1)

    def _pump(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.put(line)

    def interrupt(self) -> int:
        self.process.send_signal(signal.SIGINT)
        try:
            return self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            raise


def key_ids(url: str) -> dict[tuple[str, str], str]:
    listed = httpx.get(url + "/_emulator/keys", timeout=10).json()
    return {(k["vendor"], k["key_spec"]): k["key_id"] for k in listed}


def test_emulator_command_serves_prints_credentials_and_stops_on_ctrl_c(tmp_path: Path):
    running = Running("--state-dir", str(tmp_path), "--secret-access-key", "custom-secret")
    try:
        banner = "".join(running.banner)
        assert "emulator-access-key" in banner
        assert "custom-secret" in banner
        assert "0123456789abcdef0123456789abcdef" in banner
        assert "emulator-token" in banner
        first = key_ids(running.url)
        client = boto3.client(
            "kms",
            endpoint_url=running.url,
            region_name="us-east-1",
            aws_access_key_id="emulator-access-key",
            aws_secret_access_key="custom-secret",
            config=Config(retries={"max_attempts": 1}),
        )
        answer = client.get_public_key(KeyId="alias/emulator-ecc-nist-p256")
        assert answer["KeyId"].endswith(first[("aws", "ECC_NIST_P256")])
    finally:
        code = running.interrupt()
    assert code == 0
    assert "Traceback" not in (running.process.stderr.read() if running.process.stderr else "")

    again = Running("--state-dir", str(tmp_path))
    try:
        assert key_ids(again.url) == first
    finally:
        assert again.interrupt() == 0


def test_emulator_command_port_in_use_is_one_clean_line():
    running = Running()
    try:
        port = running.url.rsplit(":", 1)[1]
        result = subprocess.run(
            [sys.executable, "-m", "kms_pubkey.cli", "emulator", "--port", port],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    finally:
        running.interrupt()
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert [line for line in result.stderr.splitlines() if line.startswith("kms-pubkey: error:")]
