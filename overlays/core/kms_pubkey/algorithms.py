"""Each vendor's algorithm names, as data: what a name means offline, and which keys it fits.

`PublicKey.verify`, `encrypt`, `derive_shared_secret` and `encapsulate` look names up here in
the vocabulary of the key's vendor. A key without a vendor (one read with `load_public_key`
and no `vendor=`) speaks AWS's names, as its `key_spec` does; pass `vendor=` to read it in
another's.

Keys are named neutrally (`kms_pubkey.read.spec`): "RSA" stands for every RSA size. Sources
are in the table of `shared/DESIGN.md` ("Offline use"); what no primary source settled is
marked "unconfirmed" where it is used, with the vendor code we followed.
"""

from __future__ import annotations

from typing import Final, Literal

from kms_pubkey import defaults
from kms_pubkey.frozen import Frozen

Scheme = Literal["PSS", "PKCS1", "ECDSA", "ED25519", "ED25519PH", "SM2", "MLDSA"]

RAW: Final = "RAW"
DIGEST: Final = "DIGEST"
EXTERNAL_MU: Final = "EXTERNAL_MU"

# Message type when the caller names none: each service's own default.
DEFAULT_MESSAGE_TYPE: Final = {"aws": RAW, "alibaba": DIGEST, "alibaba-instance": RAW, "huawei": DIGEST}
# AWS refuses a RAW message over 4096 bytes (Sign, Verify); the others document no cap we found.
RAW_MESSAGE_LIMIT: Final = {"aws": 4096}
SM2_DEFAULT_ID = defaults.SM2_DEFAULT_ID

_RSA = frozenset({"RSA"})
_ED25519 = frozenset({"ED25519"})
_SM2 = frozenset({"SM2"})
_ML_DSA = frozenset({"ML_DSA_44", "ML_DSA_65", "ML_DSA_87"})
_NIST_P256 = frozenset({"P256", "SECP256K1"})


class Signing(Frozen):
    """A signing algorithm: scheme, hash (hashlib name), the keys it fits, its message types."""

    __slots__ = ("digest_is_message", "hash", "keys", "message_types", "scheme")
    scheme: Scheme
    hash: str | None
    keys: frozenset[str]
    message_types: tuple[str, ...]
    digest_is_message: bool
    """The service hashes a DIGEST again, as the algorithm's message (AWS ED25519_PH_SHA_512)."""

    def __init__(
        self,
        scheme: Scheme,
        hash: str | None,
        keys: frozenset[str],
        message_types: tuple[str, ...],
        digest_is_message: bool = False,
    ) -> None:
        self._set(
            scheme=scheme,
            hash=hash,
            keys=keys,
            message_types=message_types,
            digest_is_message=digest_is_message,
        )


class Encryption(Frozen):
    """An encryption algorithm: `OAEP` with MGF1 and label None, or `SM2` (SM3, DER C1C3C2)."""

    __slots__ = ("hash", "keys", "limit", "scheme")
    scheme: Literal["OAEP", "SM2"]
    hash: str
    keys: frozenset[str]
    limit: int | None
    """SM2 only: the service's plaintext cap; OAEP's follows from the key."""

    def __init__(
        self, scheme: Literal["OAEP", "SM2"], hash: str, keys: frozenset[str], limit: int | None = None
    ) -> None:
        self._set(scheme=scheme, hash=hash, keys=keys, limit=limit)


class KeyChoice(Frozen):
    """An algorithm with nothing to choose but the key: ECDH, ML-KEM."""

    __slots__ = ("keys",)
    keys: frozenset[str]

    def __init__(self, keys: frozenset[str]) -> None:
        self._set(keys=keys)


def _signing(
    message_types: tuple[str, ...], names: dict[str, tuple[Scheme, str | None, frozenset[str]]]
) -> dict[str, Signing]:
    """Classic schemes take the vendor's message types; Ed25519 (pure) signs only the message itself."""
    table = {}
    for name, (scheme, hash_name, keys) in names.items():
        types = (RAW,) if scheme == "ED25519" else tuple(t for t in message_types if t != EXTERNAL_MU)
        table[name] = Signing(scheme, hash_name, keys, types)
    return table


_RSA_SCHEMES: tuple[tuple[str, Scheme], ...] = (("PSS", "PSS"), ("PKCS1_V1_5", "PKCS1"))
_RSA_SIGNING: dict[str, tuple[Scheme, str | None, frozenset[str]]] = {
    f"RSASSA_{prefix}_SHA_{bits}": (kind, f"sha{bits}", _RSA)
    for prefix, kind in _RSA_SCHEMES
    for bits in (256, 384, 512)
}
# AWS pairs each curve with one hash: P-256 and secp256k1 SHA-256, P-384 SHA-384, P-521 SHA-512.
_ECDSA: dict[str, tuple[Scheme, str | None, frozenset[str]]] = {
    "ECDSA_SHA_256": ("ECDSA", "sha256", _NIST_P256),
    "ECDSA_SHA_384": ("ECDSA", "sha384", frozenset({"P384"})),
    "ECDSA_SHA_512": ("ECDSA", "sha512", frozenset({"P521"})),
}
_EDWARDS: dict[str, tuple[Scheme, str | None, frozenset[str]]] = {
    "ED25519_SHA_512": ("ED25519", "sha512", _ED25519),
    "ED25519_PH_SHA_512": ("ED25519PH", "sha512", _ED25519),
}

SIGNING: Final[dict[str, dict[str, Signing]]] = {
    "aws": {
        **_signing((RAW, DIGEST), {**_RSA_SIGNING, **_ECDSA, **_EDWARDS, "SM2DSA": ("SM2", "sm3", _SM2)}),
        # ML-DSA signs the message or its 64-byte mu (FIPS 204 external mu), never a hash of it.
        "ML_DSA_SHAKE_256": Signing("MLDSA", None, _ML_DSA, (RAW, EXTERNAL_MU)),
        # botocore's MessageType doc: ED25519_PH_SHA_512 requires DIGEST, and KMS "still performs
        # the SHA-512 prehash ... the input is hashed twice": the digest is Ed25519ph's message M.
        "ED25519_PH_SHA_512": Signing("ED25519PH", "sha512", _ED25519, (DIGEST,), digest_is_message=True),
    },
    # The shared gateway signs digests only (AsymmetricSign takes `Digest`).
    "alibaba": _signing(
        (DIGEST,),
        {
            "RSA_PSS_SHA_256": ("PSS", "sha256", _RSA),
            "RSA_PKCS1_SHA_256": ("PKCS1", "sha256", _RSA),
            "ECDSA_SHA_256": ("ECDSA", "sha256", _NIST_P256),
            "SM2DSA": ("SM2", "sm3", _SM2),
        },
    ),
    # Huawei's PSS salt length and ECDSA encoding (DER taken, as AWS and OpenSSL use) are
    # unconfirmed: huaweicloudsdkkms only passes names through. Huawei's SM2 keys sign digests
    # only, SM3(Z_A || M) with the default ID (its DEW FAQ "How Do I Calculate the SM3 Digest
    # During SM2 Signature?"); offline, RAW still verifies such a signature, computing e here.
    # Huawei's ED25519_PH_SHA_512 DIGEST is taken as PH(M) itself (unconfirmed; the emulator agrees).
    "huawei": _signing(
        (RAW, DIGEST),
        {**_RSA_SIGNING, **_ECDSA, **_EDWARDS, "SM2DSA_SM3": ("SM2", "sm3", _SM2)},
    ),
}
SIGNING["alibaba-instance"] = {
    name: Signing(entry.scheme, entry.hash, entry.keys, (RAW, DIGEST), entry.digest_is_message)
    for name, entry in SIGNING["alibaba"].items()
}

_OAEP = {
    "RSAES_OAEP_SHA_1": Encryption("OAEP", "sha1", _RSA),
    "RSAES_OAEP_SHA_256": Encryption("OAEP", "sha256", _RSA),
}
ENCRYPTION: Final[dict[str, dict[str, Encryption]]] = {
    # AWS Encrypt documents 1024 bytes for SM2PKE.
    "aws": {**_OAEP, "SM2PKE": Encryption("SM2", "sm3", _SM2, limit=1024)},
    # Alibaba AsymmetricEncrypt documents 6047 bytes for SM2PKE.
    "alibaba": {**_OAEP, "SM2PKE": Encryption("SM2", "sm3", _SM2, limit=6047)},
    # Huawei: no SM2 plaintext cap documented that we found (unconfirmed); AWS's 1024 is the
    # smallest any vendor states, so nothing we encrypt can be refused for its size.
    "huawei": {
        "RSAES_OAEP_SHA_256": _OAEP["RSAES_OAEP_SHA_256"],
        "SM2_ENCRYPT": Encryption("SM2", "sm3", _SM2, limit=1024),
    },
}
ENCRYPTION["alibaba-instance"] = ENCRYPTION["alibaba"]

# AWS DeriveSharedSecret: ECDH on the NIST curves (and SM2 in China regions, which
# `cryptography` cannot hold a private key for).
KEY_AGREEMENT: Final[dict[str, dict[str, KeyChoice]]] = {
    "aws": {"ECDH": KeyChoice(frozenset({"P256", "P384", "P521", "SM2"}))},
}
# AWS ML-KEM keys; `cryptography` has ML-KEM-768 and -1024 only.
ENCAPSULATION: Final[dict[str, dict[str, KeyChoice]]] = {
    "aws": {"ML_KEM": KeyChoice(frozenset({"ML_KEM_512", "ML_KEM_768", "ML_KEM_1024"}))},
}

# What each service calls the usage of a key, by the operation it allows.
USAGES: Final = {
    "sign": frozenset({"SIGN_VERIFY", "SIGN/VERIFY"}),
    "encrypt": frozenset({"ENCRYPT_DECRYPT", "ENCRYPT/DECRYPT"}),
    "agree": frozenset({"KEY_AGREEMENT"}),
    "encapsulate": frozenset({"ENCAPSULATE_DECAPSULATE"}),
}


def vocabulary(vendor: str | None) -> str:
    """The vendor whose names a key speaks: its own, AWS's when it has none or is unknown."""
    return vendor if vendor in DEFAULT_MESSAGE_TYPE else "aws"


def key_kind(neutral: str) -> str:
    """The neutral spec as the tables above name it ("RSA" for every RSA size)."""
    return "RSA" if neutral.startswith("RSA_") else neutral
