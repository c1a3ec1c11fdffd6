"""What KMS does with a private key, in neutral terms each vendor module maps its names onto.

Written with `cryptography` directly from the vendors' rules (DESIGN.md, "Offline use"):
PSS with MGF1 over the same hash and a salt as long as the digest; PKCS#1 v1.5; ECDSA with DER
signatures; Ed25519 and Ed25519ph (RFC 8032, empty context); ML-DSA over the message or over
an external mu; RSAES-OAEP with MGF1 over the same hash and no label; ECDH giving the raw Z;
SM2 (`sm2.py`: e = SM3(Z_A || M) with the default distinguishing ID, DER signatures, DER C1C3C2
ciphertexts). A DIGEST message is signed as it is (`Prehashed`; for Ed25519ph it is PH(M); for
SM2 it is e itself), never hashed again.
"""

from __future__ import annotations

import dataclasses
from typing import Literal, Protocol, cast

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa, utils
from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes, PublicKeyTypes

from kms_pubkey_emulator import ed25519ph, sm2

Family = Literal["PSS", "PKCS1", "ECDSA", "ED25519", "ED25519PH", "ML_DSA", "SM2"]
# How the request's bytes reach the algorithm: hashed by it (RAW), already hashed (DIGEST),
# or ML-DSA's 64-byte mu (EXTERNAL_MU).
Input = Literal["RAW", "DIGEST", "EXTERNAL_MU"]

_HASHES: dict[str, type[hashes.HashAlgorithm]] = {
    "SHA1": hashes.SHA1,
    "SHA256": hashes.SHA256,
    "SHA384": hashes.SHA384,
    "SHA512": hashes.SHA512,
}
MU_SIZE = 64
SM2_CIPHER = "SM2"
"""The cipher name (beside the OAEP hashes `SHA1`, `SHA256`) of SM2 public-key encryption."""


class _MlDsaPrivate(Protocol):
    """cryptography's ML-DSA private keys (looked up by shape, since older builds lack the module)."""

    def sign(self, data: bytes) -> bytes: ...

    def sign_mu(self, mu: bytes) -> bytes: ...


class _MlDsaPublic(Protocol):
    def verify(self, signature: bytes, data: bytes) -> None: ...

    def verify_mu(self, signature: bytes, mu: bytes) -> None: ...


@dataclasses.dataclass(frozen=True)
class Scheme:
    """A signing scheme: the family and its hash (`SHA256`...; None for ML-DSA)."""

    family: Family
    hash: str | None = None

    @property
    def digest_size(self) -> int:
        """The length a DIGEST message must have (Ed25519ph: SHA-512's 64 bytes; SM2: e's 32)."""
        if self.family == "ML_DSA":
            return MU_SIZE
        if self.family == "SM2":
            return sm2.DIGEST_SIZE
        return _hash(self.hash or "SHA512").digest_size


_RSA_FAMILIES: tuple[tuple[str, Family], ...] = (("PSS", "PSS"), ("PKCS1_V1_5", "PKCS1"))
RSA_SIGNING: dict[str, Scheme] = {
    f"RSASSA_{name}_SHA_{bits}": Scheme(family, f"SHA{bits}")
    for name, family in _RSA_FAMILIES
    for bits in (256, 384, 512)
}
"""The RSA signing names AWS and Huawei share, each with its scheme."""
SM2DSA = Scheme("SM2", "SM3")


def _hash(name: str) -> hashes.HashAlgorithm:
    return _HASHES[name]()


def _pss(name: str) -> padding.PSS:
    return padding.PSS(mgf=padding.MGF1(_hash(name)), salt_length=padding.PSS.DIGEST_LENGTH)


def _ed25519_seed(key: PrivateKeyTypes) -> bytes:
    assert isinstance(key, ed25519.Ed25519PrivateKey)
    return key.private_bytes_raw()


def _ed25519_raw(key: PublicKeyTypes) -> bytes:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def sign(key: PrivateKeyTypes | sm2.PrivateKey, scheme: Scheme, data: bytes, given: Input) -> bytes:
    """Sign `data` as KMS does; the caller has checked the key type and the input's length."""
    digest = given == "DIGEST"
    if scheme.family == "SM2":
        assert isinstance(key, sm2.PrivateKey)
        e = data if digest else sm2.message_digest(key.public_key(), data)
        return sm2.sign_digest(key, e)
    assert not isinstance(key, sm2.PrivateKey)
    if scheme.family in ("PSS", "PKCS1"):
        assert isinstance(key, rsa.RSAPrivateKey) and scheme.hash
        pad = _pss(scheme.hash) if scheme.family == "PSS" else padding.PKCS1v15()
        algorithm = utils.Prehashed(_hash(scheme.hash)) if digest else _hash(scheme.hash)
        return key.sign(data, pad, algorithm)
    if scheme.family == "ECDSA":
        assert isinstance(key, ec.EllipticCurvePrivateKey) and scheme.hash
        chosen = utils.Prehashed(_hash(scheme.hash)) if digest else _hash(scheme.hash)
        return key.sign(data, ec.ECDSA(chosen))
    if scheme.family == "ED25519":
        assert isinstance(key, ed25519.Ed25519PrivateKey)
        return key.sign(data)
    if scheme.family == "ED25519PH":
        seed = _ed25519_seed(key)
        return ed25519ph.sign_digest(seed, data) if digest else ed25519ph.sign(seed, data)
    ml_dsa = cast(_MlDsaPrivate, key)
    return ml_dsa.sign_mu(data) if given == "EXTERNAL_MU" else ml_dsa.sign(data)


def verify(
    key: PublicKeyTypes | sm2.PublicKey, scheme: Scheme, signature: bytes, data: bytes, given: Input
) -> bool:
    """Whether `signature` is valid; strict (PSS salt = digest length, DER for ECDSA and SM2)."""
    digest = given == "DIGEST"
    if scheme.family == "SM2":
        assert isinstance(key, sm2.PublicKey)
        return sm2.verify_digest(key, data if digest else sm2.message_digest(key, data), signature)
    assert not isinstance(key, sm2.PublicKey)
    try:
        if scheme.family in ("PSS", "PKCS1"):
            assert isinstance(key, rsa.RSAPublicKey) and scheme.hash
            pad = _pss(scheme.hash) if scheme.family == "PSS" else padding.PKCS1v15()
            algorithm = utils.Prehashed(_hash(scheme.hash)) if digest else _hash(scheme.hash)
            key.verify(signature, data, pad, algorithm)
        elif scheme.family == "ECDSA":
            assert isinstance(key, ec.EllipticCurvePublicKey) and scheme.hash
            chosen = utils.Prehashed(_hash(scheme.hash)) if digest else _hash(scheme.hash)
            key.verify(signature, data, ec.ECDSA(chosen))
        elif scheme.family == "ED25519":
            assert isinstance(key, ed25519.Ed25519PublicKey)
            key.verify(signature, data)
        elif scheme.family == "ED25519PH":
            check = ed25519ph.verify_digest if digest else ed25519ph.verify
            return check(_ed25519_raw(key), signature, data)
        elif given == "EXTERNAL_MU":
            cast(_MlDsaPublic, key).verify_mu(signature, data)
        else:
            cast(_MlDsaPublic, key).verify(signature, data)
    except (InvalidSignature, ValueError):
        return False
    return True


def oaep(hash_name: str) -> padding.OAEP:
    return padding.OAEP(mgf=padding.MGF1(_hash(hash_name)), algorithm=_hash(hash_name), label=None)


def max_plaintext(key: rsa.RSAPublicKey | rsa.RSAPrivateKey, hash_name: str) -> int:
    """RFC 8017 7.1.1: k - 2*hLen - 2 bytes (RSA-2048 with SHA-256: 190)."""
    return key.key_size // 8 - 2 * _hash(hash_name).digest_size - 2


def encrypt(key: PublicKeyTypes | sm2.PublicKey, cipher: str, plaintext: bytes) -> bytes:
    """RSAES-OAEP with `cipher` the hash (`SHA1`, `SHA256`), or SM2 (`SM2_CIPHER`) to an SM2 key."""
    if cipher == SM2_CIPHER:
        assert isinstance(key, sm2.PublicKey)
        return sm2.encrypt(key, plaintext)
    assert isinstance(key, rsa.RSAPublicKey)
    return key.encrypt(plaintext, oaep(cipher))


def decrypt(key: PrivateKeyTypes | sm2.PrivateKey, cipher: str, ciphertext: bytes) -> bytes | None:
    """The plaintext, or None when the ciphertext is not one of this key's (any failure alike)."""
    if cipher == SM2_CIPHER:
        assert isinstance(key, sm2.PrivateKey)
        return sm2.decrypt(key, ciphertext)
    assert isinstance(key, rsa.RSAPrivateKey)
    if len(ciphertext) != key.key_size // 8:
        return None
    try:
        return key.decrypt(ciphertext, oaep(cipher))
    except ValueError:
        return None


def ecdh(key: ec.EllipticCurvePrivateKey, peer_spki_der: bytes) -> bytes | None:
    """The raw shared secret Z with a peer's SubjectPublicKeyInfo, or None when that is not a
    public key on the same curve."""
    try:
        peer = serialization.load_der_public_key(peer_spki_der)
    except (ValueError, TypeError):
        return None
    if not isinstance(peer, ec.EllipticCurvePublicKey) or peer.curve.name != key.curve.name:
        return None
    return key.exchange(ec.ECDH(), peer)
