"""Fixtures of the dedicated-gateway tests.

`tls_emulator`: the session emulator's app served again over HTTPS with the instance CA's certificate.
`material`: the emulator's ClientKey, password and CA files.
`dkms_python` / `dkms_oracle`: the official `alibabacloud-dkms-gcs` SDK as an oracle. It pins old
`cryptography` and `protobuf` and installs top-level `openapi`, `sdk`, `openapi_util` and
`openapi_credential` packages, so it never enters our environment: it is installed into
`.dkms-venv/` at the repository root (gitignored, reused between runs) and driven through
`dkms_oracle.py` in a subprocess. If it cannot be installed, the tests using it FAIL with the
installer's output.
"""

from __future__ import annotations

import json
import subprocess
import sys
import venv
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.tls import serve_over_tls

ROOT = Path(__file__).resolve().parents[2]
VENV = ROOT / ".dkms-venv"
SDK = "alibabacloud-dkms-gcs==1.0.2"
ORACLE = Path(__file__).with_name("dkms_oracle.py")
INSTALL_TIMEOUT = 900
RUN_TIMEOUT = 180


@pytest.fixture(scope="session")
def tls_emulator(emulator: Any) -> Iterator[tuple[str, Any, list[Any]]]:
    from kms_pubkey_emulator.vendors.alibaba_instance import client_key

    with serve_over_tls(emulator) as url:
        yield url, client_key(emulator.state), [k for k in emulator.keys_for("alibaba") if k.enabled]


@pytest.fixture(scope="module")
def material(emulator: Any) -> Any:
    from kms_pubkey_emulator.vendors.alibaba_instance import client_key

    return client_key(emulator.state)


def _python() -> Path:
    return VENV / ("Scripts/python.exe" if sys.platform == "win32" else "bin/python")


@pytest.fixture(scope="session")
def dkms_python() -> Path:
    marker = VENV / f".installed-{SDK}"
    if marker.exists() and _python().exists():
        return _python()
    try:
        if not _python().exists():
            venv.EnvBuilder(with_pip=True, clear=True).create(VENV)
        result = subprocess.run(
            [str(_python()), "-m", "pip", "install", "--disable-pip-version-check", "--quiet", SDK],
            capture_output=True,
            text=True,
            timeout=INSTALL_TIMEOUT,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        pytest.fail(f"cannot create {VENV} for the official SDK {SDK}: {error!r}", pytrace=False)
    if result.returncode != 0:
        pytest.fail(
            f"the official SDK {SDK} does not install into {VENV} with Python "
            f"{sys.version_info[0]}.{sys.version_info[1]} (pip exit {result.returncode}):\n"
            f"{result.stdout[-3000:]}\n{result.stderr[-3000:]}",
            pytrace=False,
        )
    marker.write_text("ok\n", encoding="utf-8")
    return _python()


@pytest.fixture(scope="session")
def dkms_oracle(dkms_python: Path) -> Callable[[str, dict[str, Any]], Any]:
    """Run `dkms_oracle.py MODE` in the SDK's environment with JSON arguments; return its JSON answer."""

    def run(mode: str, args: dict[str, Any]) -> Any:
        result = subprocess.run(
            [str(dkms_python), str(ORACLE), mode],
            input=json.dumps(args),
            capture_output=True,
            text=True,
            timeout=RUN_TIMEOUT,
            check=False,
            cwd=str(ORACLE.parent),
        )
        assert result.returncode == 0, f"oracle {mode} failed:\n{result.stderr[-4000:]}"
        return json.loads(result.stdout)

    return run
