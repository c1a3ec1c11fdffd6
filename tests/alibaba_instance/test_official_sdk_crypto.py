"""The official `alibabacloud-dkms-gcs` client signs, verifies, encrypts and decrypts on the emulator.

It runs in its own virtual environment through `dkms_oracle.py crypto` (see conftest.py). The
request fields are its `SignRequest`/`VerifyRequest`/`EncryptRequest`/`DecryptRequest`; the KMS
instance takes `MessageType` RAW (its default) or DIGEST. Signatures verify with the OpenSSL
command line and `cryptography` called here (PSS salt = digest length); ciphertexts made here
decrypt through the SDK; refusals are the gateway's 400 `InvalidParameter`.
"""

from __future__ import annotations

import base64
import hashlib
from typing import Any

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa

from tests.support import openssl
from tests.support.dkms import crypto_calls

pytestmark = [pytest.mark.integration, pytest.mark.slow]
MESSAGE = b"kms instance message"
DIGEST = hashlib.sha256(MESSAGE).digest()


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


@pytest.fixture(scope="module")
def run(dkms_oracle: Any, emulator: Any) -> Any:
    return crypto_calls(dkms_oracle, emulator)


def test_signatures_verify_outside(emulator: Any, run: Any) -> None:
    rsa_key, ec_key, k1_key = (emulator.key("alibaba", s) for s in ("RSA_2048", "EC_P256", "EC_P256K"))
    cases = [
        (rsa_key, "RSA_PSS_SHA_256", "RAW"),
        (rsa_key, "RSA_PSS_SHA_256", "DIGEST"),
        (rsa_key, "RSA_PKCS1_SHA_256", "RAW"),
        (rsa_key, "RSA_PKCS1_SHA_256", "DIGEST"),
        (ec_key, "ECDSA_SHA_256", "RAW"),
        (ec_key, "ECDSA_SHA_256", "DIGEST"),
        (k1_key, "ECDSA_SHA_256", "DIGEST"),
    ]
    signed = run(
        [
            {
                "op": "sign",
                "key_id": key.key_id,
                "algorithm": algorithm,
                "message_type": kind,
                "message": b64(DIGEST if kind == "DIGEST" else MESSAGE),
            }
            for key, algorithm, kind in cases
        ]
    )
    for (key, algorithm, kind), answer in zip(cases, signed, strict=True):
        assert answer["ok"], answer
        assert (answer["key_id"], answer["algorithm"], answer["message_type"]) == (
            key.key_id,
            algorithm,
            kind,
        )
        signature = base64.b64decode(answer["signature"])
        public = serialization.load_der_public_key(key.public_der)
        if algorithm.startswith("RSA"):
            pss = "PSS" in algorithm
            options = ["digest:sha256"] + (["rsa_padding_mode:pss", "rsa_pss_saltlen:digest"] if pss else [])
            assert isinstance(public, rsa.RSAPublicKey)
            h = hashes.SHA256()
            pad = padding.PSS(padding.MGF1(h), padding.PSS.DIGEST_LENGTH) if pss else padding.PKCS1v15()
            public.verify(signature, MESSAGE, pad, h)
        else:
            options = ["digest:sha256"]
            assert isinstance(public, ec.EllipticCurvePublicKey)
            public.verify(signature, MESSAGE, ec.ECDSA(hashes.SHA256()))
        assert openssl.verify_digest(key.public_der, DIGEST, signature, options)
    checked = run(
        [
            {
                "op": "verify",
                "key_id": key.key_id,
                "algorithm": algorithm,
                "message_type": kind,
                "message": b64(DIGEST if kind == "DIGEST" else MESSAGE),
                "signature": answer["signature"],
            }
            for (key, algorithm, kind), answer in zip(cases, signed, strict=True)
        ]
    )
    assert [c["value"] for c in checked] == [True] * len(cases)


def test_tampering_and_refusals(emulator: Any, run: Any) -> None:
    key = emulator.key("alibaba", "RSA_2048")
    signature = key.private_key().sign(
        MESSAGE, padding.PSS(padding.MGF1(hashes.SHA256()), padding.PSS.DIGEST_LENGTH), hashes.SHA256()
    )
    max_salt = key.private_key().sign(
        MESSAGE, padding.PSS(padding.MGF1(hashes.SHA256()), padding.PSS.MAX_LENGTH), hashes.SHA256()
    )
    flipped = signature[:5] + bytes([signature[5] ^ 1]) + signature[6:]
    verify = {"op": "verify", "key_id": key.key_id, "algorithm": "RSA_PSS_SHA_256", "message_type": "RAW"}
    answers = run(
        [
            {**verify, "message": b64(MESSAGE), "signature": b64(signature)},
            {**verify, "message": b64(MESSAGE), "signature": b64(flipped)},
            {**verify, "message": b64(MESSAGE + b"!"), "signature": b64(signature)},
            {**verify, "message": b64(MESSAGE), "signature": b64(max_salt)},
            {"op": "sign", "key_id": key.key_id, "algorithm": "ECDSA_SHA_256", "message": b64(MESSAGE)},
            {
                "op": "sign",
                "key_id": key.key_id,
                "algorithm": "RSA_PSS_SHA_256",
                "message_type": "DIGEST",
                "message": b64(DIGEST[:20]),
            },
            {
                "op": "sign",
                "key_id": key.key_id,
                "algorithm": "RSA_PSS_SHA_256",
                "message_type": "HASHED",
                "message": b64(DIGEST),
            },
        ]
    )
    assert [a.get("value") for a in answers[:4]] == [True, False, False, False]
    for refused in answers[4:]:
        assert (refused["ok"], refused["code"], refused["http_code"]) == (False, "InvalidParameter", 400), (
            refused
        )


@pytest.mark.parametrize(
    ("algorithm", "md"), [("RSAES_OAEP_SHA_256", "sha256"), ("RSAES_OAEP_SHA_1", "sha1")]
)
def test_decrypt_outside_ciphertexts_and_encrypt_for_openssl(
    emulator: Any, run: Any, algorithm: str, md: str
) -> None:
    key = emulator.key("alibaba", "RSA_3072")
    public = serialization.load_der_public_key(key.public_der)
    assert isinstance(public, rsa.RSAPublicKey)
    h = hashes.SHA256() if md == "sha256" else hashes.SHA1()
    by_cryptography = public.encrypt(b"from cryptography", padding.OAEP(padding.MGF1(h), h, None))
    by_openssl = openssl.encrypt_oaep(key.public_der, b"from openssl", md)
    answers = run(
        [
            {
                "op": "decrypt",
                "key_id": key.key_id,
                "algorithm": algorithm,
                "ciphertext": b64(by_cryptography),
            },
            {"op": "decrypt", "key_id": key.key_id, "algorithm": algorithm, "ciphertext": b64(by_openssl)},
            {"op": "encrypt", "key_id": key.key_id, "algorithm": algorithm, "plaintext": b64(b"to openssl")},
            {
                "op": "decrypt",
                "key_id": key.key_id,
                "algorithm": algorithm,
                "ciphertext": b64(by_openssl[:-1]),
            },
        ]
    )
    assert base64.b64decode(answers[0]["plaintext"]) == b"from cryptography"
    assert base64.b64decode(answers[1]["plaintext"]) == b"from openssl"
    ciphertext = base64.b64decode(answers[2]["ciphertext"])
    assert openssl.decrypt_oaep(key.private_key(), ciphertext, md) == b"to openssl"
    assert (answers[3]["code"], answers[3]["http_code"]) == ("InvalidParameter", 400)


def _fetched(emulator: Any, key_id: str) -> Any:
    """The key as our client fetches it from the instance: it speaks the instance's names."""
    from kms_pubkey_alibaba.instance import AlibabaKmsInstanceClient
    from kms_pubkey_emulator.vendors.alibaba_instance import client_key

    material = client_key(emulator.state)
    with AlibabaKmsInstanceClient(
        emulator.url, client_key_file=material.client_key_file, client_key_password=material.password
    ) as kms:
        return kms.get_public_key(key_id)


def test_sdk_signatures_verify_offline_with_the_instance_defaults(emulator: Any, run: Any) -> None:
    """The dkms-gcs client signs; `PublicKey.verify` of the fetched key accepts, taking the
    instance's own default (RAW) when no message type is given, and refuses a flipped bit."""
    from kms_pubkey import InvalidSignatureError

    cases = [
        ("RSA_2048", "RSA_PSS_SHA_256", "RAW"),
        ("RSA_2048", "RSA_PKCS1_SHA_256", "DIGEST"),
        ("EC_P256", "ECDSA_SHA_256", "RAW"),
        ("EC_P256K", "ECDSA_SHA_256", "DIGEST"),
    ]
    keys = {spec: emulator.key("alibaba", spec) for spec, _, _ in cases}
    signed = run(
        [
            {
                "op": "sign",
                "key_id": keys[spec].key_id,
                "algorithm": algorithm,
                "message_type": kind,
                "message": b64(DIGEST if kind == "DIGEST" else MESSAGE),
            }
            for spec, algorithm, kind in cases
        ]
    )
    for (spec, algorithm, kind), answer in zip(cases, signed, strict=True):
        assert answer["ok"], answer
        key = _fetched(emulator, keys[spec].key_id)
        signature = base64.b64decode(answer["signature"])
        if kind == "RAW":
            key.verify(signature, MESSAGE, algorithm=algorithm)  # RAW: the instance's default
        else:
            key.verify(signature, DIGEST, algorithm=algorithm, message_type="DIGEST")
        flipped = bytes([signature[0] ^ 1]) + signature[1:]
        with pytest.raises(InvalidSignatureError):
            key.verify(flipped, MESSAGE if kind == "RAW" else DIGEST, algorithm=algorithm, message_type=kind)


@pytest.mark.parametrize("algorithm", ["RSAES_OAEP_SHA_256", "RSAES_OAEP_SHA_1"])
def test_our_ciphertexts_decrypt_through_the_sdk(emulator: Any, run: Any, algorithm: str) -> None:
    key = _fetched(emulator, emulator.key("alibaba", "RSA_3072").key_id)
    ciphertext = key.encrypt(b"to the kms instance", algorithm=algorithm)
    answer = run(
        [{"op": "decrypt", "key_id": key.key_id, "algorithm": algorithm, "ciphertext": b64(ciphertext)}]
    )
    assert base64.b64decode(answer[0]["plaintext"]) == b"to the kms instance"
