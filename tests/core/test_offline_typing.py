"""A user's offline code type-checks under `mypy --strict` as written: no casts, no ignores.

`to_cryptography()` returns a union of thirteen key types, so verifying through it needs an
isinstance per type; `PublicKey.verify` and `encrypt` are typed for one-line use. mypy runs in
a subprocess on a temporary file; the wrong snippet shows the check can fail.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

GOOD = """
from cryptography.hazmat.primitives.asymmetric import ec

import kms_pubkey
from kms_pubkey_aws import AwsKmsClient


def fetched_and_checked(client: AwsKmsClient, signature: bytes, message: bytes) -> bytes:
    key = client.get_public_key("alias/release-signing")
    key.verify(signature, message, algorithm="ECDSA_SHA_256")
    ok: bool = key.is_valid_signature(signature, message, algorithm="ECDSA_SHA_256", signature_format="raw")
    assert ok
    return key.encrypt(b"a data key", algorithm="RSAES_OAEP_SHA_256")


def loaded(pem: str, mine: ec.EllipticCurvePrivateKey) -> tuple[bytes, bytes]:
    key = kms_pubkey.load_public_key(pem, vendor="huawei")
    try:
        key.verify(b"sig", b"digest", algorithm="SM2DSA_SM3", message_type="DIGEST", distinguishing_id=b"me")
    except kms_pubkey.InvalidSignatureError:
        pass
    z: bytes = key.derive_shared_secret(mine)
    secret, ciphertext = key.encapsulate()
    return z + secret, ciphertext
"""

# Each line is a mistake a user could make; mypy must name every one of them.
WRONG = """
import kms_pubkey

key = kms_pubkey.load_public_key("pem")
key.verify("signature", b"message", algorithm="ECDSA_SHA_256")
key.verify(b"signature", b"message", algorithm="ECDSA_SHA_256", signature_format="jws")
key.verify(b"signature", b"message")
valid: str = key.is_valid_signature(b"s", b"m", algorithm="ED25519_SHA_512")
ciphertext: str = key.encrypt(b"x", algorithm="RSAES_OAEP_SHA_256")
"""


def mypy(tmp_path: Path, source: str) -> subprocess.CompletedProcess[str]:
    snippet = tmp_path / "user_code.py"
    snippet.write_text(source)
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--strict",
            "--no-incremental",
            "--cache-dir",
            str(tmp_path / "cache"),
            str(snippet),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=tmp_path,
        check=False,
    )


def test_user_code_that_fetches_verifies_and_encrypts_passes_mypy_strict(tmp_path: Path) -> None:
    done = mypy(tmp_path, GOOD)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Success" in done.stdout


def test_type_errors_in_such_code_are_caught(tmp_path: Path) -> None:
    done = mypy(tmp_path, WRONG)
    assert done.returncode == 1, done.stdout + done.stderr
    errors = [line for line in done.stdout.splitlines() if ": error:" in line]
    assert sorted({int(line.split(":")[1]) for line in errors}) == [5, 6, 7, 8, 9], done.stdout
