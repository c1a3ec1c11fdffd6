"""moto as a real AWS KMS peer on 127.0.0.1, with SigV4 checking switched on.

The server starts with INITIAL_NO_AUTH_ACTION_COUNT=0, so every request is authenticated
against moto's IAM. Auth is switched off ("inf") only while the IAM user, its access key and
policy and the KMS keys are created, then switched back on ("0") before any test runs.
If moto cannot start, every test that uses it fails: it never skips.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import boto3
import httpx
import pytest

from tests.support.processes import stop

REGION = "us-east-1"
KEY_SPECS = ("RSA_2048", "ECC_NIST_P256", "ECC_SECG_P256K1")
START_TIMEOUT = 60.0
ALLOW_ALL = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}'


@dataclass
class MotoKey:
    spec: str
    key_id: str
    arn: str
    alias: str
    der: bytes


@dataclass
class MotoKms:
    endpoint: str
    region: str
    access_key_id: str
    secret_access_key: str = field(repr=False)
    keys: dict[str, MotoKey]

    def boto3_client(self, secret: str | None = None):  # type: ignore[no-untyped-def]
        return boto3.client(
            "kms",
            region_name=self.region,
            endpoint_url=self.endpoint,
            aws_access_key_id=self.access_key_id,
            aws_secret_access_key=self.secret_access_key if secret is None else secret,
        )


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_ready(proc: subprocess.Popen[bytes], url: str, log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            tail = log.read_text(errors="replace")[-3000:]
            pytest.fail(f"moto server exited with {proc.returncode}:\n{tail}")
        try:
            httpx.get(f"{url}/moto-api/data.json", timeout=2.0)
            return
        except httpx.TransportError:
            time.sleep(0.2)
    pytest.fail(f"moto server not ready after {START_TIMEOUT}s:\n{log.read_text(errors='replace')[-3000:]}")


def _set_auth(url: str, count: str) -> None:
    response = httpx.post(f"{url}/moto-api/reset-auth", content=count.encode(), timeout=10.0)
    assert response.status_code == 200, response.text


@pytest.fixture(scope="session")
def moto_kms(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MotoKms]:
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    log = tmp_path_factory.mktemp("moto") / "server.log"
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env["INITIAL_NO_AUTH_ACTION_COUNT"] = "0"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
            stdout=out, stderr=subprocess.STDOUT, env=env,
        )
    try:
        _wait_ready(proc, url, log)
        _set_auth(url, "inf")
        admin = {"region_name": REGION, "endpoint_url": url,
                 "aws_access_key_id": "AKIDSETUP", "aws_secret_access_key": "setup"}
        iam = boto3.client("iam", **admin)
        iam.create_user(UserName="kms-pubkey-tests")
        policy = iam.create_policy(PolicyName="allow-all", PolicyDocument=ALLOW_ALL)
        iam.attach_user_policy(UserName="kms-pubkey-tests", PolicyArn=policy["Policy"]["Arn"])
        access = iam.create_access_key(UserName="kms-pubkey-tests")["AccessKey"]
        kms = boto3.client("kms", **admin)
        keys: dict[str, MotoKey] = {}
        for spec in KEY_SPECS:
            meta = kms.create_key(KeyUsage="SIGN_VERIFY", KeySpec=spec)["KeyMetadata"]
            alias = f"alias/kms-pubkey-{spec.lower().replace('_', '-')}"
            kms.create_alias(AliasName=alias, TargetKeyId=meta["KeyId"])
            keys[spec] = MotoKey(spec, meta["KeyId"], meta["Arn"], alias, b"")
        _set_auth(url, "0")
        server = MotoKms(url, REGION, access["AccessKeyId"], access["SecretAccessKey"], keys)
        # The expected DER comes from boto3 with the IAM user's key: signature checking is on.
        user_kms = server.boto3_client()
        for key in keys.values():
            key.der = user_kms.get_public_key(KeyId=key.key_id)["PublicKey"]
        yield server
    finally:
        stop(proc)
