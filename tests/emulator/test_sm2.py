"""The emulator's own SM2 (`kms_pubkey_emulator/sm2.py`) against the OpenSSL command line.

OpenSSL 3 verifies every signature with `-rawin -digest sm3 -pkeyopt distid:ID` and refuses it
under another ID; OpenSSL reads our PKCS#8 and SPKI, decrypts our ciphertexts (DER C1C3C2, its
own layout) and we decrypt its; e = SM3(Z_A || M) is recomputed in `tests/support/openssl.py`
from hashlib and the published curve constants. SM2 keys come on demand, never seeded.
"""

from __future__ import annotations

import pytest

from kms_pubkey_emulator import KeyStore, SpecInfo, sm2
from kms_pubkey_emulator.keys import STATE_FILE, can_create, can_generate
from tests.support import openssl

pytestmark = pytest.mark.integration

MESSAGE = b"an SM2 release manifest"


@pytest.fixture(scope="module")
def key() -> sm2.PrivateKey:
    return sm2.generate()


def test_openssl_reads_our_keys_and_checks_the_pair(key: sm2.PrivateKey, tmp_path) -> None:
    (tmp_path / "key.der").write_bytes(key.pkcs8())
    assert b"Key is valid" in openssl._cli("pkey", "-inform", "DER", "-in", tmp_path / "key.der", "-check")
    spki = openssl._cli("pkey", "-inform", "DER", "-in", tmp_path / "key.der", "-pubout", "-outform", "DER")
    assert spki == key.public_key().spki()
    text = openssl._cli("pkey", "-inform", "DER", "-in", tmp_path / "key.der", "-noout", "-text").decode()
    assert "ASN1 OID: SM2" in text


def test_we_read_openssls_keys(tmp_path) -> None:
    made = openssl.Key(tmp_path, "sm2", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:SM2")
    der = openssl._cli("pkcs8", "-topk8", "-nocrypt", "-in", made.private, "-outform", "DER")
    public = openssl._cli("pkey", "-pubin", "-in", made.public, "-outform", "DER")
    assert sm2.load_pkcs8(der).public_key().spki() == public
    with pytest.raises(ValueError):
        sm2.load_pkcs8(public)


def test_message_digest_is_sm3_of_z_a_and_the_message(key: sm2.PrivateKey) -> None:
    pem = openssl.pem_of(key.public_key().spki())
    assert sm2.message_digest(key.public_key(), MESSAGE) == openssl.sm2_e(pem, MESSAGE)
    assert sm2.message_digest(key.public_key(), MESSAGE, b"alice") == openssl.sm2_e(pem, MESSAGE, b"alice")


def test_openssl_verifies_our_signatures_only_under_their_id(key: sm2.PrivateKey) -> None:
    public = key.public_key()
    for message in (MESSAGE, b"", b"x" * 4096):
        signature = sm2.sign_digest(key, sm2.message_digest(public, message))
        assert openssl.verify_sm2(public.spki(), message, signature)
        assert not openssl.verify_sm2(public.spki(), message, signature, b"8765432187654321")
        assert not openssl.verify_sm2(public.spki(), message + b"!", signature)


def test_each_signature_draws_a_fresh_k(key: sm2.PrivateKey) -> None:
    e = sm2.message_digest(key.public_key(), MESSAGE)
    assert len({sm2.sign_digest(key, e) for _ in range(4)}) == 4


def test_we_verify_openssls_signatures_strictly(key: sm2.PrivateKey) -> None:
    public = key.public_key()
    signature = openssl.sign_sm2(key.pkcs8(), MESSAGE)
    e = sm2.message_digest(public, MESSAGE)
    assert sm2.verify_digest(public, e, signature)
    assert not sm2.verify_digest(public, sm2.message_digest(public, MESSAGE, b"other"), signature)
    assert not sm2.verify_digest(public, e, signature[:-1])  # truncated
    assert not sm2.verify_digest(public, e, signature + b"\x00")  # trailing bytes
    assert not sm2.verify_digest(public, e, signature[:-1] + bytes([signature[-1] ^ 1]))
    # The same r and s with a needless leading zero is not DER.
    r_len = signature[3]
    r, s = signature[4 : 4 + r_len], signature[4 + r_len :]
    padded = b"\x02" + bytes([r_len + 1]) + b"\x00" + r + s
    assert not sm2.verify_digest(public, e, b"\x30" + bytes([len(padded)]) + padded)


@pytest.mark.parametrize("size", [1, 31, 32, 33, 1024])
def test_openssl_decrypts_ours_and_we_decrypt_openssls(key: sm2.PrivateKey, size: int) -> None:
    plaintext = bytes(range(256)) * (size // 256) + bytes(range(size % 256))
    ours = sm2.encrypt(key.public_key(), plaintext)
    assert openssl.decrypt_sm2(key.pkcs8(), ours) == plaintext
    theirs = openssl.encrypt_sm2(key.public_key().spki(), plaintext)
    assert sm2.decrypt(key, theirs) == plaintext


def test_a_damaged_or_foreign_ciphertext_decrypts_to_nothing(key: sm2.PrivateKey) -> None:
    ciphertext = sm2.encrypt(key.public_key(), b"a data key")
    assert sm2.decrypt(key, ciphertext[:-1] + bytes([ciphertext[-1] ^ 1])) is None  # C2 flipped: C3 fails
    assert sm2.decrypt(key, ciphertext[:-1]) is None
    assert sm2.decrypt(sm2.generate(), ciphertext) is None
    assert sm2.decrypt(key, b"\x30\x00") is None
    assert openssl.decrypt_sm2(sm2.generate().pkcs8(), ciphertext) is None


def test_sm2_keys_are_made_on_demand_and_survive_a_restart(tmp_path) -> None:
    specs = {"demo": {"SM2": SpecInfo("SM2", "SIGN_VERIFY", ("ENCRYPT_DECRYPT",))}}
    assert not can_generate("SM2") and can_create("SM2")
    store = KeyStore.seed(specs, tmp_path)
    assert store.all() == []  # never seeded
    made = store.create("demo", "SM2", specs["demo"]["SM2"], "ENCRYPT_DECRYPT")
    assert made.aliases == ("alias/emulator-sm2-encrypt-decrypt",)
    assert made.public_key_pem == openssl.pem_of(made.public_der)
    again = KeyStore.seed(specs, tmp_path).get("demo", made.key_id)
    assert again is not None and again.public_der == made.public_der
    private = again.private_key()
    assert isinstance(private, sm2.PrivateKey) and private.public_key().spki() == made.public_der
    assert (tmp_path / STATE_FILE).stat().st_mode & 0o777 == 0o600
