"""`kms-pubkey get aws` as a real subprocess against the emulator, in every output format.

Expected values come from the emulator's key list over HTTP and from `cryptography`.
"""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
import uuid

import httpx
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

from kms_pubkey import PublicKey

pytestmark = pytest.mark.integration

REGION = "us-east-1"
ACCOUNT = "111122223333"
CLEARED = ("AWS_", "ALIBABA_CLOUD_", "HUAWEICLOUD_SDK_", "CLOUD_SDK_")


@pytest.fixture(scope="module")
def env(emulator, tmp_path_factory) -> dict[str, str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith(CLEARED)}
    base.update(emulator.client_env())
    base["HOME"] = str(tmp_path_factory.mktemp("home"))
    return base


def cli(emulator, env, *args: str) -> subprocess.CompletedProcess[bytes]:
    command = [sys.executable, "-m", "kms_pubkey.cli", "get", "aws", *args, "--endpoint", emulator.url]
    return subprocess.run(command, env=env, capture_output=True, timeout=60, check=False)


def listed(emulator, spec: str) -> dict:
    keys = httpx.get(emulator.url + "/_emulator/keys", timeout=10).json()
    return next(k for k in keys if k["vendor"] == "aws" and k["key_spec"] == spec)


def b64url_int(value: int, size: int | None = None) -> str:
    size = size or (value.bit_length() + 7) // 8
    return base64.urlsafe_b64encode(value.to_bytes(size, "big")).rstrip(b"=").decode()


SPECS = ["ECC_NIST_P256", "RSA_2048", "ECC_NIST_EDWARDS25519", "ML_DSA_65"]


@pytest.mark.parametrize("spec", SPECS)
def test_pem(emulator, env, spec):
    key = listed(emulator, spec)
    result = cli(emulator, env, key["key_id"])
    assert result.returncode == 0, result.stderr
    assert result.stdout.decode() == key["public_key_pem"]
    assert result.stderr == b""


@pytest.mark.parametrize("spec", SPECS)
def test_der(emulator, env, spec):
    key = listed(emulator, spec)
    result = cli(emulator, env, key["key_id"], "--format", "der")
    assert result.returncode == 0, result.stderr
    expected = serialization.load_pem_public_key(key["public_key_pem"].encode()).public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    assert result.stdout == expected


@pytest.mark.parametrize("spec", ["ECC_NIST_P256", "RSA_2048", "ECC_NIST_EDWARDS25519"])
def test_jwk(emulator, env, spec):
    key = listed(emulator, spec)
    result = cli(emulator, env, "alias/emulator-" + spec.lower().replace("_", "-"), "--format", "jwk")
    assert result.returncode == 0, result.stderr
    jwk = json.loads(result.stdout)
    public = serialization.load_pem_public_key(key["public_key_pem"].encode())
    if isinstance(public, ec.EllipticCurvePublicKey):
        numbers = public.public_numbers()
        assert (jwk["kty"], jwk["crv"]) == ("EC", "P-256")
        assert jwk["x"] == b64url_int(numbers.x, 32)
        assert jwk["y"] == b64url_int(numbers.y, 32)
    elif isinstance(public, rsa.RSAPublicKey):
        numbers = public.public_numbers()
        assert jwk["kty"] == "RSA"
        assert jwk["n"] == b64url_int(numbers.n)
        assert jwk["e"] == b64url_int(numbers.e)
    else:
        assert isinstance(public, ed25519.Ed25519PublicKey)
        raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        assert (jwk["kty"], jwk["crv"]) == ("OKP", "Ed25519")
        assert jwk["x"] == base64.urlsafe_b64encode(raw).rstrip(b"=").decode()
    # The kid is the RFC 7638 thumbprint (joserfc's), never the ARN with its account and region.
    from joserfc.jwk import import_key

    assert jwk["kid"] == import_key(jwk).thumbprint()
    assert ACCOUNT not in json.dumps(jwk)
    assert jwk["use"] == "sig"


@pytest.mark.parametrize(
    ("spec", "field", "algorithms"),
    [
        ("ECC_NIST_P256", "signing_algorithms", ["ECDSA_SHA_256"]),
        ("RSA_4096", "encryption_algorithms", ["RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256"]),
        ("ECC_NIST_P521", "key_agreement_algorithms", ["ECDH"]),
        ("ML_KEM_768", "encapsulation_algorithms", ["ML_KEM"]),
    ],
)
def test_json_prints_every_field(emulator, env, spec, field, algorithms):
    key = listed(emulator, spec)
    arn = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/{key['key_id']}"
    result = cli(emulator, env, arn, "--format", "json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    fields = set(PublicKey.__slots__)
    assert fields <= set(data), fields - set(data)
    assert data["pem"] == key["public_key_pem"]
    assert base64.b64decode(data["der"]) == serialization.load_pem_public_key(
        key["public_key_pem"].encode()
    ).public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    assert data["vendor"] == "aws"
    assert data["key_id"] == arn
    assert data["key_spec"] == spec
    assert data["key_usage"] == key["key_usage"]
    assert data[field] == algorithms
    assert uuid.UUID(data["request_id"])


@pytest.mark.parametrize(
    "reference",
    [str(uuid.uuid4()), "alias/does-not-exist", f"arn:aws:kms:{REGION}:{ACCOUNT}:key/{uuid.uuid4()}"],
)
def test_unknown_key_is_one_clean_line(emulator, env, reference):
    result = cli(emulator, env, reference)
    assert result.returncode == 1
    assert result.stdout == b""
    err = result.stderr.decode()
    assert "Traceback" not in err
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("kms-pubkey: error: ")
    assert "NotFoundException" in lines[0]


def test_wrong_secret_is_one_clean_line(emulator, env):
    bad = {**env, "AWS_SECRET_ACCESS_KEY": "wrong"}
    result = cli(emulator, bad, "alias/emulator-rsa-2048")
    assert result.returncode == 1
    err = result.stderr.decode()
    assert "Traceback" not in err
    assert "InvalidSignatureException" in err
    # AWS's message quotes the canonical request over several lines; the CLI must still print one.
    assert len(err.splitlines()) == 1, err


def test_disabled_key_is_one_clean_line(emulator, env):
    key = listed(emulator, "ML_DSA_87")
    emulator.set_enabled(key["key_id"], False)
    try:
        result = cli(emulator, env, key["key_id"])
    finally:
        emulator.set_enabled(key["key_id"], True)
    assert result.returncode == 1
    assert result.stderr.decode().count("\n") == 1
    assert "DisabledException" in result.stderr.decode()
