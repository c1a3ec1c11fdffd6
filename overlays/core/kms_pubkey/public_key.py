"""The key value: `PublicKey`, and the two ways one is made (`load_public_key`, `from_service`).

Core's flow is read -> key -> derive. This module builds on `kms_pubkey.read` and never
imports `kms_pubkey.derive` at import time: `to_cryptography`, `to_jwk`, `to_ssh`,
`fingerprint` and the offline methods (`verify`, `encrypt`...) load their implementation when
called, which also keeps `cryptography` off the cold-start path.
"""

from __future__ import annotations

import base64
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from kms_pubkey.defaults import SM2_DEFAULT_ID
from kms_pubkey.errors import KeyFormatError, ResponseError
from kms_pubkey.frozen import Frozen
from kms_pubkey.read import parse_spki, read_key, spec

if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Literal, TypeAlias

    from cryptography.hazmat.primitives.asymmetric.ec import EllipticCurvePrivateKey
    from cryptography.hazmat.primitives.asymmetric.types import PublicKeyTypes

    # The options of the derive methods, named here so that `kms_pubkey.derive` can share them.
    # For type checkers only: building the Literal types cost every cold start ~0.1 ms.
    JwkUse: TypeAlias = Literal["sig", "enc"]
    KidRule: TypeAlias = Literal["thumbprint", "key_id"] | Callable[["PublicKey"], str]
    FingerprintKind: TypeAlias = Literal["sha256-spki", "ssh-sha256", "jwk-thumbprint"]


def _tuple(value: Iterable[str] | str | None) -> tuple[str, ...]:
    """An algorithm list as a tuple; one name alone is a list of one."""
    if isinstance(value, tuple):
        return value
    if isinstance(value, str):
        return (value,)
    return tuple(value or ())


class PublicKey(Frozen):
    """A public key fetched from a KMS, with what the service said about it.

    `der` is always a DER SubjectPublicKeyInfo, whatever shape the service sent; build
    instances with `load_public_key`, which checks and normalises it. Immutable, compared and
    hashed by value; the repr leaves the key bytes out.
    """

    __slots__ = (
        "der",
        "encapsulation_algorithms",
        "encryption_algorithms",
        "key_agreement_algorithms",
        "key_id",
        "key_spec",
        "key_usage",
        "key_version_id",
        "request_id",
        "signing_algorithms",
        "vendor",
        "vocabulary",
    )
    _hidden = frozenset({"der"})
    der: bytes
    key_spec: str
    vendor: str | None
    key_id: str | None
    key_version_id: str | None
    key_usage: str | None
    signing_algorithms: tuple[str, ...]
    encryption_algorithms: tuple[str, ...]
    key_agreement_algorithms: tuple[str, ...]
    encapsulation_algorithms: tuple[str, ...]
    request_id: str | None
    vocabulary: str | None
    """Whose algorithm names `verify`/`encrypt` take when not the vendor's: "alibaba-instance"
    for a key from the KMS instance (dedicated gateway), which signs RAW messages by default."""

    def __init__(
        self,
        *,
        der: bytes,
        key_spec: str,
        vendor: str | None = None,
        key_id: str | None = None,
        key_version_id: str | None = None,
        key_usage: str | None = None,
        signing_algorithms: Iterable[str] = (),
        encryption_algorithms: Iterable[str] = (),
        key_agreement_algorithms: Iterable[str] = (),
        encapsulation_algorithms: Iterable[str] = (),
        request_id: str | None = None,
        vocabulary: str | None = None,
    ) -> None:
        # Through the slots' own setters (`_slot_setters`, below the class): one key per answer.
        _set_der(self, der)
        _set_key_spec(self, key_spec)
        _set_vendor(self, vendor)
        _set_key_id(self, key_id)
        _set_key_version_id(self, key_version_id)
        _set_key_usage(self, key_usage)
        _set_signing(
            self, signing_algorithms if type(signing_algorithms) is tuple else _tuple(signing_algorithms)
        )
        _set_encryption(
            self,
            encryption_algorithms if type(encryption_algorithms) is tuple else _tuple(encryption_algorithms),
        )
        _set_agreement(
            self,
            key_agreement_algorithms
            if type(key_agreement_algorithms) is tuple
            else _tuple(key_agreement_algorithms),
        )
        _set_encapsulation(
            self,
            encapsulation_algorithms
            if type(encapsulation_algorithms) is tuple
            else _tuple(encapsulation_algorithms),
        )
        _set_request_id(self, request_id)
        _set_vocabulary(self, vocabulary)

    @property
    def pem(self) -> str:
        """SPKI PEM with LF line endings and 64-column lines."""
        body = base64.b64encode(self.der).decode("ascii")
        lines = [body[i : i + 64] for i in range(0, len(body), 64)]
        return "-----BEGIN PUBLIC KEY-----\n" + "\n".join(lines) + "\n-----END PUBLIC KEY-----\n"

    # What is made from a key lives in kms_pubkey.derive, which imports this module; the
    # methods import it when called so that the import arrow keeps pointing one way.
    def to_cryptography(self) -> PublicKeyTypes:
        """The `cryptography` key object; loading it also checks the key mathematically.

        Raises `UnsupportedKeyError` for keys that library cannot represent (SM2, ML-KEM-512).
        """
        from kms_pubkey.derive.crypto import to_cryptography

        return to_cryptography(self)

    def to_jwk(
        self,
        *,
        alg: str | None = None,
        kid: KidRule = "thumbprint",
        use: JwkUse | None = None,
        key_ops: bool = False,
    ) -> dict[str, Any]:
        """The key as a JWK (RFC 7517) with `use`, `alg` where one fits, and `kid`.

        `alg` defaults to the one JOSE algorithm the key's algorithms allow (none when several
        do); a given `alg` must fit the key. `use` comes from the key usage; a given one must
        agree. `kid` is the RFC 7638 thumbprint, `"key_id"` (the key id without an ARN's
        account and region, plus the key version where there is one) or a function of the key.
        `key_ops=True` adds `key_ops` matching `use`. `UnsupportedKeyError` for SM2 and ML-KEM.
        """
        from kms_pubkey.derive.jwk import to_jwk

        return to_jwk(self, alg=alg, kid=kid, use=use, key_ops=key_ops)

    def to_ssh(self, comment: str | None = None) -> str:
        """The OpenSSH public key line (`ssh-ed25519 AAAA... [comment]`).

        RSA, ECDSA P-256/384/521 and Ed25519; `UnsupportedKeyError` for any other key.
        """
        from kms_pubkey.derive.ssh import to_ssh

        return to_ssh(self, comment)

    def fingerprint(self, kind: FingerprintKind = "sha256-spki") -> str:
        """`sha256-spki` (hex SHA-256 of the DER), `ssh-sha256` (`SHA256:...` as ssh-keygen
        prints it) or `jwk-thumbprint` (RFC 7638)."""
        from kms_pubkey.derive.fingerprint import fingerprint

        return fingerprint(self, kind)

    # Offline use, by the algorithm names of the key's vendor (AWS's for a key without one);
    # kms_pubkey.algorithms holds what each name means.
    def verify(
        self,
        signature: bytes,
        message: bytes,
        *,
        algorithm: str,
        message_type: str | None = None,
        signature_format: Literal["der", "raw"] = "der",
        distinguishing_id: bytes = SM2_DEFAULT_ID,
    ) -> None:
        """Check a signature the KMS made; `InvalidSignatureError` when it does not verify.

        `message_type` RAW, DIGEST or EXTERNAL_MU, by default the vendor's (AWS RAW, Huawei
        DIGEST, Alibaba's shared gateway DIGEST, its KMS instance RAW). `signature_format`
        "raw" takes ECDSA and SM2 signatures as r||s (JWS) instead of DER. `distinguishing_id`
        is the SM2 signer's ID. A name that does not fit the key, or a message of the wrong
        length for its type, is a `ValidationError` before any crypto runs.
        """
        from kms_pubkey.derive.verify import verify

        verify(
            self,
            signature,
            message,
            algorithm=algorithm,
            message_type=message_type,
            signature_format=signature_format,
            distinguishing_id=distinguishing_id,
        )

    def is_valid_signature(
        self,
        signature: bytes,
        message: bytes,
        *,
        algorithm: str,
        message_type: str | None = None,
        signature_format: Literal["der", "raw"] = "der",
        distinguishing_id: bytes = SM2_DEFAULT_ID,
    ) -> bool:
        """`verify` as a bool; what `verify` refuses before any crypto still raises `ValidationError`."""
        from kms_pubkey.derive.verify import check

        return check(self, algorithm, message_type, signature_format, distinguishing_id)(signature, message)

    def encrypt(self, plaintext: bytes, *, algorithm: str) -> bytes:
        """Encrypt so that the KMS's Decrypt with `algorithm` opens it (OAEP, SM2 as DER C1C3C2).

        A plaintext over the algorithm's limit (OAEP-SHA-256 on RSA-2048: 190 bytes) is a
        `ValidationError`.
        """
        from kms_pubkey.derive.encrypt import encrypt

        return encrypt(self, plaintext, algorithm=algorithm)

    def derive_shared_secret(self, private_key: EllipticCurvePrivateKey, *, algorithm: str = "ECDH") -> bytes:
        """The raw ECDH shared secret (Z, no KDF), as AWS DeriveSharedSecret returns it."""
        from kms_pubkey.derive.agree import derive_shared_secret

        return derive_shared_secret(self, private_key, algorithm=algorithm)

    def encapsulate(self, *, algorithm: str = "ML_KEM") -> tuple[bytes, bytes]:
        """ML-KEM: (shared secret, ciphertext); cryptography >= 47, ML-KEM-768 and -1024 only."""
        from kms_pubkey.derive.agree import encapsulate

        return encapsulate(self, algorithm=algorithm)


(
    _set_der,
    _set_key_spec,
    _set_vendor,
    _set_key_id,
    _set_key_version_id,
    _set_key_usage,
    _set_signing,
    _set_encryption,
    _set_agreement,
    _set_encapsulation,
    _set_request_id,
    _set_vocabulary,
) = PublicKey._slot_setters(
    (
        "der",
        "key_spec",
        "vendor",
        "key_id",
        "key_version_id",
        "key_usage",
        "signing_algorithms",
        "encryption_algorithms",
        "key_agreement_algorithms",
        "encapsulation_algorithms",
        "request_id",
        "vocabulary",
    ),
)


def load_public_key(data: str | bytes, **metadata: Any) -> PublicKey:
    """Read a public key in any format a KMS sends, normalised to SPKI DER.

    Accepts SPKI PEM (LF, CRLF or literal `\\n` escapes), PKCS#1 `RSA PUBLIC KEY` PEM, a
    PKCS#1 body under a `PUBLIC KEY` label, SPKI or PKCS#1 DER, and base64 DER. Anything
    else, private keys included, raises `KeyFormatError` without echoing the input.

    `metadata` fills the other `PublicKey` fields. Without `key_spec`, it is derived
    from the key in the vocabulary of `vendor` (AWS's when there is none).
    """
    neutral, der, _ = read_key(data)
    return _new_key(der, neutral, metadata)


def from_service(
    data: object,
    *,
    vendor: str,
    key_spec: str | None = None,
    key_id: str | None = None,
    key_version_id: str | None = None,
    key_usage: str | None = None,
    signing_algorithms: Iterable[str] = (),
    encryption_algorithms: Iterable[str] = (),
    key_agreement_algorithms: Iterable[str] = (),
    encapsulation_algorithms: Iterable[str] = (),
    request_id: str | None = None,
    vocabulary: str | None = None,
) -> PublicKey:
    """Build the key a service returned, treating anything unreadable as a bad answer.

    A key spec the service reports must match the key itself; a mismatch means we
    would hand the caller the wrong algorithm, so it is a `ResponseError`. A spec name
    we do not know yet (one added after this release) is kept as reported.
    """
    if not isinstance(data, (str, bytes)) or not data:
        raise ResponseError(f"{vendor} answered without a public key")
    try:
        neutral, der, _ = read_key(data)  # the answer's bytes are read once, here
    except KeyFormatError as exc:
        raise ResponseError(f"{vendor} answered with an unreadable public key: {exc}") from None
    if key_spec:
        reported = spec.neutral_of(key_spec, vendor)
        if reported is not None and reported != neutral:
            actual = spec.vendor_spec(neutral, vendor)
            raise ResponseError(f"{vendor} reported key spec {key_spec} but the key it sent is {actual}")
    else:
        key_spec = spec.vendor_spec(neutral, vendor)
    return PublicKey(
        der=der,
        key_spec=key_spec,
        vendor=vendor,
        key_id=key_id,
        key_version_id=key_version_id,
        key_usage=key_usage,
        signing_algorithms=signing_algorithms,
        encryption_algorithms=encryption_algorithms,
        key_agreement_algorithms=key_agreement_algorithms,
        encapsulation_algorithms=encapsulation_algorithms,
        request_id=request_id,
        vocabulary=vocabulary,
    )


def _new_key(der: bytes, neutral: str, metadata: dict[str, Any]) -> PublicKey:
    if not metadata.get("key_spec"):
        metadata["key_spec"] = spec.vendor_spec(neutral, metadata.get("vendor"))
    if "der" in metadata:
        raise TypeError("load_public_key got an unknown field: der")
    try:
        return PublicKey(der=der, **metadata)
    except TypeError as exc:
        raise TypeError(f"load_public_key got an unknown field: {exc}") from None


def neutral_key_spec(key: PublicKey) -> str:
    """The vendor-independent name of the key (`RSA_2048`, `P256`, `ML_DSA_65`...)."""
    return parse_spki(key.der).neutral
