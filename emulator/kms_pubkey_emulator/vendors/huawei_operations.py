"""Huawei Cloud KMS sign, verify, encrypt-data and decrypt-data with the key's private half.

Paths and fields are the official SDK's (huaweicloudsdkkms 3.1 `KmsClient.sign`, `validate_signature`,
`encrypt_data`, `decrypt_data` and their models `SignRequestBody`, `VerifyRequestBody`,
`EncryptDataRequestBody`, `DecryptDataRequestBody`, `SignResponse`, `ValidateSignatureResponse`,
`EncryptDataResponse`, `DecryptDataResponse`):

- `POST /v1.0/{project_id}/kms/sign`: `key_id`, `message` (base64, under 4096 bytes),
  `signing_algorithm`, `message_type` (DIGEST by default, or RAW) -> `{key_id, signature}` (base64);
- `.../kms/verify`: the same and `signature` -> `{key_id, signature_valid: "true" | "false"}`
  (a bad signature is an answer, not an error, as the response model describes it);
- `.../kms/encrypt-data`: `key_id`, `plain_text` (text, 1-4096 bytes), `encryption_algorithm`
  (default SYMMETRIC_DEFAULT; RSAES_OAEP_SHA_256 for RSA keys) -> `{key_id, cipher_text}` (base64);
- `.../kms/decrypt-data`: `cipher_text`, `encryption_algorithm`, `key_id` ->
  `{key_id, plain_text, plain_text_base64}` (base64 is the exact one for non-text bytes).

Algorithm semantics follow DESIGN.md "Offline use": PSS with salt = digest length, ECDSA DER,
OAEP with MGF1 over SHA-256 (Huawei's MGF1 hash is unconfirmed: we follow the AWS/OpenSSL
default of the same hash), ED25519_SHA_512 over the raw message, ED25519_PH_SHA_512 as Ed25519ph
whose DIGEST message is PH(M) (unconfirmed). SM2 keys sign with SM2DSA_SM3 over digests only,
the digest being e = SM3(Z_A || M) with the ID 1234567812345678, as Huawei's DEW FAQ "How Do I
Calculate the SM3 Digest During SM2 Signature?" says ("SM2 keys can only be used to sign message
digests"), so RAW is refused; they encrypt with SM2_ENCRYPT (DER C1C3C2, per a gmsm maintainer:
unconfirmed) up to the 4096 bytes of `plain_text`. Refusals of the request's contents (a wrong
algorithm for the key, a wrong message type, a digest of the wrong length, bad base64, an
oversize plaintext, a ciphertext that does not decrypt) are 400 `KMS.0203`, the code the KMS
error table gives invalid request parameters (the table was not among the seeds: unconfirmed).
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Mapping
from typing import Any

from cryptography.hazmat.primitives.asymmetric import rsa

from kms_pubkey_emulator import crypto
from kms_pubkey_emulator.keys import StoredKey

INVALID_PARAMETER = "KMS.0203"
MISSING_PARAMETER = "KMS.0204"
MAX_MESSAGE = 4096
MAX_PLAINTEXT = 4096

_RSA_SIGN = crypto.RSA_SIGNING
# key spec -> {signing_algorithm -> scheme}, for SIGN_VERIFY keys.
SIGNING: Mapping[str, Mapping[str, crypto.Scheme]] = {
    "RSA_2048": _RSA_SIGN,
    "RSA_3072": _RSA_SIGN,
    "RSA_4096": _RSA_SIGN,
    "EC_P256": {"ECDSA_SHA_256": crypto.Scheme("ECDSA", "SHA256")},
    "EC_P384": {"ECDSA_SHA_384": crypto.Scheme("ECDSA", "SHA384")},
    "SECP256K1": {"ECDSA_SHA_256": crypto.Scheme("ECDSA", "SHA256")},
    "ED25519": {
        "ED25519_SHA_512": crypto.Scheme("ED25519"),
        "ED25519_PH_SHA_512": crypto.Scheme("ED25519PH", "SHA512"),
    },
    "SM2": {"SM2DSA_SM3": crypto.SM2DSA},
}
# key spec family -> {encryption_algorithm -> cipher}, for ENCRYPT_DECRYPT keys.
ENCRYPTION: Mapping[str, Mapping[str, str]] = {
    "RSA": {"RSAES_OAEP_SHA_256": "SHA256"},
    "SM2": {"SM2_ENCRYPT": crypto.SM2_CIPHER},
}


class KmsRefusal(Exception):
    """A 400 KMS error: `huawei.py` renders it as `{"error": {"error_code", "error_msg"}}`."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(code)
        self.code, self.message = code, message


def _invalid(message: str) -> KmsRefusal:
    return KmsRefusal(INVALID_PARAMETER, message)


def _text(params: Mapping[str, Any], name: str, default: str | None = None) -> str:
    value = params.get(name, default)
    if value is None:
        raise KmsRefusal(MISSING_PARAMETER, "The request message lacks required parameters.")
    if not isinstance(value, str):
        raise _invalid(f"Invalid {name}.")
    return value


def _base64(params: Mapping[str, Any], name: str) -> bytes:
    try:
        return base64.b64decode(_text(params, name), validate=True)
    except (binascii.Error, ValueError):
        raise _invalid(f"Invalid {name}: it is not Base64.") from None


def _signing(params: Mapping[str, Any], key: StoredKey) -> tuple[crypto.Scheme, bytes, crypto.Input]:
    message = _base64(params, "message")
    algorithm = _text(params, "signing_algorithm")
    given = _text(params, "message_type", "DIGEST")
    if given not in ("DIGEST", "RAW"):
        raise _invalid(f"Invalid message_type: {given}.")
    if not message or len(message) >= MAX_MESSAGE:
        raise _invalid("Invalid message: it must be 1 to 4095 bytes.")
    scheme = SIGNING.get(key.key_spec, {}).get(algorithm) if key.key_usage == "SIGN_VERIFY" else None
    if scheme is None:
        raise _invalid(
            f"The signing algorithm {algorithm} does not match the key ({key.key_spec}, {key.key_usage})."
        )
    if scheme.family == "ED25519" and given != "RAW":
        raise _invalid(f"The signing algorithm {algorithm} needs message_type RAW.")
    if scheme.family == "SM2" and given != "DIGEST":
        raise _invalid(f"The signing algorithm {algorithm} signs message digests only (message_type DIGEST).")
    if given == "DIGEST" and len(message) != scheme.digest_size:
        raise _invalid(f"Invalid message: a {algorithm} digest is {scheme.digest_size} bytes.")
    return scheme, message, given  # type: ignore[return-value]


def sign(params: Mapping[str, Any], key: StoredKey) -> dict[str, Any]:
    scheme, message, given = _signing(params, key)
    signature = crypto.sign(key.private_key(), scheme, message, given)
    return {"key_id": key.key_id, "signature": base64.b64encode(signature).decode("ascii")}


def verify(params: Mapping[str, Any], key: StoredKey) -> dict[str, Any]:
    scheme, message, given = _signing(params, key)
    signature = _base64(params, "signature")
    valid = crypto.verify(key.private_key().public_key(), scheme, signature, message, given)
    return {"key_id": key.key_id, "signature_valid": "true" if valid else "false"}


def _cipher(params: Mapping[str, Any], key: StoredKey) -> str:
    algorithm = _text(params, "encryption_algorithm", "SYMMETRIC_DEFAULT")
    family = "SM2" if key.algorithm == "SM2" else "RSA"
    cipher = ENCRYPTION[family].get(algorithm) if key.key_usage == "ENCRYPT_DECRYPT" else None
    if cipher is None:
        raise _invalid(
            f"The encryption algorithm {algorithm} does not match the key ({key.key_spec}, {key.key_usage})."
        )
    return cipher


def encrypt(params: Mapping[str, Any], key: StoredKey) -> dict[str, Any]:
    plaintext = _text(params, "plain_text").encode("utf-8")
    cipher = _cipher(params, key)
    private = key.private_key()
    limit = MAX_PLAINTEXT
    if isinstance(private, rsa.RSAPrivateKey):
        limit = min(limit, crypto.max_plaintext(private, cipher))
    if not plaintext or len(plaintext) > limit:
        raise _invalid(f"Invalid plain_text: this key and algorithm encrypt 1 to {limit} bytes.")
    ciphertext = crypto.encrypt(private.public_key(), cipher, plaintext)
    return {"key_id": key.key_id, "cipher_text": base64.b64encode(ciphertext).decode("ascii")}


def decrypt(params: Mapping[str, Any], key: StoredKey) -> dict[str, Any]:
    ciphertext = _base64(params, "cipher_text")
    plaintext = crypto.decrypt(key.private_key(), _cipher(params, key), ciphertext)
    if plaintext is None:
        raise _invalid("Invalid cipher_text: it does not decrypt with this key.")
    return {
        "key_id": key.key_id,
        "plain_text": plaintext.decode("utf-8", "replace"),
        "plain_text_base64": base64.b64encode(plaintext).decode("ascii"),
    }


# Path tail after /v1.0/{project_id}/kms/ -> handler(body, key); the key is found and checked
# enabled by huawei.py, which also serves get-publickey.
OPERATIONS: Mapping[str, Callable[[Mapping[str, Any], StoredKey], dict[str, Any]]] = {
    "sign": sign,
    "verify": verify,
    "encrypt-data": encrypt,
    "decrypt-data": decrypt,
}
