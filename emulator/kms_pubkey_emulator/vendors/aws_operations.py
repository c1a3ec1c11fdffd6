"""AWS KMS Sign, Verify, Encrypt, Decrypt and DeriveSharedSecret with the key's private half.

Shapes, limits and error names are botocore's KMS service model (`kms/2014-11-01/service-2.json`,
the model boto3 sends with): Sign/Verify `Message` 1-4096 bytes, `Signature` and `CiphertextBlob`
1-6144, `PublicKey` 1-8192, `MessageType` RAW (default) | DIGEST | EXTERNAL_MU. From that model's
documentation:

- a key usage or algorithm the key does not support: `InvalidKeyUsageException`;
- a bad signature: `KMSInvalidSignatureException` (Verify never answers `SignatureValid: false`);
- a ciphertext that does not decrypt: `InvalidCiphertextException`;
- ED25519_SHA_512 takes MessageType RAW only, ED25519_PH_SHA_512 DIGEST only, and KMS still
  applies Ed25519ph's SHA-512 prehash to that digest ("the input is hashed twice");
- a DIGEST must have the algorithm's digest length, an EXTERNAL_MU 64 bytes;
- SM2 (China Regions): SM2DSA hashes with SM3, and with DIGEST "KMS skips the hashing step", so
  the digest is e = SM3(Z_A || M) itself (the hashing step of GB/T 32918.2; Z_A over the default
  ID 1234567812345678, which the Verify doc names). The model does not spell out e for SM2:
  unconfirmed, and the same reading as kms_pubkey's offline verify. SM2PKE encrypts up to 1024
  bytes (the Encrypt doc); its ciphertext is DER C1C3C2 (unconfirmed, as kms_pubkey encrypts).

Constraint failures are `ValidationException` (AWS's common error) with the JSON 1.1 message
`1 validation error detected: ...`; a wrong digest length reads "Digest is invalid length for
algorithm X." as KMS words it (quoted in awslabs/aws-sdk-rust discussion 571). The wording of
the message-type and plaintext-size messages is not published; ours follow the same style.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Mapping
from typing import Any

from cryptography.hazmat.primitives.asymmetric import ec, rsa

from kms_pubkey_emulator import crypto
from kms_pubkey_emulator.keys import StoredKey

MAX_MESSAGE = 4096
MAX_SIGNATURE = 6144
MAX_CIPHERTEXT = 6144
MAX_PEER_KEY = 8192

_RSA_SIGN = tuple(crypto.RSA_SIGNING)
SCHEMES: Mapping[str, crypto.Scheme] = {
    **crypto.RSA_SIGNING,
    "ECDSA_SHA_256": crypto.Scheme("ECDSA", "SHA256"),
    "ECDSA_SHA_384": crypto.Scheme("ECDSA", "SHA384"),
    "ECDSA_SHA_512": crypto.Scheme("ECDSA", "SHA512"),
    "ED25519_SHA_512": crypto.Scheme("ED25519"),
    "ED25519_PH_SHA_512": crypto.Scheme("ED25519PH", "SHA512"),
    "ML_DSA_SHAKE_256": crypto.Scheme("ML_DSA"),
    "SM2DSA": crypto.SM2DSA,
}
SIGNING_ENUM = tuple(SCHEMES)  # every SigningAlgorithmSpec of the model
ENCRYPTION_ENUM = ("SYMMETRIC_DEFAULT", "RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256", "SM2PKE")
CIPHERS = {"RSAES_OAEP_SHA_1": "SHA1", "RSAES_OAEP_SHA_256": "SHA256", "SM2PKE": crypto.SM2_CIPHER}
SM2PKE_LIMIT = 1024
MESSAGE_TYPES = ("RAW", "DIGEST", "EXTERNAL_MU")


class AwsError(Exception):
    def __init__(self, code: str, message: str | None, status: int = 400) -> None:
        super().__init__(code)
        self.code = code
        self.message = message
        self.status = status


def algorithms(key: StoredKey) -> dict[str, list[str]]:
    """The algorithm lists KMS returns for a key spec and usage (absent lists are not sent)."""
    spec, usage = key.key_spec, key.key_usage
    if usage == "SIGN_VERIFY":
        if spec.startswith("RSA_"):
            return {"SigningAlgorithms": list(_RSA_SIGN)}
        if spec in ("ECC_NIST_P256", "ECC_SECG_P256K1"):
            return {"SigningAlgorithms": ["ECDSA_SHA_256"]}
        if spec == "ECC_NIST_P384":
            return {"SigningAlgorithms": ["ECDSA_SHA_384"]}
        if spec == "ECC_NIST_P521":
            return {"SigningAlgorithms": ["ECDSA_SHA_512"]}
        if spec == "ECC_NIST_EDWARDS25519":
            return {"SigningAlgorithms": ["ED25519_SHA_512", "ED25519_PH_SHA_512"]}
        if spec.startswith("ML_DSA_"):
            return {"SigningAlgorithms": ["ML_DSA_SHAKE_256"]}
        if spec == "SM2":
            return {"SigningAlgorithms": ["SM2DSA"]}
    if usage == "ENCRYPT_DECRYPT":
        if spec == "SM2":
            return {"EncryptionAlgorithms": ["SM2PKE"]}
        return {"EncryptionAlgorithms": ["RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256"]}
    if usage == "KEY_AGREEMENT":
        return {"KeyAgreementAlgorithms": ["ECDH"]}
    if usage == "ENCAPSULATE_DECAPSULATE":
        return {"EncapsulationAlgorithms": ["ML_KEM"]}
    return {}


def validation(message: str) -> AwsError:
    return AwsError("ValidationException", f"1 validation error detected: {message}")


def required(payload: Mapping[str, Any], name: str) -> Any:
    value = payload.get(name)
    if value is None:
        member = name[0].lower() + name[1:]
        raise validation(f"Value null at '{member}' failed to satisfy constraint: Member must not be null")
    return value


def blob(payload: Mapping[str, Any], name: str, maximum: int, *, optional: bool = False) -> bytes | None:
    """A base64 blob member, its length checked against the model's 1..maximum."""
    value = payload.get(name) if optional else required(payload, name)
    if value is None:
        return None
    try:
        data = base64.b64decode(value, validate=True) if isinstance(value, str) else None
    except (binascii.Error, ValueError):
        data = None
    if data is None:
        raise AwsError("SerializationException", f"Could not read {name} as a base64 blob.")
    member = name[0].lower() + name[1:]
    if not data:
        raise validation(
            f"Value at '{member}' failed to satisfy constraint: "
            "Member must have length greater than or equal to 1"
        )
    if len(data) > maximum:
        raise validation(
            f"Value at '{member}' failed to satisfy constraint: "
            f"Member must have length less than or equal to {maximum}"
        )
    return data


def enum(payload: Mapping[str, Any], name: str, allowed: tuple[str, ...], default: str | None = None) -> str:
    value = payload.get(name, default) if default is not None else required(payload, name)
    if value not in allowed:
        member = name[0].lower() + name[1:]
        raise validation(
            f"Value '{value}' at '{member}' failed to satisfy constraint: "
            f"Member must satisfy enum value set: [{', '.join(allowed)}]"
        )
    return str(value)


def _usage(key: StoredKey, arn: str, usage: str, operation: str) -> None:
    if key.key_usage != usage:
        raise AwsError(
            "InvalidKeyUsageException",
            f"{arn} key usage is {key.key_usage} which is not valid for {operation}.",
        )


def _listed(key: StoredKey, field: str, algorithm: str) -> None:
    if algorithm not in algorithms(key).get(field, []):
        raise AwsError(
            "InvalidKeyUsageException", f"Algorithm {algorithm} is incompatible with key spec {key.key_spec}."
        )


def _dry_run(payload: Mapping[str, Any]) -> None:
    if payload.get("DryRun") is True:
        raise AwsError(
            "DryRunOperationException", "The request would have succeeded, but the DryRun option is set."
        )


def _signing_input(
    payload: Mapping[str, Any], key: StoredKey, arn: str, operation: str
) -> tuple[str, crypto.Scheme, bytes, crypto.Input]:
    """Checks shared by Sign and Verify, in the model's order: members, key usage, algorithm,
    message type, digest length. Returns (algorithm, scheme, message, how to read it)."""
    message = blob(payload, "Message", MAX_MESSAGE)
    assert message is not None
    algorithm = enum(payload, "SigningAlgorithm", SIGNING_ENUM)
    given = enum(payload, "MessageType", MESSAGE_TYPES, default="RAW")
    _usage(key, arn, "SIGN_VERIFY", operation)
    _listed(key, "SigningAlgorithms", algorithm)
    scheme = SCHEMES[algorithm]
    allowed = {
        "ED25519": ("RAW",),
        "ED25519PH": ("DIGEST",),
        "ML_DSA": ("RAW", "EXTERNAL_MU"),
    }.get(scheme.family, ("RAW", "DIGEST"))
    if given not in allowed:
        raise AwsError(
            "ValidationException", f"Message type {given} is incompatible with algorithm {algorithm}."
        )
    if given != "RAW" and len(message) != scheme.digest_size:
        raise AwsError("ValidationException", f"Digest is invalid length for algorithm {algorithm}.")
    # ED25519_PH_SHA_512 with DIGEST: KMS hashes the digest again (botocore's MessageType doc),
    # so the bytes are Ed25519ph's message M, not PH(M).
    how: crypto.Input = "RAW" if scheme.family == "ED25519PH" else given  # type: ignore[assignment]
    return algorithm, scheme, message, how


def sign(payload: Mapping[str, Any], key: StoredKey, arn: str) -> dict[str, Any]:
    algorithm, scheme, message, how = _signing_input(payload, key, arn, "Sign")
    _dry_run(payload)
    signature = crypto.sign(key.private_key(), scheme, message, how)
    return {"KeyId": arn, "Signature": _b64(signature), "SigningAlgorithm": algorithm}


def verify(payload: Mapping[str, Any], key: StoredKey, arn: str) -> dict[str, Any]:
    algorithm, scheme, message, how = _signing_input(payload, key, arn, "Verify")
    signature = blob(payload, "Signature", MAX_SIGNATURE)
    assert signature is not None
    _dry_run(payload)
    if not crypto.verify(key.private_key().public_key(), scheme, signature, message, how):
        raise AwsError("KMSInvalidSignatureException", None)
    return {"KeyId": arn, "SignatureValid": True, "SigningAlgorithm": algorithm}


def _cipher(payload: Mapping[str, Any], key: StoredKey, arn: str, operation: str) -> str:
    algorithm = enum(payload, "EncryptionAlgorithm", ENCRYPTION_ENUM, default="SYMMETRIC_DEFAULT")
    _usage(key, arn, "ENCRYPT_DECRYPT", operation)
    _listed(key, "EncryptionAlgorithms", algorithm)
    return algorithm


def encrypt(payload: Mapping[str, Any], key: StoredKey, arn: str) -> dict[str, Any]:
    plaintext = blob(payload, "Plaintext", MAX_MESSAGE)
    assert plaintext is not None
    algorithm = _cipher(payload, key, arn, "Encrypt")
    private = key.private_key()
    limit = SM2PKE_LIMIT
    if isinstance(private, rsa.RSAPrivateKey):
        limit = crypto.max_plaintext(private, CIPHERS[algorithm])
    if len(plaintext) > limit:
        raise AwsError(
            "ValidationException",
            f"Algorithm {algorithm} and key spec {key.key_spec} "
            f"cannot encrypt data larger than {limit} bytes.",
        )
    _dry_run(payload)
    ciphertext = crypto.encrypt(private.public_key(), CIPHERS[algorithm], plaintext)
    return {"CiphertextBlob": _b64(ciphertext), "KeyId": arn, "EncryptionAlgorithm": algorithm}


def decrypt(payload: Mapping[str, Any], key: StoredKey, arn: str) -> dict[str, Any]:
    ciphertext = blob(payload, "CiphertextBlob", MAX_CIPHERTEXT)
    assert ciphertext is not None
    algorithm = _cipher(payload, key, arn, "Decrypt")
    _dry_run(payload)
    plaintext = crypto.decrypt(key.private_key(), CIPHERS[algorithm], ciphertext)
    if plaintext is None:
        raise AwsError("InvalidCiphertextException", None)
    return {"KeyId": arn, "Plaintext": _b64(plaintext), "EncryptionAlgorithm": algorithm}


def derive_shared_secret(payload: Mapping[str, Any], key: StoredKey, arn: str) -> dict[str, Any]:
    algorithm = enum(payload, "KeyAgreementAlgorithm", ("ECDH",))
    peer = blob(payload, "PublicKey", MAX_PEER_KEY)
    assert peer is not None
    _usage(key, arn, "KEY_AGREEMENT", "DeriveSharedSecret")
    private = key.private_key()
    assert isinstance(private, ec.EllipticCurvePrivateKey)
    _dry_run(payload)
    secret = crypto.ecdh(private, peer)
    if secret is None:
        raise AwsError(
            "ValidationException",
            f"PublicKey is not a DER-encoded SubjectPublicKeyInfo on the curve of key spec {key.key_spec}.",
        )
    return {
        "KeyId": arn,
        "SharedSecret": _b64(secret),
        "KeyAgreementAlgorithm": algorithm,
        "KeyOrigin": "AWS_KMS",
    }


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


# X-Amz-Target operation name -> handler(payload, key, key ARN). The key is resolved and
# checked enabled before; Decrypt without KeyId never reaches here (see aws.py).
OPERATIONS: Mapping[str, Callable[[Mapping[str, Any], StoredKey, str], dict[str, Any]]] = {
    "Sign": sign,
    "Verify": verify,
    "Encrypt": encrypt,
    "Decrypt": decrypt,
    "DeriveSharedSecret": derive_shared_secret,
}
