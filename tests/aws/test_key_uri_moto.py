"""`fetch(uri)` against moto, a third-party AWS emulator with SigV4 checking on."""

from __future__ import annotations

import asyncio
import threading
import time

import pytest

from kms_pubkey import afetch, fetch

pytestmark = pytest.mark.integration


def _options(moto_kms):
    return {
        "endpoint": moto_kms.endpoint,
        "access_key_id": moto_kms.access_key_id,
        "secret_access_key": moto_kms.secret_access_key,
    }


def test_every_cosign_key_form_fetches_the_key_boto3_got(moto_kms):
    for key in moto_kms.keys.values():
        alias_arn = key.arn.split(":key/")[0] + ":" + key.alias
        for name in (key.key_id, key.arn, key.alias, alias_arn):
            uri = f"awskms:///{name}"
            assert fetch(uri, **_options(moto_kms)).der == key.der, uri


def test_afetch_against_moto(moto_kms):
    key = moto_kms.keys["ECC_NIST_P256"]
    got = asyncio.run(afetch(f"awskms:///{key.alias}", **_options(moto_kms)))
    assert got.der == key.der


def _jwk_x(der: bytes) -> str:
    import base64

    from cryptography.hazmat.primitives import serialization

    numbers = serialization.load_der_public_key(der).public_numbers()
    return base64.urlsafe_b64encode(numbers.x.to_bytes(32, "big")).rstrip(b"=").decode()


def _wait_for(path, predicate, timeout=30.0):
    import json
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if path.exists():
            document = json.loads(path.read_text())  # always whole: the file is replaced atomically
            if predicate(document):
                return document
        time.sleep(0.05)
    raise AssertionError(f"{path} did not reach the expected content in {timeout}s")


def test_jwks_watch_rewrites_the_file_when_an_alias_is_repointed(moto_kms, tmp_path):
    import os
    import subprocess
    import sys

    from tests.support.processes import stop

    kms = moto_kms.boto3_client()
    first, second = (
        kms.create_key(KeyUsage="SIGN_VERIFY", KeySpec="ECC_NIST_P256")["KeyMetadata"]["KeyId"]
        for _ in range(2)
    )
    alias = "alias/kms-pubkey-watch"
    kms.create_alias(AliasName=alias, TargetKeyId=first)
    ders = {key: kms.get_public_key(KeyId=key)["PublicKey"] for key in (first, second)}
    out = tmp_path / "jwks.json"
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(
        AWS_ACCESS_KEY_ID=moto_kms.access_key_id,
        AWS_SECRET_ACCESS_KEY=moto_kms.secret_access_key,
        AWS_REGION=moto_kms.region,
        HOME=str(tmp_path),
    )
    command = [
        sys.executable,
        "-m",
        "kms_pubkey.cli",
        "jwks",
        f"awskms:///{alias}",
        "--watch",
        "0.2",
        "-o",
        str(out),
        "--endpoint",
        moto_kms.endpoint,
    ]
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(iter(process.stderr.readline, "")), daemon=True)
    reader.start()
    try:
        _wait_for(out, lambda doc: doc["keys"][0]["x"] == _jwk_x(ders[first]))
        kms.update_alias(AliasName=alias, TargetKeyId=second)
        document = _wait_for(out, lambda doc: doc["keys"][0]["x"] == _jwk_x(ders[second]))
        assert len(document["keys"]) == 1
        # The message follows the file's replacement: wait for it (bounded), then a few more
        # rounds, in which an unchanged document must not be written again.
        deadline = time.monotonic() + 10
        while sum("kms-pubkey: wrote" in line for line in lines) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(1.0)
        assert process.poll() is None  # still watching
    finally:
        stop(process)
        reader.join(timeout=5)
    stderr = "".join(lines)
    assert stderr.count("kms-pubkey: wrote") == 2, stderr  # written once per change, not per round
