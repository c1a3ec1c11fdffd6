"""`kms-pubkey get -v` logs each attempt and each retry to stderr and never a secret; `--retries N`
bounds the attempts. Against a tiny 127.0.0.1 server that answers 503 first, then a valid AWS
GetPublicKey result built from a key made with `cryptography` (the AWS client does not check
response signatures)."""

from __future__ import annotations

import base64
import json
import os
import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

CLEARED = ("AWS_", "ALIBABA_CLOUD_", "HUAWEICLOUD_SDK_", "CLOUD_SDK_")
CONSOLE = str(Path(sys.executable).parent / "kms-pubkey")
ACCESS_KEY_ID = "AKIDVERBOSETEST"
SECRET = "verbose-secret-9f8e7d6c5b4a"
TOKEN = "verbose-session-token-0a1b2c3d4e5f"
KEY_ID = "arn:aws:kms:us-east-1:111122223333:key/0f6c2d7e-1111-4222-8333-944455556666"


class FlakyKms(ThreadingHTTPServer):
    """Answers the first `failures` requests with 503, then GetPublicKey for `key`."""

    def __init__(self, failures: int) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.failures = failures
        self.authorizations: list[str] = []
        self.key = ec.generate_private_key(ec.SECP256R1()).public_key()
        self.der = self.key.public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        self.pem = self.key.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        ).decode()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_port}"


class _Handler(BaseHTTPRequestHandler):
    server: FlakyKms

    def do_POST(self) -> None:  # noqa: N802 (the http.server name)
        self.rfile.read(int(self.headers.get("content-length", "0")))
        self.server.authorizations.append(self.headers.get("authorization", ""))
        if len(self.server.authorizations) <= self.server.failures:
            status = 503
            body = {"__type": "KMSInternalException", "message": "try again"}
        else:
            status = 200
            body = {
                "KeyId": KEY_ID,
                "PublicKey": base64.b64encode(self.server.der).decode(),
                "KeySpec": "ECC_NIST_P256",
                "KeyUsage": "SIGN_VERIFY",
                "SigningAlgorithms": ["ECDSA_SHA_256"],
            }
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("content-type", "application/x-amz-json-1.1")
        self.send_header("x-amzn-RequestId", "11111111-2222-3333-4444-555555555555")
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


def _serve(failures: int) -> Iterator[FlakyKms]:
    server = FlakyKms(failures)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@pytest.fixture
def fails_once() -> Iterator[FlakyKms]:
    yield from _serve(1)


@pytest.fixture
def always_fails() -> Iterator[FlakyKms]:
    yield from _serve(1000)


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith(CLEARED)}
    base.update(
        AWS_ACCESS_KEY_ID=ACCESS_KEY_ID,
        AWS_SECRET_ACCESS_KEY=SECRET,
        AWS_SESSION_TOKEN=TOKEN,
        HOME=str(tmp_path),
    )
    return base


def get(server: FlakyKms, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    command = [CONSOLE, "get", "aws", KEY_ID, "--region", "us-east-1", "--endpoint", server.url, *args]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=60, check=False)


def _no_secret(stderr: str, server: FlakyKms) -> None:
    assert server.authorizations
    for authorization in server.authorizations:
        signature = re.search(r"Signature=([0-9a-f]{64})", authorization)
        assert signature, authorization
        assert signature.group(1) not in stderr
        assert authorization not in stderr
    for secret in (SECRET, TOKEN):
        assert secret not in stderr


@pytest.mark.parametrize("flag", ["-v", "--verbose"])
def test_verbose_logs_each_attempt_and_the_retry(fails_once, env, flag):
    result = get(fails_once, env, flag)
    assert result.returncode == 0, result.stderr
    assert result.stdout == fails_once.pem
    origin = re.escape(fails_once.url)
    expected = [
        rf"kms-pubkey: DEBUG: aws GetPublicKey: attempt 1: POST {origin}/ -> 503",
        r"kms-pubkey: INFO: aws GetPublicKey: attempt 1 of 4 failed \(HTTP 503 KMSInternalException\); "
        r"retrying in \d+\.\d\d s",
        rf"kms-pubkey: DEBUG: aws GetPublicKey: attempt 2: POST {origin}/ -> 200",
    ]
    lines = result.stderr.splitlines()
    assert len(lines) == len(expected), result.stderr
    for line, pattern in zip(lines, expected, strict=True):
        assert re.fullmatch(pattern, line), line
    assert len(fails_once.authorizations) == 2
    _no_secret(result.stderr, fails_once)


def test_without_verbose_stderr_is_empty(fails_once, env):
    result = get(fails_once, env)
    assert (result.returncode, result.stdout, result.stderr) == (0, fails_once.pem, "")


@pytest.mark.parametrize(("retries", "attempts"), [("0", 1), ("2", 3)])
def test_retries_bounds_the_attempts(always_fails, env, retries, attempts):
    result = get(always_fails, env, "--retries", retries, "-v")
    assert (result.returncode, result.stdout) == (1, "")
    assert len(always_fails.authorizations) == attempts
    lines = result.stderr.splitlines()
    assert sum("retrying in" in line for line in lines) == attempts - 1
    assert lines[-1] == (
        "kms-pubkey: error: aws 503 KMSInternalException: try again "
        "(request id 11111111-2222-3333-4444-555555555555)"
    )
    _no_secret(result.stderr, always_fails)
