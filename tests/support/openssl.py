"""The OpenSSL command line as an independent signer and decrypter (ground truth for offline use).

Every call runs `openssl` with files in a temporary folder and a timeout; a failure raises
with OpenSSL's own message. Nothing here uses kms_pubkey.
"""

from __future__ import annotations

import hashlib
import subprocess
from pathlib import Path

# The SM2 curve of GB/T 32918.5, written out here so that Z_A is computed without our code.
SM2_A = int("FFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00000000FFFFFFFFFFFFFFFC", 16)
SM2_B = int("28E9FA9E9D9F5E344D5A9E4BCF6509A7F39789F515AB8F92DDBCBD414D940E93", 16)
SM2_GX = int("32C4AE2C1F1981195F9904466A39C9948FE30BBFF2660BE1715A4589334C74C7", 16)
SM2_GY = int("BC3736A2F4F6779C59BDCEE36B692153D0A9877CC62A474002DF32E52139F0A0", 16)


def run(*args: str | Path) -> bytes:
    done = subprocess.run(["openssl", *map(str, args)], capture_output=True, timeout=60, check=False)
    if done.returncode != 0:
        raise AssertionError(f"openssl {' '.join(map(str, args))}: {done.stderr.decode(errors='replace')}")
    return done.stdout


class Key:
    """A private key made by `openssl genpkey`, with its public half as SPKI PEM."""

    def __init__(self, folder: Path, name: str, *genpkey: str) -> None:
        self.folder = folder
        self.private = folder / f"{name}.pem"
        self.public = folder / f"{name}.pub.pem"
        run("genpkey", *genpkey, "-out", self.private)
        run("pkey", "-in", self.private, "-pubout", "-out", self.public)

    @property
    def public_pem(self) -> str:
        return self.public.read_text()

    def _file(self, name: str, data: bytes) -> Path:
        path = self.folder / name
        path.write_bytes(data)
        return path

    def sign(self, data: bytes, *options: str, rawin: bool = False) -> bytes:
        """`pkeyutl -sign`: `data` is a digest unless `rawin` (the message, hashed by OpenSSL)."""
        source = self._file("in.bin", data)
        out = self.folder / "sig.bin"
        run(
            "pkeyutl",
            "-sign",
            "-inkey",
            self.private,
            "-in",
            source,
            "-out",
            out,
            *(("-rawin",) if rawin else ()),
            *options,
        )
        return out.read_bytes()

    def dgst_sign(self, message: bytes, digest: str, *sigopts: str) -> bytes:
        """`dgst -sign`: hash `message` with `digest` and sign it (`-sigopt` for each option)."""
        source = self._file("msg.bin", message)
        options = [item for opt in sigopts for item in ("-sigopt", opt)]
        return run("dgst", f"-{digest}", "-sign", self.private, *options, source)

    def decrypt(self, ciphertext: bytes, *options: str) -> bytes:
        source = self._file("ct.bin", ciphertext)
        return run("pkeyutl", "-decrypt", "-inkey", self.private, "-in", source, *options)


def sm2_public_xy(public_pem: str) -> tuple[int, int]:
    """The SM2 public point, as OpenSSL prints it (`pkey -text`)."""
    text = run_input(["pkey", "-pubin", "-noout", "-text"], public_pem.encode()).decode()
    hexes = "".join(line.strip() for line in text.split("pub:")[1].split("ASN1")[0].splitlines()).replace(
        ":", ""
    )
    point = bytes.fromhex(hexes)
    assert point[0] == 4 and len(point) == 65
    return int.from_bytes(point[1:33], "big"), int.from_bytes(point[33:], "big")


def sm2_e(public_pem: str, message: bytes, distinguishing_id: bytes = b"1234567812345678") -> bytes:
    """e = SM3(Z_A || M) per GB/T 32918.2, from hashlib and the published curve constants."""
    x, y = sm2_public_xy(public_pem)
    fields = b"".join(v.to_bytes(32, "big") for v in (SM2_A, SM2_B, SM2_GX, SM2_GY, x, y))
    z_a = hashlib.new(
        "sm3", (8 * len(distinguishing_id)).to_bytes(2, "big") + distinguishing_id + fields
    ).digest()
    return hashlib.new("sm3", z_a + message).digest()


def run_input(args: list[str], data: bytes) -> bytes:
    done = subprocess.run(["openssl", *args], input=data, capture_output=True, timeout=60, check=False)
    if done.returncode != 0:
        raise AssertionError(f"openssl {' '.join(args)}: {done.stderr.decode(errors='replace')}")
    return done.stdout
