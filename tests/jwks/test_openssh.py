"""OpenSSH's own ssh-keygen reads what `to_ssh()` writes, for keys fetched from the emulator.

`ssh-keygen -l` must print our `fingerprint("ssh-sha256")` and the key size, and
`ssh-keygen -e -m PKCS8` must give back the key's SubjectPublicKeyInfo (read by cryptography,
not by us). OpenSSH cannot export Ed25519 as PKCS8 (9.x says "unsupported key type"), so for
Ed25519 only the fingerprint and size are checked.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization

from kms_pubkey import PublicKey
from kms_pubkey_aws import AwsKmsClient
from kms_pubkey_huawei import HuaweiKmsClient

pytestmark = pytest.mark.integration

SSH_KEYGEN = shutil.which("ssh-keygen")
needs_ssh_keygen = pytest.mark.skipif(
    SSH_KEYGEN is None, reason="ssh-keygen is not installed (apt-get install openssh-client)"
)
# (vendor, key spec) -> (bits ssh-keygen reports, the type it names)
SPECS = {
    ("aws", "RSA_2048"): (2048, "RSA"),
    ("aws", "RSA_4096"): (4096, "RSA"),
    ("aws", "ECC_NIST_P256"): (256, "ECDSA"),
    ("aws", "ECC_NIST_P384"): (384, "ECDSA"),
    ("aws", "ECC_NIST_P521"): (521, "ECDSA"),
    ("aws", "ECC_NIST_EDWARDS25519"): (256, "ED25519"),
    ("huawei", "RSA_3072"): (3072, "RSA"),
    ("huawei", "EC_P384"): (384, "ECDSA"),
    ("huawei", "ED25519"): (256, "ED25519"),
}


def fetch(emulator: Any, vendor: str, spec: str) -> PublicKey:
    c = emulator.config
    stored = emulator.key(vendor, spec)
    if vendor == "aws":
        with AwsKmsClient(
            "us-east-1",
            endpoint=emulator.url,
            access_key_id=c.access_key_id,
            secret_access_key=c.secret_access_key,
        ) as aws:
            return aws.get_public_key(stored.key_id)
    with HuaweiKmsClient(
        "cn-north-4",
        project_id=c.huawei_project_id,
        endpoint=emulator.url,
        access_key=c.access_key_id,
        secret_key=c.secret_access_key,
    ) as huawei:
        return huawei.get_public_key(stored.key_id)


def ssh_keygen(*args: str) -> subprocess.CompletedProcess[str]:
    assert SSH_KEYGEN is not None
    return subprocess.run([SSH_KEYGEN, *args], capture_output=True, text=True, timeout=30, check=False)


@needs_ssh_keygen
@pytest.mark.parametrize(("vendor", "spec"), sorted(SPECS))
def test_ssh_keygen_reads_our_key(emulator: Any, tmp_path: Path, vendor: str, spec: str) -> None:
    key = fetch(emulator, vendor, spec)
    path = tmp_path / "key.pub"
    path.write_text(key.to_ssh(comment="kms-key") + "\n", encoding="ascii")

    listed = ssh_keygen("-l", "-E", "sha256", "-f", str(path))
    assert listed.returncode == 0, listed.stderr
    bits, fingerprint, comment, kind = listed.stdout.split()
    assert fingerprint == key.fingerprint("ssh-sha256")
    assert int(bits) == SPECS[(vendor, spec)][0]
    assert kind == f"({SPECS[(vendor, spec)][1]})"
    assert comment == "kms-key"

    exported = ssh_keygen("-e", "-m", "PKCS8", "-f", str(path))
    if SPECS[(vendor, spec)][1] == "ED25519" and exported.returncode != 0:
        assert "unsupported key type" in exported.stderr
        return
    assert exported.returncode == 0, exported.stderr
    spki = serialization.load_pem_public_key(exported.stdout.encode()).public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    assert spki == key.der
