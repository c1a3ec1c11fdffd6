"""`kms-pubkey get aws ... --format ssh|jwks|fingerprint` as a real subprocess against the emulator.

Expected values are made from the emulator's key listing with cryptography (the OpenSSH line),
hashlib (fingerprints) and joserfc (the RFC 7638 thumbprint), never with our own code.
"""

from __future__ import annotations

import base64
import hashlib
import json

import pytest
from cryptography.hazmat.primitives import serialization
from joserfc.jwk import KeySet

from tests.cli.test_cli_get import cli, env, listed  # noqa: F401  (env is a fixture)

pytestmark = pytest.mark.integration


def alias(spec: str) -> str:
    return "alias/emulator-" + spec.lower().replace("_", "-")


def native(emulator, spec: str):  # type: ignore[no-untyped-def]
    return serialization.load_pem_public_key(listed(emulator, spec)["public_key_pem"].encode())


@pytest.mark.parametrize("spec", ["RSA_2048", "ECC_NIST_P384", "ECC_NIST_EDWARDS25519"])
def test_ssh(emulator, env, spec):  # noqa: F811
    result = cli(emulator, env, alias(spec), "--format", "ssh")
    assert result.returncode == 0, result.stderr
    expected = native(emulator, spec).public_bytes(
        serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH
    )
    assert result.stdout == expected + b"\n"


@pytest.mark.parametrize("spec", ["ECC_NIST_P256", "ECC_SECG_P256K1"])
def test_jwks(emulator, env, spec):  # noqa: F811
    result = cli(emulator, env, alias(spec), "--format", "jwks")
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    (jwk,) = KeySet.import_key_set(document).keys
    assert jwk.thumbprint() == document["keys"][0]["kid"]
    assert document["keys"][0]["use"] == "sig"
    assert document["keys"][0]["alg"] == {"ECC_NIST_P256": "ES256", "ECC_SECG_P256K1": "ES256K"}[spec]


@pytest.mark.parametrize("spec", ["ECC_NIST_P256", "ECC_SECG_P256K1", "ML_KEM_768"])
def test_fingerprint(emulator, env, spec):  # noqa: F811
    result = cli(emulator, env, alias(spec), "--format", "fingerprint")
    assert result.returncode == 0, result.stderr
    lines = dict(line.split(" ", 1) for line in result.stdout.decode().splitlines())
    public = native(emulator, spec)
    der = public.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    expected = {"sha256-spki": hashlib.sha256(der).hexdigest()}
    if spec == "ECC_NIST_P256":  # OpenSSH and JOSE have forms for it; secp256k1 is JOSE only; ML-KEM neither
        blob = base64.b64decode(
            public.public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH).split()[1]
        )
        expected["ssh-sha256"] = "SHA256:" + base64.b64encode(hashlib.sha256(blob).digest()).decode().rstrip(
            "="
        )
    if spec != "ML_KEM_768":
        jwk = json.loads(cli(emulator, env, alias(spec), "--format", "jwk").stdout)
        (imported,) = KeySet.import_key_set({"keys": [jwk]}).keys
        expected["jwk-thumbprint"] = imported.thumbprint()
    assert lines == expected


@pytest.mark.parametrize(
    ("spec", "fmt", "message"),
    [
        ("ECC_SECG_P256K1", "ssh", "OpenSSH has no key type for a ECC_SECG_P256K1 key"),
        ("ML_KEM_768", "jwks", "JOSE has no registered form for a ML_KEM_768 key"),
        ("ML_KEM_768", "jwk", "JOSE has no registered form for a ML_KEM_768 key"),
    ],
)
def test_a_key_without_that_form_is_a_clear_error(emulator, env, spec, fmt, message):  # noqa: F811
    result = cli(emulator, env, alias(spec), "--format", fmt)
    assert result.returncode == 1
    assert result.stdout == b""
    assert result.stderr.decode() == f"kms-pubkey: error: UnsupportedKeyError: {message}\n"
