"""The official `alibabacloud-dkms-gcs` client signs, verifies, encrypts and decrypts with SM2 keys
on the KMS instance (SM2DSA with `MessageType` RAW or DIGEST, SM2PKE).

The keys are made on demand on an emulator of this module's own (the seeded set is counted
elsewhere). The OpenSSL command line verifies each signature over the message with the default
distinguishing ID (`-rawin -digest sm3 -pkeyopt distid:1234567812345678`) and decrypts each
ciphertext; a DIGEST is e = SM3(Z_A || M) (GB/T 32918.2), computed in `tests/support/openssl.py`.
`PublicKey.verify` (the key fetched with our instance client) accepts each signature and refuses
it under another ID; our `PublicKey.encrypt` and OpenSSL ciphertexts decrypt through the SDK.
"""

from __future__ import annotations

import base64
from collections.abc import Iterator
from typing import Any

import pytest

from kms_pubkey import InvalidSignatureError
from kms_pubkey_alibaba import AlibabaKmsInstanceClient
from kms_pubkey_emulator import Emulator, EmulatorConfig
from kms_pubkey_emulator.vendors.alibaba_instance import client_key
from tests.support import openssl
from tests.support.dkms import crypto_calls

pytestmark = [pytest.mark.integration, pytest.mark.slow]
MESSAGE = b"kms instance SM2 message"
OTHER_ID = b"8765432187654321"


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


@pytest.fixture(scope="module")
def own(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Emulator]:
    with Emulator(EmulatorConfig(port=0, state_dir=tmp_path_factory.mktemp("sm2-instance"))) as emu:
        yield emu


@pytest.fixture(scope="module")
def run(dkms_oracle: Any, own: Emulator) -> Any:
    return crypto_calls(dkms_oracle, own)


def our_key(own: Emulator, key_id: str) -> Any:
    material = client_key(own.state)
    with AlibabaKmsInstanceClient(
        own.url, client_key_file=material.client_key_file, client_key_password=material.password
    ) as client:
        return client.get_public_key(key_id)


def test_sm2dsa_raw_and_digest(own: Emulator, run: Any) -> None:
    stored = own.create_key("alibaba", "EC_SM2", "SIGN/VERIFY")
    e = openssl.sm2_e(openssl.pem_of(stored.public_der), MESSAGE)
    sign = {"op": "sign", "key_id": stored.key_id, "algorithm": "SM2DSA"}
    raw, digest = run(
        [{**sign, "message": b64(MESSAGE)}, {**sign, "message_type": "DIGEST", "message": b64(e)}]
    )
    assert raw["ok"] and digest["ok"], (raw, digest)
    assert (raw["message_type"], digest["message_type"]) == ("RAW", "DIGEST")
    key = our_key(own, stored.key_id)
    for answer in (raw, digest):
        signature = base64.b64decode(answer["signature"])
        assert openssl.verify_sm2(stored.public_der, MESSAGE, signature)
        assert not openssl.verify_sm2(stored.public_der, MESSAGE, signature, OTHER_ID)
        key.verify(signature, MESSAGE, algorithm="SM2DSA")  # the instance's default: RAW
        key.verify(signature, e, algorithm="SM2DSA", message_type="DIGEST")
        with pytest.raises(InvalidSignatureError):
            key.verify(signature, MESSAGE, algorithm="SM2DSA", distinguishing_id=OTHER_ID)
    theirs = openssl.sign_sm2(stored.private_der, MESSAGE)
    verify = {"op": "verify", "key_id": stored.key_id, "algorithm": "SM2DSA"}
    checked = run(
        [
            {**verify, "message": b64(MESSAGE), "signature": raw["signature"]},
            {**verify, "message_type": "DIGEST", "message": b64(e), "signature": b64(theirs)},
            {**verify, "message": b64(MESSAGE + b"!"), "signature": raw["signature"]},
            {
                **verify,
                "message": b64(MESSAGE),
                "signature": b64(openssl.sign_sm2(stored.private_der, MESSAGE, OTHER_ID)),
            },
            {**sign, "message_type": "DIGEST", "message": b64(e[:31])},
        ]
    )
    assert [c.get("value") for c in checked[:4]] == [True, True, False, False]
    assert (checked[4]["ok"], checked[4]["code"]) == (False, "InvalidParameter")


def test_sm2pke(own: Emulator, run: Any) -> None:
    stored = own.create_key("alibaba", "EC_SM2", "ENCRYPT/DECRYPT")
    ours = our_key(own, stored.key_id).encrypt(b"from kms-pubkey", algorithm="SM2PKE")
    theirs = openssl.encrypt_sm2(stored.public_der, b"from openssl")
    call = {"key_id": stored.key_id, "algorithm": "SM2PKE"}
    answers = run(
        [
            {**call, "op": "encrypt", "plaintext": b64(b"a data key")},
            {**call, "op": "decrypt", "ciphertext": b64(ours)},
            {**call, "op": "decrypt", "ciphertext": b64(theirs)},
            {**call, "op": "decrypt", "ciphertext": b64(theirs[:-1] + bytes([theirs[-1] ^ 1]))},
            {**call, "op": "encrypt", "algorithm": "RSAES_OAEP_SHA_256", "plaintext": b64(b"x")},
        ]
    )
    assert answers[0]["ok"], answers[0]
    assert (
        openssl.decrypt_sm2(stored.private_der, base64.b64decode(answers[0]["ciphertext"])) == b"a data key"
    )
    assert [base64.b64decode(a["plaintext"]) for a in answers[1:3]] == [b"from kms-pubkey", b"from openssl"]
    assert [(a["ok"], a["code"]) for a in answers[3:]] == [(False, "InvalidParameter")] * 2
