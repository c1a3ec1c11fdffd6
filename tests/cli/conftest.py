"""What the CLI tests share: `start_emulator`, which runs a `kms-pubkey emulator ...` command line
as a user would type it and stops it at the end of the test."""

from __future__ import annotations

import os
import queue
import shlex
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.support.processes import stop

ROOT = Path(__file__).resolve().parents[2]
CLEARED = ("AWS_", "ALIBABA_CLOUD_", "HUAWEICLOUD_SDK_", "CLOUD_SDK_")
START_TIMEOUT = 60.0


def clean_env() -> dict[str, str]:
    """The test's environment without any vendor credential variable."""
    return {k: v for k, v in os.environ.items() if not k.startswith(CLEARED)}


def _start(command: str, env: dict[str, str]) -> subprocess.Popen[str]:
    process = subprocess.Popen(
        shlex.split(command),
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**env, "PYTHONUNBUFFERED": "1"},
    )
    lines: queue.Queue[str] = queue.Queue()
    assert process.stdout is not None
    stream = process.stdout
    threading.Thread(target=lambda: [lines.put(line) for line in stream], daemon=True).start()
    seen = []
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        try:
            line = lines.get(timeout=max(0.1, deadline - time.monotonic()))
        except queue.Empty:
            break
        seen.append(line)
        if line.startswith("Press Ctrl-C"):
            return process
    stop(process)
    raise AssertionError(f"{command!r} did not start:\n" + "".join(seen))


@pytest.fixture
def start_emulator() -> Iterator[Callable[..., subprocess.Popen[str]]]:
    """`start_emulator("kms-pubkey emulator --port N ...", env)`: returns once the banner is printed."""
    started: list[subprocess.Popen[str]] = []

    def start(command: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
        process = _start(command, clean_env() if env is None else env)
        started.append(process)
        return process

    yield start
    for process in started:
        stop(process)
