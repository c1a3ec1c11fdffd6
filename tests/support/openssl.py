"""The OpenSSL command line as an outside oracle: it verifies, encrypts, decrypts and derives
with the options the vendors document (`rsa_padding_mode:pss`, `rsa_pss_saltlen:digest`,
`rsa_oaep_md`/`rsa_mgf1_md`, `digest:`), so no code of ours is between a signature and its check.

Every call runs `openssl` with a bounded timeout in a private temporary folder.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes

OPENSSL = shutil.which("openssl")
TIMEOUT = 30


def _run(args: list[str], files: dict[str, bytes]) -> tuple[int, bytes]:
    assert OPENSSL, "the openssl command line is needed as an outside oracle"
    with tempfile.TemporaryDirectory(prefix="kms-openssl-") as folder:
        for name, data in files.items():
            (Path(folder) / name).write_bytes(data)
        done = subprocess.run([OPENSSL, *args], cwd=folder, capture_output=True, timeout=TIMEOUT, check=False)
        out = Path(folder) / "out"
        return done.returncode, out.read_bytes() if out.exists() else done.stdout


def _pem(der: bytes) -> bytes:
    return serialization.load_der_public_key(der).public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def private_pem(key: PrivateKeyTypes) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def _options(options: list[str], flag: str) -> list[str]:
    return [part for option in options for part in (flag, option)]


def verify_digest(public_der: bytes, digest: bytes, signature: bytes, options: list[str]) -> bool:
    """`openssl pkeyutl -verify` over a digest, e.g. options ["digest:sha256",
    "rsa_padding_mode:pss", "rsa_pss_saltlen:digest"]."""
    code, _ = _run(
        [
            "pkeyutl",
            "-verify",
            "-pubin",
            "-inkey",
            "pub.pem",
            "-in",
            "in",
            "-sigfile",
            "sig",
            *_options(options, "-pkeyopt"),
        ],
        {"pub.pem": _pem(public_der), "in": digest, "sig": signature},
    )
    return code == 0


def verify_message(
    public_der: bytes, message: bytes, signature: bytes, digest: str, options: list[str]
) -> bool:
    """`openssl dgst -<digest> -verify` over a whole message, with `-sigopt` options."""
    code, _ = _run(
        [
            "dgst",
            f"-{digest}",
            "-verify",
            "pub.pem",
            "-signature",
            "sig",
            *_options(options, "-sigopt"),
            "in",
        ],
        {"pub.pem": _pem(public_der), "in": message, "sig": signature},
    )
    return code == 0


def verify_ed25519(public_der: bytes, message: bytes, signature: bytes) -> bool:
    code, _ = _run(
        ["pkeyutl", "-verify", "-pubin", "-inkey", "pub.pem", "-rawin", "-in", "in", "-sigfile", "sig"],
        {"pub.pem": _pem(public_der), "in": message, "sig": signature},
    )
    return code == 0


def _oaep(md: str) -> list[str]:
    return _options(["rsa_padding_mode:oaep", f"rsa_oaep_md:{md}", f"rsa_mgf1_md:{md}"], "-pkeyopt")


def encrypt_oaep(public_der: bytes, plaintext: bytes, md: str) -> bytes:
    code, out = _run(
        ["pkeyutl", "-encrypt", "-pubin", "-inkey", "pub.pem", "-in", "in", "-out", "out", *_oaep(md)],
        {"pub.pem": _pem(public_der), "in": plaintext},
    )
    assert code == 0
    return out


def decrypt_oaep(private: PrivateKeyTypes, ciphertext: bytes, md: str) -> bytes | None:
    code, out = _run(
        ["pkeyutl", "-decrypt", "-inkey", "key.pem", "-in", "in", "-out", "out", *_oaep(md)],
        {"key.pem": private_pem(private), "in": ciphertext},
    )
    return out if code == 0 else None


def derive(private: PrivateKeyTypes, peer_der: bytes) -> bytes:
    """`openssl pkeyutl -derive`: the raw ECDH shared secret Z."""
    code, out = _run(
        ["pkeyutl", "-derive", "-inkey", "key.pem", "-peerkey", "peer.pem", "-out", "out"],
        {"key.pem": private_pem(private), "peer.pem": _pem(peer_der)},
    )
    assert code == 0
    return out
