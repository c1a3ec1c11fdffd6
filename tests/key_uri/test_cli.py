"""`kms-pubkey get URI` and `kms-pubkey jwks URI...` as real subprocesses against the emulator.

Expected keys come from the emulator's key store; expected JWK members from `cryptography`'s
public numbers (RFC 7518 encodings written out here).
"""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys

import pytest
from cryptography.hazmat.primitives import serialization

pytestmark = pytest.mark.integration

CLEARED = ("AWS_", "ALIBABA_CLOUD_", "HUAWEICLOUD_SDK_", "CLOUD_SDK_")


@pytest.fixture(scope="module")
def env(emulator, tmp_path_factory):
    base = {k: v for k, v in os.environ.items() if not k.startswith(CLEARED)}
    base.update(emulator.client_env())
    base["HOME"] = str(tmp_path_factory.mktemp("home"))
    return base


def run(env, *args, timeout=60):
    command = [sys.executable, "-m", "kms_pubkey.cli", *args]
    return subprocess.run(command, env=env, capture_output=True, timeout=timeout, check=False, text=True)


def b64url(value: int, size: int) -> str:
    return base64.urlsafe_b64encode(value.to_bytes(size, "big")).rstrip(b"=").decode()


def expected_jwk(der: bytes) -> dict[str, str]:
    key = serialization.load_der_public_key(der)
    numbers = key.public_numbers()
    if hasattr(numbers, "n"):
        size = (numbers.n.bit_length() + 7) // 8
        return {"kty": "RSA", "n": b64url(numbers.n, size), "e": b64url(numbers.e, 3)}
    size = (key.curve.key_size + 7) // 8
    return {"kty": "EC", "crv": "P-256", "x": b64url(numbers.x, size), "y": b64url(numbers.y, size)}


def test_get_uri_prints_the_pem(emulator, env):
    stored = emulator.key("aws", "ECC_NIST_P256")
    for uri in (f"awskms:///{stored.key_id}", f"awskms:///{stored.aliases[0]}"):
        result = run(env, "get", uri, "--endpoint", emulator.url)
        assert result.returncode == 0, result.stderr
        assert result.stdout == stored.public_key_pem


def test_get_uri_takes_the_common_options(emulator, env, tmp_path):
    stored = emulator.key("huawei", "EC_P256")
    out = tmp_path / "key.der"
    uri = f"huaweikms://cn-north-4/{stored.key_id}"
    result = run(
        env, "get", uri, "--endpoint", emulator.url, "--format", "der", "-o", str(out), "--retries", "0"
    )
    assert result.returncode == 0, result.stderr
    assert out.read_bytes() == stored.public_der


def test_get_a_bad_uri_is_a_clear_error(env):
    result = run(env, "get", "awskms://alias/x")
    assert result.returncode == 1
    assert "write three slashes" in result.stderr
    assert result.stdout == ""


def test_jwks_prints_one_jwk_per_uri(emulator, env):
    ec_key = emulator.key("aws", "ECC_NIST_P256")
    ali = emulator.key("alibaba", "RSA_2048")
    uris = [
        f"awskms:///{ec_key.aliases[0]}",
        f"alikms://cn-hangzhou/{ali.key_id}?version={ali.key_version_id}",
    ]
    result = run(env, "jwks", *uris, "--endpoint", emulator.url)
    assert result.returncode == 0, result.stderr
    keys = json.loads(result.stdout)["keys"]
    assert len(keys) == 2
    for jwk, stored in zip(keys, (ec_key, ali), strict=True):
        expected = expected_jwk(stored.public_der)
        assert {name: jwk[name] for name in expected} == expected


def test_jwks_writes_a_file_and_refuses_to_replace_one(emulator, env, tmp_path):
    stored = emulator.key("aws", "RSA_2048")
    out = tmp_path / "jwks.json"
    args = ("jwks", f"awskms:///{stored.key_id}", "--endpoint", emulator.url, "-o", str(out))
    assert run(env, *args).returncode == 0
    assert json.loads(out.read_text())["keys"][0]["n"] == expected_jwk(stored.public_der)["n"]
    again = run(env, *args)
    assert again.returncode == 1
    assert "pass --force" in again.stderr
    assert run(env, *args, "--force").returncode == 0


def test_jwks_skips_or_refuses_a_key_with_no_jwk_form(emulator, env):
    ml_kem = emulator.key("aws", "ML_KEM_768")
    p256 = emulator.key("aws", "ECC_NIST_P256")
    uris = (f"awskms:///{ml_kem.key_id}", f"awskms:///{p256.key_id}")
    skipped = run(env, "jwks", *uris, "--endpoint", emulator.url)
    assert skipped.returncode == 0, skipped.stderr
    assert [k["kty"] for k in json.loads(skipped.stdout)["keys"]] == ["EC"]
    refused = run(env, "jwks", *uris, "--endpoint", emulator.url, "--on-unsupported", "error")
    assert refused.returncode == 1
    assert "UnsupportedKeyError" in refused.stderr


def test_watch_needs_an_output_file(env):
    result = run(env, "jwks", "awskms:///alias/x", "--watch", "5")
    assert result.returncode == 2
    assert "--watch needs -o FILE" in result.stderr
