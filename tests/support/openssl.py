"""The OpenSSL command line as an outside oracle: it verifies, encrypts, decrypts and derives
with the options the vendors document (`rsa_padding_mode:pss`, `rsa_pss_saltlen:digest`,
`rsa_oaep_md`/`rsa_mgf1_md`, `digest:`), so no code of ours is between a signature and its check.

Every call runs `openssl` with a bounded timeout in a private temporary folder. `Key` is the
other side: OpenSSL as the key maker and signer (SM2 keys, which `cryptography` cannot make) and
decrypter of what our offline `PublicKey.encrypt` writes, in a folder the caller gives.
"""

from __future__ import annotations

import base64
import hashlib
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


# --- SM2: keys in DER (`cryptography` cannot read the SM2 curve), GB/T 35276's default ID ---

SM2_DEFAULT_ID = b"1234567812345678"


def pem_of(spki_der: bytes) -> str:
    """An SPKI as PEM, armoured here without parsing it (so SM2 keys pass too)."""
    body = base64.b64encode(spki_der).decode("ascii")
    lines = [body[i : i + 64] for i in range(0, len(body), 64)]
    return "-----BEGIN PUBLIC KEY-----\n" + "\n".join(lines) + "\n-----END PUBLIC KEY-----\n"


def _sm2_id(distinguishing_id: bytes) -> list[str]:
    return ["-pkeyopt", f"distid:{distinguishing_id.decode('ascii')}"]


def verify_sm2(
    public_der: bytes, message: bytes, signature: bytes, distinguishing_id: bytes = SM2_DEFAULT_ID
) -> bool:
    """`openssl pkeyutl -verify -rawin -digest sm3 -pkeyopt distid:ID`: SM2DSA over the message."""
    code, _ = _run(
        [
            "pkeyutl",
            "-verify",
            "-pubin",
            "-keyform",
            "DER",
            "-inkey",
            "pub.der",
            "-rawin",
            "-digest",
            "sm3",
            "-in",
            "in",
            "-sigfile",
            "sig",
            *_sm2_id(distinguishing_id),
        ],
        {"pub.der": public_der, "in": message, "sig": signature},
    )
    return code == 0


def sign_sm2(private_pkcs8_der: bytes, message: bytes, distinguishing_id: bytes = SM2_DEFAULT_ID) -> bytes:
    code, out = _run(
        [
            "pkeyutl",
            "-sign",
            "-keyform",
            "DER",
            "-inkey",
            "key.der",
            "-rawin",
            "-digest",
            "sm3",
            "-in",
            "in",
            "-out",
            "out",
            *_sm2_id(distinguishing_id),
        ],
        {"key.der": private_pkcs8_der, "in": message},
    )
    assert code == 0
    return out


def encrypt_sm2(public_der: bytes, plaintext: bytes) -> bytes:
    """`openssl pkeyutl -encrypt` to an SM2 key: SM3, DER C1C3C2 (OpenSSL 3's only layout)."""
    code, out = _run(
        ["pkeyutl", "-encrypt", "-pubin", "-keyform", "DER", "-inkey", "pub.der", "-in", "in", "-out", "out"],
        {"pub.der": public_der, "in": plaintext},
    )
    assert code == 0
    return out


def decrypt_sm2(private_pkcs8_der: bytes, ciphertext: bytes) -> bytes | None:
    code, out = _run(
        ["pkeyutl", "-decrypt", "-keyform", "DER", "-inkey", "key.der", "-in", "in", "-out", "out"],
        {"key.der": private_pkcs8_der, "in": ciphertext},
    )
    return out if code == 0 else None


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


# --- OpenSSL as the signer: keys it makes, signatures and decryptions it does ---

# The SM2 curve of GB/T 32918.5, written out here so that Z_A is computed without our code.
SM2_A = int("FFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00000000FFFFFFFFFFFFFFFC", 16)
SM2_B = int("28E9FA9E9D9F5E344D5A9E4BCF6509A7F39789F515AB8F92DDBCBD414D940E93", 16)
SM2_GX = int("32C4AE2C1F1981195F9904466A39C9948FE30BBFF2660BE1715A4589334C74C7", 16)
SM2_GY = int("BC3736A2F4F6779C59BDCEE36B692153D0A9877CC62A474002DF32E52139F0A0", 16)


def _cli(*args: str | Path) -> bytes:
    done = subprocess.run(
        [OPENSSL or "openssl", *map(str, args)], capture_output=True, timeout=60, check=False
    )
    if done.returncode != 0:
        raise AssertionError(f"openssl {' '.join(map(str, args))}: {done.stderr.decode(errors='replace')}")
    return done.stdout


class Key:
    """A private key made by `openssl genpkey`, with its public half as SPKI PEM."""

    def __init__(self, folder: Path, name: str, *genpkey: str) -> None:
        self.folder = folder
        self.private = folder / f"{name}.pem"
        self.public = folder / f"{name}.pub.pem"
        _cli("genpkey", *genpkey, "-out", self.private)
        _cli("pkey", "-in", self.private, "-pubout", "-out", self.public)

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
        _cli(
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
        return _cli("dgst", f"-{digest}", "-sign", self.private, *options, source)

    def decrypt(self, ciphertext: bytes, *options: str) -> bytes:
        source = self._file("ct.bin", ciphertext)
        return _cli("pkeyutl", "-decrypt", "-inkey", self.private, "-in", source, *options)


def sm2_public_xy(public_pem: str) -> tuple[int, int]:
    """The SM2 public point, as OpenSSL prints it (`pkey -text`)."""
    text = _cli_input(["pkey", "-pubin", "-noout", "-text"], public_pem.encode()).decode()
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


def _cli_input(args: list[str], data: bytes) -> bytes:
    done = subprocess.run(
        [OPENSSL or "openssl", *args], input=data, capture_output=True, timeout=60, check=False
    )
    if done.returncode != 0:
        raise AssertionError(f"openssl {' '.join(args)}: {done.stderr.decode(errors='replace')}")
    return done.stdout
