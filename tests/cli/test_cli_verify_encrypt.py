"""`kms-pubkey verify` and `kms-pubkey encrypt` as real subprocesses.

Signatures come from the OpenSSL command line and OpenSSL decrypts what `encrypt` writes;
the fetch path runs against the emulator with the same vendor options as `get`.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support import openssl

CLEARED = ("AWS_", "ALIBABA_CLOUD_", "HUAWEICLOUD_SDK_", "CLOUD_SDK_")
MESSAGE = b"release 1.2.3\n"


def cli(*args: str | Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[bytes]:
    command = [sys.executable, "-m", "kms_pubkey.cli", *map(str, args)]
    base = {k: v for k, v in os.environ.items() if not k.startswith(CLEARED)}
    return subprocess.run(command, env={**base, **(env or {})}, capture_output=True, timeout=120, check=False)


@pytest.fixture(scope="module")
def work(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("cli-offline")
    (folder / "message.txt").write_bytes(MESSAGE)
    return folder


@pytest.fixture(scope="module")
def ec_key(work: Path) -> openssl.Key:
    return openssl.Key(work, "p256", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:prime256v1")


@pytest.fixture(scope="module")
def rsa_key(work: Path) -> openssl.Key:
    return openssl.Key(work, "rsa", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048")


def test_verify_a_valid_signature_exits_0_and_a_flipped_one_exits_1(work: Path, ec_key: openssl.Key) -> None:
    signature = work / "sig.der"
    signature.write_bytes(ec_key.dgst_sign(MESSAGE, "sha256"))
    common = ("--key-file", ec_key.public, "--algorithm", "ECDSA_SHA_256", "--signature", signature)
    done = cli("verify", "aws", *common, "--message", work / "message.txt")
    assert done.returncode == 0, done.stderr
    assert done.stdout == b"kms-pubkey: signature verified\n"
    flipped = work / "flipped.der"
    data = bytearray(signature.read_bytes())
    data[-1] ^= 1
    flipped.write_bytes(bytes(data))
    done = cli("verify", "aws", *common[:-1], flipped, "--message", work / "message.txt")
    assert done.returncode == 1
    assert b"InvalidSignatureError" in done.stderr


def test_verify_a_digest_given_in_hex_and_a_raw_signature(work: Path, ec_key: openssl.Key) -> None:
    from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

    r, s = decode_dss_signature(ec_key.dgst_sign(MESSAGE, "sha256"))
    raw = work / "sig.raw"
    raw.write_bytes(r.to_bytes(32, "big") + s.to_bytes(32, "big"))
    digest = hashlib.sha256(MESSAGE).hexdigest()
    done = cli(
        "verify", "huawei", "--key-file", ec_key.public, "--algorithm", "ECDSA_SHA_256",
        "--digest", digest, "--signature", raw, "--signature-format", "raw",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr


def test_verify_sm2_with_a_distinguishing_id(work: Path) -> None:
    sm2 = openssl.Key(work, "sm2", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:SM2")
    signature = work / "sm2.sig"
    signature.write_bytes(sm2.sign(MESSAGE, "-digest", "sm3", "-pkeyopt", "distid:ops@example", rawin=True))
    common = ("verify", "alibaba-instance", "--key-file", sm2.public, "--algorithm", "SM2DSA")
    args = (*common, "--message", work / "message.txt", "--signature", signature)
    assert cli(*args, "--distinguishing-id", "ops@example").returncode == 0
    done = cli(*args)  # the default ID is not the signer's
    assert done.returncode == 1 and b"InvalidSignatureError" in done.stderr


def test_verify_refusals_are_one_line_errors(work: Path, ec_key: openssl.Key) -> None:
    signature = work / "sig.der"
    signature.write_bytes(ec_key.dgst_sign(MESSAGE, "sha256"))
    base = ("verify", "aws", "--key-file", ec_key.public, "--signature", signature)
    done = cli(*base, "--algorithm", "RSASSA_PSS_SHA_256", "--message", work / "message.txt")
    assert done.returncode == 1
    assert (
        done.stderr
        == b"kms-pubkey: error: ValidationError: RSASSA_PSS_SHA_256 does not fit a ECC_NIST_P256 key\n"
    )
    done = cli(*base, "--algorithm", "ECDSA_SHA_256", "--digest", "zz")
    assert done.returncode == 2 and b"not hexadecimal" in done.stderr
    done = cli(*base, "--algorithm", "ECDSA_SHA_256", "--digest", "00", "--message-type", "RAW")
    assert done.returncode == 2 and b"--message-type RAW needs --message" in done.stderr
    done = cli(*base, "--algorithm", "ECDSA_SHA_256")
    assert done.returncode == 2 and b"--message" in done.stderr
    done = cli("verify", "aws", "--signature", signature, "--algorithm", "ECDSA_SHA_256", "--digest", "00")
    assert done.returncode == 2 and b"give KEY_ID" in done.stderr
    done = cli(*base, "--algorithm", "ECDSA_SHA_256", "--message", work / "absent.txt")
    assert done.returncode == 1 and b"cannot read the message" in done.stderr


def test_key_file_needs_no_vendor_fetch_options_but_fetching_does(work: Path, ec_key: openssl.Key) -> None:
    """Alibaba's `get` requires --key-version-id; with --key-file nothing is fetched, nor asked for."""
    digest = hashlib.sha256(MESSAGE).hexdigest()
    signature = work / "sig.der"
    signature.write_bytes(ec_key.dgst_sign(MESSAGE, "sha256"))
    args = ("--algorithm", "ECDSA_SHA_256", "--digest", digest, "--signature", signature)
    assert cli("verify", "alibaba", "--key-file", ec_key.public, *args).returncode == 0
    done = cli("verify", "alibaba", "some-key-id", *args)
    assert done.returncode == 2 and b"required to fetch the key: --key-version-id" in done.stderr


@pytest.mark.parametrize(
    ("algorithm", "md"), [("RSAES_OAEP_SHA_1", "sha1"), ("RSAES_OAEP_SHA_256", "sha256")]
)
def test_encrypt_writes_what_openssl_decrypts(
    work: Path, rsa_key: openssl.Key, algorithm: str, md: str
) -> None:
    plaintext = work / "plain.bin"
    plaintext.write_bytes(b"a data key")
    out = work / f"{algorithm}.bin"
    command = ("encrypt", "aws", "--key-file", rsa_key.public, "--algorithm", algorithm)
    done = cli(*command, "--plaintext", plaintext, "-o", out)
    assert done.returncode == 0, done.stderr
    options = ("rsa_padding_mode:oaep", f"rsa_oaep_md:{md}", f"rsa_mgf1_md:{md}")
    assert rsa_key.decrypt(out.read_bytes(), *(x for o in options for x in ("-pkeyopt", o))) == b"a data key"
    again = cli(*command, "--plaintext", plaintext, "-o", out)
    assert again.returncode == 1 and b"--force" in again.stderr


def test_encrypt_over_the_limit_names_it(work: Path, rsa_key: openssl.Key) -> None:
    plaintext = work / "big.bin"
    plaintext.write_bytes(b"x" * 191)
    done = cli(
        "encrypt",
        "huawei",
        "--key-file",
        rsa_key.public,
        "--algorithm",
        "RSAES_OAEP_SHA_256",
        "--plaintext",
        plaintext,
    )
    assert done.returncode == 1
    assert b"at most 190 bytes, not 191" in done.stderr


# --- fetching: the same vendor options as `get`, against the emulator ----------------------


@pytest.mark.integration
def test_encrypt_and_verify_fetch_the_key_with_the_vendor_options(emulator, work: Path) -> None:
    env = emulator.client_env()
    plaintext = work / "plain.bin"
    plaintext.write_bytes(b"a data key")
    options = ("--endpoint", emulator.url, "--region", "us-east-1", "--retries", "0", "--timeout", "5")
    encrypt = ("--algorithm", "RSAES_OAEP_SHA_256", "--plaintext", plaintext)
    done = cli("encrypt", "aws", "alias/emulator-rsa-4096", *options, *encrypt, env=env)
    assert done.returncode == 0, done.stderr
    assert len(done.stdout) == 512  # one RSA-4096 block
    # The fetched key carries its usage: a signing key is refused before any crypto.
    done = cli("encrypt", "aws", "alias/emulator-rsa-2048", *options, *encrypt, env=env)
    assert done.returncode == 1 and b"usage is SIGN_VERIFY" in done.stderr
    signature = work / "zeros.sig"
    signature.write_bytes(bytes(256))
    verify = ("--digest", "00" * 32, "--signature", signature)
    done = cli(
        "verify",
        "aws",
        "alias/emulator-rsa-2048",
        *options,
        "--algorithm",
        "RSASSA_PSS_SHA_256",
        *verify,
        env=env,
    )
    assert done.returncode == 1 and b"InvalidSignatureError" in done.stderr
    done = cli(
        "verify", "aws", "alias/emulator-rsa-2048", *options, "--algorithm", "SM2DSA", *verify, env=env
    )
    assert done.returncode == 1 and b"does not advertise SM2DSA" in done.stderr


@pytest.mark.integration
def test_a_dry_run_verifies_nothing_so_it_never_exits_0(emulator, work: Path) -> None:
    """Exit 0 means a valid signature; an Alibaba `--dry-run` fetches no key to check it with."""
    key = emulator.key("alibaba", "EC_P256")
    signature = work / "any.sig"
    signature.write_bytes(b"\x30\x00")
    done = cli(
        "verify", "alibaba", key.key_id, "--key-version-id", key.key_version_id, "--endpoint", emulator.url,
        "--dry-run", "--algorithm", "ECDSA_SHA_256", "--digest", "00" * 32, "--signature", signature,
        env=emulator.client_env(),
    )  # fmt: skip
    assert (done.returncode, done.stdout) == (1, b"")
    assert b"a dry run fetches no key, so nothing was verified" in done.stderr
