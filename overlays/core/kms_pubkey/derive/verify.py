"""Verify a KMS signature offline, by the algorithm name the key's vendor uses.

Everything that depends only on the key and the names (the algorithm's fit, the message
type, the `cryptography` key object and padding) is settled once and remembered as a
`Check`; a call then costs the check of the message and the verification itself.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from functools import lru_cache
from typing import TYPE_CHECKING

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa, utils

from kms_pubkey import algorithms
from kms_pubkey.derive import ed25519ph, sm2
from kms_pubkey.derive.crypto import to_cryptography
from kms_pubkey.derive.usage import allowed
from kms_pubkey.errors import InvalidSignatureError, UnsupportedKeyError, ValidationError
from kms_pubkey.read import numbers, parse_spki

if TYPE_CHECKING:
    from kms_pubkey.public_key import PublicKey

Check = Callable[[bytes, bytes], bool]
"""(signature, message) -> valid; `ValidationError` for a message of the wrong shape."""

_HASHES: dict[str, Callable[[], hashes.HashAlgorithm]] = {
    "sha256": hashes.SHA256,
    "sha384": hashes.SHA384,
    "sha512": hashes.SHA512,
}
_DIGEST_BYTES = {"sha256": 32, "sha384": 48, "sha512": 64, "sm3": 32}
SIGNATURE_FORMATS = ("der", "raw")


def verify(
    key: PublicKey,
    signature: bytes,
    message: bytes,
    *,
    algorithm: str,
    message_type: str | None = None,
    signature_format: str = "der",
    distinguishing_id: bytes = algorithms.SM2_DEFAULT_ID,
) -> None:
    if not check(key, algorithm, message_type, signature_format, distinguishing_id)(signature, message):
        raise InvalidSignatureError(
            f"the signature does not verify with this {key.key_spec} key and {algorithm}"
        )


@lru_cache(maxsize=256)
def check(
    key: PublicKey, algorithm: str, message_type: str | None, signature_format: str, distinguishing_id: bytes
) -> Check:
    """The remembered `Check` for these names; `ValidationError` for names that do not fit."""
    entry, neutral = allowed(key, "sign", algorithm, algorithms.SIGNING, key.signing_algorithms)
    vendor = algorithms.vocabulary(key.vocabulary or key.vendor)
    if message_type is None:
        # The vendor's default, unless the algorithm cannot take it: pure Ed25519 signs RAW only.
        default = algorithms.DEFAULT_MESSAGE_TYPE[vendor]
        kind = default if default in entry.message_types else entry.message_types[0]
    else:
        kind = message_type.upper()
    if kind not in entry.message_types:
        raise ValidationError(
            f"{algorithm} takes message type {' or '.join(entry.message_types)} from {vendor}, not {kind}"
        )
    if signature_format not in SIGNATURE_FORMATS:
        raise ValidationError(f"signature_format must be 'der' or 'raw', not {signature_format!r}")
    limit = algorithms.RAW_MESSAGE_LIMIT.get(vendor) if kind == algorithms.RAW else None
    digest_bytes = 64 if kind == algorithms.EXTERNAL_MU else _DIGEST_BYTES.get(entry.hash or "")
    hashed_by = algorithms.RAW if entry.digest_is_message else kind  # how the scheme treats the bytes
    verify_one = _SCHEMES[entry.scheme](
        key, neutral, entry.hash, hashed_by, signature_format, distinguishing_id
    )

    def run(signature: bytes, message: bytes) -> bool:
        if kind == algorithms.RAW:
            if limit is not None and len(message) > limit:
                raise ValidationError(
                    f"{vendor} signs a RAW message of at most {limit} bytes, not {len(message)}"
                )
        elif len(message) != digest_bytes:
            raise ValidationError(f"a {kind} for {algorithm} is {digest_bytes} bytes, not {len(message)}")
        return verify_one(signature, message)

    return run


Maker = Callable[["PublicKey", str, "str | None", str, str, bytes], Check]


def _rsa(scheme: str) -> Maker:
    def make(key: PublicKey, _: str, hash_name: str | None, kind: str, __: str, ___: bytes) -> Check:
        public = to_cryptography(key)
        assert isinstance(public, rsa.RSAPublicKey) and hash_name is not None
        algorithm = _HASHES[hash_name]()
        chosen = utils.Prehashed(algorithm) if kind == algorithms.DIGEST else algorithm
        # Strict PSS: the salt is as long as the digest, what every KMS signs with.
        # `AUTO` or `MAX_LENGTH` would accept any salt (moto signs with the maximum).
        pad: padding.AsymmetricPadding = (
            padding.PSS(mgf=padding.MGF1(algorithm), salt_length=padding.PSS.DIGEST_LENGTH)
            if scheme == "PSS"
            else padding.PKCS1v15()
        )

        def run(signature: bytes, message: bytes) -> bool:
            try:
                public.verify(signature, message, pad, chosen)
            except InvalidSignature:
                return False
            return True

        return run

    return make


def _ecdsa(
    key: PublicKey, _: str, hash_name: str | None, kind: str, signature_format: str, __: bytes
) -> Check:
    public = to_cryptography(key)
    assert isinstance(public, ec.EllipticCurvePublicKey) and hash_name is not None
    algorithm = _HASHES[hash_name]()
    signing = ec.ECDSA(utils.Prehashed(algorithm) if kind == algorithms.DIGEST else algorithm)
    size = (public.curve.key_size + 7) // 8

    def run(signature: bytes, message: bytes) -> bool:
        if signature_format == "raw":  # JWS's r||s, each as long as the curve's order
            if len(signature) != 2 * size:
                return False
            r, s = int.from_bytes(signature[:size], "big"), int.from_bytes(signature[size:], "big")
            signature = utils.encode_dss_signature(r, s)
        try:
            public.verify(signature, message, signing)
        except InvalidSignature:
            return False
        return True

    return run


def _ed25519(key: PublicKey, *_: object) -> Check:
    public = to_cryptography(key)
    assert isinstance(public, ed25519.Ed25519PublicKey)

    def run(signature: bytes, message: bytes) -> bool:
        try:
            public.verify(signature, message)
        except InvalidSignature:
            return False
        return True

    return run


def _ed25519ph(key: PublicKey, _: str, __: str | None, kind: str, *___: object) -> Check:
    public = parse_spki(key.der).key_bits

    def run(signature: bytes, message: bytes) -> bool:
        prehash = hashlib.sha512(message).digest() if kind == algorithms.RAW else message
        return ed25519ph.verify(public, signature, ed25519ph.DOM2_PH, prehash)

    return run


def _sm2(
    key: PublicKey, neutral: str, _: str | None, kind: str, signature_format: str, sm2_id: bytes
) -> Check:
    point = numbers.ec_point(neutral, parse_spki(key.der).key_bits)
    z_a = sm2.z_a(point, sm2_id) if kind == algorithms.RAW else b""

    def run(signature: bytes, message: bytes) -> bool:
        # DIGEST is e = SM3(Z_A || M) itself, as Alibaba's AsymmetricSign documents for SM2DSA;
        # AWS's and Huawei's rule for an SM2 digest is unconfirmed and taken to be the same.
        e = sm2.sm3(z_a + message) if kind == algorithms.RAW else message
        found = sm2.signature_numbers(signature, signature_format)
        return found is not None and sm2.verify_digest(point, e, *found)

    return run


def _mldsa(key: PublicKey, _: str, __: str | None, kind: str, *___: object) -> Check:
    public = to_cryptography(key)  # UnsupportedKeyError before cryptography 47, which has no ML-DSA
    # RAW signs the message with an empty context; EXTERNAL_MU signs the 64-byte mu (FIPS 204).
    name = "verify_mu" if kind == algorithms.EXTERNAL_MU else "verify"
    verify_one: Callable[[bytes, bytes], None] | None = getattr(public, name, None)
    if verify_one is None:
        raise UnsupportedKeyError(f"this cryptography release has no ML-DSA {name} (50 has it)")

    def run(signature: bytes, message: bytes) -> bool:
        try:
            verify_one(signature, message)
        except InvalidSignature:
            return False
        return True

    return run


_SCHEMES: dict[str, Maker] = {
    "PSS": _rsa("PSS"),
    "PKCS1": _rsa("PKCS1"),
    "ECDSA": _ecdsa,
    "ED25519": _ed25519,
    "ED25519PH": _ed25519ph,
    "SM2": _sm2,
    "MLDSA": _mldsa,
}
