"""Alibaba Cloud KMS signing and encryption with the key's private half, for both gateways.

Algorithm names per key spec are the vendor's (DESIGN.md "Offline use"; the shared gateway's
`AsymmetricSign`/`AsymmetricEncrypt` models in alibabacloud-kms20160120 and the KMS instance's
`SignRequest`/`EncryptRequest` in alibabacloud-dkms-gcs name the parameters): RSA keys sign with
RSA_PSS_SHA_256 (salt = digest length) or RSA_PKCS1_SHA_256 and encrypt with RSAES_OAEP_SHA_256
or RSAES_OAEP_SHA_1; EC_P256 and EC_P256K sign with ECDSA_SHA_256 (DER); EC_SM2 keys (made on
demand) sign with SM2DSA and encrypt with SM2PKE. An SM2DSA digest is e = SM3(Z_A || M) with the
ID 1234567812345678, as AsymmetricSign documents; a RAW message at the KMS instance is hashed so
(GB/T 32918.2). SM2PKE ciphertexts are DER C1C3C2 (unconfirmed: kms_pubkey encrypts so) and
plaintexts at most 6047 bytes, as AsymmetricEncrypt documents.

Refusals are `AlibabaError(code, message, status)` (every Alibaba error of the emulator); each
gateway renders it in its own shape.
An algorithm, digest length or ciphertext that does not fit is 400 `InvalidParameter`, the code
both gateways' error tables give invalid parameters (seed 001 for the shared gateway, the
instance's common error codes for the dedicated one); which finer code, if any, the service uses
for each case is not published there.
"""

from __future__ import annotations

from collections.abc import Mapping

from cryptography.hazmat.primitives.asymmetric import rsa

from kms_pubkey_emulator import crypto
from kms_pubkey_emulator.keys import StoredKey

MAX_MESSAGE = 4096  # the instance's RAW message limit; not published, AWS's figure (unconfirmed)
SIGNING: Mapping[str, Mapping[str, crypto.Scheme]] = {
    "RSA_2048": {
        "RSA_PSS_SHA_256": crypto.Scheme("PSS", "SHA256"),
        "RSA_PKCS1_SHA_256": crypto.Scheme("PKCS1", "SHA256"),
    },
    "RSA_3072": {
        "RSA_PSS_SHA_256": crypto.Scheme("PSS", "SHA256"),
        "RSA_PKCS1_SHA_256": crypto.Scheme("PKCS1", "SHA256"),
    },
    "EC_P256": {"ECDSA_SHA_256": crypto.Scheme("ECDSA", "SHA256")},
    "EC_P256K": {"ECDSA_SHA_256": crypto.Scheme("ECDSA", "SHA256")},
    "EC_SM2": {"SM2DSA": crypto.SM2DSA},
}
# key spec family -> {Algorithm -> cipher}, for ENCRYPT/DECRYPT keys.
ENCRYPTION: Mapping[str, Mapping[str, str]] = {
    "RSA": {"RSAES_OAEP_SHA_256": "SHA256", "RSAES_OAEP_SHA_1": "SHA1"},
    "SM2": {"SM2PKE": crypto.SM2_CIPHER},
}
SM2PKE_LIMIT = 6047


class AlibabaError(Exception):
    def __init__(self, code: str, message: str, status: int = 400) -> None:
        super().__init__(code)
        self.code, self.message, self.status = code, message, status


def invalid(name: str, why: str = "") -> AlibabaError:
    return AlibabaError("InvalidParameter", f"The specified parameter {name} is not valid.{why}")


def _usable(key: StoredKey) -> None:
    if not key.has_private_key:
        raise AlibabaError(
            "InvalidParameter", "The specified Key has no private key in the emulator's state file."
        )


def _scheme(key: StoredKey, algorithm: str) -> crypto.Scheme:
    _usable(key)
    scheme = SIGNING.get(key.key_spec, {}).get(algorithm) if key.key_usage == "SIGN/VERIFY" else None
    if scheme is None:
        raise invalid("Algorithm", f" {algorithm} does not fit the key ({key.key_spec}, {key.key_usage}).")
    return scheme


def _input(scheme: crypto.Scheme, data: bytes, given: str) -> crypto.Input:
    if given == "DIGEST":
        if len(data) != scheme.digest_size:
            raise invalid("Digest", f" It must be {scheme.digest_size} bytes.")
        return "DIGEST"
    if given != "RAW":
        raise invalid("MessageType")
    if not data or len(data) > MAX_MESSAGE:
        raise invalid("Message", f" It must be 1 to {MAX_MESSAGE} bytes.")
    return "RAW"


def sign(key: StoredKey, algorithm: str, data: bytes, given: str) -> bytes:
    """`given` is DIGEST (the shared gateway always) or RAW (the instance's default)."""
    scheme = _scheme(key, algorithm)
    return crypto.sign(key.private_key(), scheme, data, _input(scheme, data, given))


def verify(key: StoredKey, algorithm: str, signature: bytes, data: bytes, given: str) -> bool:
    scheme = _scheme(key, algorithm)
    how = _input(scheme, data, given)
    return crypto.verify(key.private_key().public_key(), scheme, signature, data, how)


def _cipher(key: StoredKey, algorithm: str) -> str:
    _usable(key)
    family = "SM2" if key.algorithm == "SM2" else "RSA"
    cipher = ENCRYPTION[family].get(algorithm) if key.key_usage == "ENCRYPT/DECRYPT" else None
    if cipher is None:
        raise invalid("Algorithm", f" {algorithm} does not fit the key ({key.key_spec}, {key.key_usage}).")
    return cipher


def encrypt(key: StoredKey, algorithm: str, plaintext: bytes) -> bytes:
    cipher = _cipher(key, algorithm)
    private = key.private_key()
    limit = SM2PKE_LIMIT
    if isinstance(private, rsa.RSAPrivateKey):
        limit = crypto.max_plaintext(private, cipher)
    if not plaintext or len(plaintext) > limit:
        raise invalid("Plaintext", f" {algorithm} with {key.key_spec} encrypts 1 to {limit} bytes.")
    return crypto.encrypt(private.public_key(), cipher, plaintext)


def decrypt(key: StoredKey, algorithm: str, ciphertext: bytes) -> bytes:
    plaintext = crypto.decrypt(key.private_key(), _cipher(key, algorithm), ciphertext)
    if plaintext is None:
        raise invalid("CiphertextBlob")
    return plaintext
