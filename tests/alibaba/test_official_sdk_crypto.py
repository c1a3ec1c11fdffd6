"""alibabacloud-kms20160120's AsymmetricSign/Verify/Encrypt/Decrypt on the emulator, both signatures.

Parameters are the SDK models' (`KeyId`, `KeyVersionId`, `Algorithm`, Base64 `Digest`, `Value`,
`Plaintext`, `CiphertextBlob`). The shared gateway signs digests only. Signatures verify with
the OpenSSL command line and `cryptography` called here (PSS salt = digest length); ciphertexts
made here decrypt through the SDK. Refusals are 400 `InvalidParameter` (seed 001's code).
"""

from __future__ import annotations

import base64
import hashlib
from typing import Any

import pytest
from alibabacloud_kms20160120 import models
from alibabacloud_tea_openapi.exceptions import ClientException
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa, utils

from tests.alibaba.test_official_sdk import OFFICIAL, _official
from tests.support import openssl

pytestmark = pytest.mark.integration
DIGEST = hashlib.sha256(b"alibaba shared gateway").digest()


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def sign(client: Any, key: Any, algorithm: str, digest: bytes) -> bytes:
    body = client.asymmetric_sign(
        models.AsymmetricSignRequest(
            key_id=key.key_id, key_version_id=key.key_version_id, algorithm=algorithm, digest=b64(digest)
        )
    ).body
    assert (body.key_id, body.key_version_id) == (key.key_id, key.key_version_id)
    return base64.b64decode(body.value)


def verified(client: Any, key: Any, algorithm: str, digest: bytes, signature: bytes) -> bool:
    value: bool = client.asymmetric_verify(
        models.AsymmetricVerifyRequest(
            key_id=key.key_id,
            key_version_id=key.key_version_id,
            algorithm=algorithm,
            digest=b64(digest),
            value=b64(signature),
        )
    ).body.value
    return value


def refusal(call: Any) -> tuple[str, int]:
    with pytest.raises(ClientException) as caught:
        call()
    return caught.value.code, caught.value.status_code


@pytest.mark.parametrize("version", sorted(OFFICIAL))
@pytest.mark.parametrize("algorithm", ["RSA_PSS_SHA_256", "RSA_PKCS1_SHA_256"])
def test_rsa_signatures_verify_outside(emulator: Any, version: str, algorithm: str) -> None:
    client, key = _official(emulator, version), emulator.key("alibaba", "RSA_2048")
    signature = sign(client, key, algorithm, DIGEST)
    pss = algorithm == "RSA_PSS_SHA_256"
    options = ["digest:sha256"] + (["rsa_padding_mode:pss", "rsa_pss_saltlen:digest"] if pss else [])
    assert openssl.verify_digest(key.public_der, DIGEST, signature, options)
    public = serialization.load_der_public_key(key.public_der)
    assert isinstance(public, rsa.RSAPublicKey)
    h = hashes.SHA256()
    pad = padding.PSS(padding.MGF1(h), padding.PSS.DIGEST_LENGTH) if pss else padding.PKCS1v15()
    public.verify(signature, DIGEST, pad, utils.Prehashed(h))
    assert verified(client, key, algorithm, DIGEST, signature) is True


@pytest.mark.parametrize("spec", ["EC_P256", "EC_P256K"])
def test_ecdsa_signatures_verify_outside(emulator: Any, spec: str) -> None:
    client, key = _official(emulator, "v3"), emulator.key("alibaba", spec)
    signature = sign(client, key, "ECDSA_SHA_256", DIGEST)
    utils.decode_dss_signature(signature)
    assert openssl.verify_digest(key.public_der, DIGEST, signature, ["digest:sha256"])
    public = serialization.load_der_public_key(key.public_der)
    assert isinstance(public, ec.EllipticCurvePublicKey)
    public.verify(signature, DIGEST, ec.ECDSA(utils.Prehashed(hashes.SHA256())))


def test_bad_signatures_are_value_false(emulator: Any) -> None:
    client, key = _official(emulator, "v3"), emulator.key("alibaba", "RSA_2048")
    signature = sign(client, key, "RSA_PSS_SHA_256", DIGEST)
    flipped = signature[:9] + bytes([signature[9] ^ 1]) + signature[10:]
    assert verified(client, key, "RSA_PSS_SHA_256", DIGEST, flipped) is False
    assert verified(client, key, "RSA_PSS_SHA_256", hashlib.sha256(b"other").digest(), signature) is False
    max_salt = key.private_key().sign(
        DIGEST,
        padding.PSS(padding.MGF1(hashes.SHA256()), padding.PSS.MAX_LENGTH),
        utils.Prehashed(hashes.SHA256()),
    )
    assert verified(client, key, "RSA_PSS_SHA_256", DIGEST, max_salt) is False


def test_sign_refusals(emulator: Any) -> None:
    client = _official(emulator, "v3")
    rsa_key, ec_key = emulator.key("alibaba", "RSA_2048"), emulator.key("alibaba", "EC_P256")
    assert refusal(lambda: sign(client, ec_key, "RSA_PSS_SHA_256", DIGEST)) == ("InvalidParameter", 400)
    assert refusal(lambda: sign(client, rsa_key, "SM2DSA", DIGEST)) == ("InvalidParameter", 400)
    assert refusal(lambda: sign(client, rsa_key, "RSA_PSS_SHA_256", DIGEST[:31])) == ("InvalidParameter", 400)
    assert refusal(lambda: sign(client, emulator.key("alibaba", "RSA_3072"), "RSA_PSS_SHA_256", DIGEST)) == (
        "InvalidParameter",
        400,
    )


def _encrypt(client: Any, key: Any, plaintext: bytes, algorithm: str) -> bytes:
    body = client.asymmetric_encrypt(
        models.AsymmetricEncryptRequest(
            key_id=key.key_id,
            key_version_id=key.key_version_id,
            algorithm=algorithm,
            plaintext=b64(plaintext),
        )
    ).body
    return base64.b64decode(body.ciphertext_blob)


def _decrypt(client: Any, key: Any, ciphertext: bytes, algorithm: str) -> bytes:
    body = client.asymmetric_decrypt(
        models.AsymmetricDecryptRequest(
            key_id=key.key_id,
            key_version_id=key.key_version_id,
            algorithm=algorithm,
            ciphertext_blob=b64(ciphertext),
        )
    ).body
    return base64.b64decode(body.plaintext)


@pytest.mark.parametrize("version", sorted(OFFICIAL))
@pytest.mark.parametrize(
    ("algorithm", "md", "limit"), [("RSAES_OAEP_SHA_256", "sha256", 318), ("RSAES_OAEP_SHA_1", "sha1", 342)]
)
def test_oaep_both_ways(emulator: Any, version: str, algorithm: str, md: str, limit: int) -> None:
    client, key = _official(emulator, version), emulator.key("alibaba", "RSA_3072")
    public = serialization.load_der_public_key(key.public_der)
    assert isinstance(public, rsa.RSAPublicKey)
    h = hashes.SHA256() if md == "sha256" else hashes.SHA1()
    plaintext = (bytes(range(256)) * 2)[:limit]
    assert (
        _decrypt(client, key, public.encrypt(plaintext, padding.OAEP(padding.MGF1(h), h, None)), algorithm)
        == plaintext
    )
    assert (
        _decrypt(client, key, openssl.encrypt_oaep(key.public_der, b"from openssl", md), algorithm)
        == b"from openssl"
    )
    ciphertext = _encrypt(client, key, b"to openssl", algorithm)
    assert openssl.decrypt_oaep(key.private_key(), ciphertext, md) == b"to openssl"
    assert refusal(lambda: _encrypt(client, key, plaintext + b"!", algorithm)) == ("InvalidParameter", 400)


def test_encryption_refusals(emulator: Any) -> None:
    client, key = _official(emulator, "v3"), emulator.key("alibaba", "RSA_3072")
    ciphertext = _encrypt(client, key, b"x", "RSAES_OAEP_SHA_256")
    assert refusal(lambda: _decrypt(client, key, ciphertext, "RSAES_OAEP_SHA_1")) == ("InvalidParameter", 400)
    assert refusal(lambda: _decrypt(client, key, ciphertext[:-1], "RSAES_OAEP_SHA_256")) == (
        "InvalidParameter",
        400,
    )
    signing = emulator.key("alibaba", "RSA_2048")
    assert refusal(lambda: _encrypt(client, signing, b"x", "RSAES_OAEP_SHA_256")) == ("InvalidParameter", 400)
