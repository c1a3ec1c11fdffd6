"""JWK export (RFC 7517/7518/8037/8812, RFC 9964 for ML-DSA), done from DER so that serving a
JWKS needs no crypto backend (ML-DSA aside: see `_akp`).

A compressed EC point is decompressed here, in plain integer arithmetic (`numbers.ec_point`,
which also checks the point is on its curve): RFC 7518 needs both coordinates.

`use` and `alg` come from what the service said about the key. Alibaba's GetPublicKey and
Huawei's ShowPublicKey answer with the key alone (no usage, no algorithms: only their
DescribeKey/ShowKey carry those), so for them the usage is implied where the vendor allows
one usage for the key type (`_SIGN_ONLY`), or follows from an `alg` the caller names.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from typing import TYPE_CHECKING

from kms_pubkey.errors import KeyFormatError, UnsupportedKeyError, ValidationError
from kms_pubkey.read import der, numbers, parse_spki

if TYPE_CHECKING:
    from kms_pubkey.public_key import JwkUse as Use
    from kms_pubkey.public_key import KidRule, PublicKey

# Curves with a registered JWK name (RFC 7518 section 6.2.1.1, RFC 8812 for secp256k1).
_EC_CURVES = {"P256": "P-256", "P384": "P-384", "P521": "P-521", "SECP256K1": "secp256k1"}
# RFC 8037 section 2.
_OKP_CURVES = {"ED25519": "Ed25519", "ED448": "Ed448", "X25519": "X25519", "X448": "X448"}
_ML_DSA = {"ML_DSA_44": "ML-DSA-44", "ML_DSA_65": "ML-DSA-65", "ML_DSA_87": "ML-DSA-87"}
# RFC 7638 section 3.2 (and RFC 8037 section 2, RFC 9964 section 6): the members a thumbprint hashes.
_THUMBPRINT_MEMBERS = {
    "RSA": ("e", "kty", "n"),
    "EC": ("crv", "kty", "x", "y"),
    "OKP": ("crv", "kty", "x"),
    "AKP": ("alg", "kty", "pub"),
}

# Key usages in every vendor's vocabulary -> the JWK `use` (RFC 7517 4.2). Key agreement is a
# key-management ("enc") use: ECDH-ES in RFC 7518 4.6.
_USES: dict[str, Use] = {
    "SIGN_VERIFY": "sig",
    "SIGN/VERIFY": "sig",
    "ENCRYPT_DECRYPT": "enc",
    "ENCRYPT/DECRYPT": "enc",
    "KEY_AGREEMENT": "enc",
}
# Key types each vendor only ever makes for signing, so an answer without a usage still has one:
# AWS (KeySpec docs), Alibaba (EC_P256/EC_P256K are SIGN/VERIFY only), Huawei (EC keys sign).
_SIGN_EVERYWHERE = frozenset({"ED25519", "ED448", "SECP256K1", *_ML_DSA})
_SIGN_ONLY = {
    "alibaba": _SIGN_EVERYWHERE | {"P256", "P384", "P521"},
    "alibaba-instance": _SIGN_EVERYWHERE | {"P256", "P384", "P521"},
    "huawei": _SIGN_EVERYWHERE | {"P256", "P384", "P521"},
}

_ECDH_ES = ("ECDH-ES", "ECDH-ES+A128KW", "ECDH-ES+A192KW", "ECDH-ES+A256KW")
_RSA_SIG = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512")
_RSA_ENC = ("RSA-OAEP", "RSA-OAEP-256")
# Every JOSE alg a key type can take: (alg, use).
_KEY_ALGS: dict[str, tuple[tuple[str, Use], ...]] = {
    "RSA": tuple((a, "sig") for a in _RSA_SIG) + tuple((a, "enc") for a in _RSA_ENC),
    "P256": (("ES256", "sig"), *((a, "enc") for a in _ECDH_ES)),
    "P384": (("ES384", "sig"), *((a, "enc") for a in _ECDH_ES)),
    "P521": (("ES512", "sig"), *((a, "enc") for a in _ECDH_ES)),
    "SECP256K1": (("ES256K", "sig"),),
    "ED25519": (("EdDSA", "sig"),),
    "ED448": (("EdDSA", "sig"),),
    "X25519": tuple((a, "enc") for a in _ECDH_ES),
    "X448": tuple((a, "enc") for a in _ECDH_ES),
    **{name: ((alg, "sig"),) for name, alg in _ML_DSA.items()},
}
# RFC 9864's fully-specified names, accepted where the polymorphic EdDSA fits.
_EDDSA_NAMES = {"ED25519": "Ed25519", "ED448": "Ed448"}
# Vendor algorithm names -> JOSE algs (AWS and Huawei share AWS's names; Alibaba's differ).
_VENDOR_ALGS: dict[str, tuple[str, ...]] = {
    **{f"RSASSA_PKCS1_V1_5_SHA_{n}": (f"RS{n}",) for n in (256, 384, 512)},
    **{f"RSASSA_PSS_SHA_{n}": (f"PS{n}",) for n in (256, 384, 512)},
    **{f"RSA_PKCS1_SHA_{n}": (f"RS{n}",) for n in (256, 384, 512)},
    **{f"RSA_PSS_SHA_{n}": (f"PS{n}",) for n in (256, 384, 512)},
    "ECDSA_SHA_256": ("ES256", "ES256K"),  # which one depends on the curve, filtered below
    "ECDSA_SHA_384": ("ES384",),
    "ECDSA_SHA_512": ("ES512",),
    "ED25519_SHA_512": ("EdDSA",),  # pure Ed25519; ED25519_PH_SHA_512 (Ed25519ph) has no JOSE alg
    "ML_DSA_SHAKE_256": tuple(_ML_DSA.values()),
    "RSAES_OAEP_SHA_1": ("RSA-OAEP",),
    "RSAES_OAEP_SHA_256": ("RSA-OAEP-256",),
    "ECDH": _ECDH_ES,
}
# RFC 7517 4.3 operations on the public side of each use.
_KEY_OPS = {"sig": ["verify"], "enc": ["encrypt", "wrapKey"]}
_AGREEMENT_OPS = ["deriveKey", "deriveBits"]
_ARN = re.compile(r"arn:aws[a-z-]*:kms:[^:]*:[^:]*:(?:key/)?(.+)")


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unsigned(value: int) -> bytes:
    return value.to_bytes(max(1, (value.bit_length() + 7) // 8), "big")


def _kind(neutral: str) -> str:
    return "RSA" if neutral.startswith("RSA_") else neutral


def public_members(key: PublicKey) -> dict[str, str]:
    """The key's own JWK members (kty and its numbers), no metadata.

    Raises `UnsupportedKeyError` for keys JOSE has no form for (SM2, ML-KEM), and for ML-DSA
    where the installed `cryptography` cannot read it.
    """
    neutral, _, key_bits = parse_spki(key.der)
    try:
        if neutral.startswith("RSA_"):
            n, e = numbers.rsa_numbers(key_bits)
            return {"kty": "RSA", "n": _b64url(_unsigned(n)), "e": _b64url(_unsigned(e))}
        if neutral in _EC_CURVES:
            size = numbers.CURVES[neutral][3]
            x, y = numbers.ec_point(neutral, key_bits)
            crv = _EC_CURVES[neutral]
            return {
                "kty": "EC",
                "crv": crv,
                "x": _b64url(x.to_bytes(size, "big")),
                "y": _b64url(y.to_bytes(size, "big")),
            }
        if neutral in _OKP_CURVES:
            return {"kty": "OKP", "crv": _OKP_CURVES[neutral], "x": _b64url(key_bits)}
        if neutral in _ML_DSA:
            return _akp(key, neutral, key_bits)
    except der.DerError as exc:  # pragma: no cover - parse_spki already checked the key
        raise KeyFormatError(f"not a usable public key: {exc}") from None
    raise UnsupportedKeyError(f"JOSE has no registered form for a {key.key_spec} key")


def _akp(key: PublicKey, neutral: str, key_bits: bytes) -> dict[str, str]:
    """RFC 9964 `AKP`: offered only where `cryptography` reads ML-DSA, so that a verifier in
    the same environment can use what we publish (and the key is checked on the way)."""
    from kms_pubkey.derive.crypto import to_cryptography

    try:
        to_cryptography(key)
    except UnsupportedKeyError:
        raise UnsupportedKeyError(
            f"a {key.key_spec} JWK needs a cryptography release that reads ML-DSA keys"
        ) from None
    return {"kty": "AKP", "alg": _ML_DSA[neutral], "pub": _b64url(key_bits)}


def thumbprint(members: dict[str, str]) -> str:
    """RFC 7638: base64url SHA-256 of the required members, sorted, with no whitespace."""
    required = {name: members[name] for name in _THUMBPRINT_MEMBERS[members["kty"]]}
    canonical = json.dumps(required, separators=(",", ":"), sort_keys=True, ensure_ascii=True)
    return _b64url(hashlib.sha256(canonical.encode("ascii")).digest())


def _key_use(key: PublicKey, kind: str) -> Use | None:
    """The JWK `use` the key's usage gives, reported or implied by its vendor and type."""
    if key.key_usage is not None:
        return _USES.get(key.key_usage)
    if kind in _SIGN_ONLY.get(key.vendor or "", _SIGN_EVERYWHERE):
        return "sig"
    return None


def _fitting_algs(key: PublicKey, kind: str) -> list[str]:
    """The JOSE algs the key can be used with, in table order: from the algorithms the service
    advertised when it sent any, otherwise every alg of the key type that fits its usage."""
    own = dict(_KEY_ALGS.get(kind, ()))
    use = _key_use(key, kind)
    advertised = (*key.signing_algorithms, *key.encryption_algorithms, *key.key_agreement_algorithms)
    if advertised:
        named = {jose for name in advertised for jose in _VENDOR_ALGS.get(name, ())}
        return [alg for alg in own if alg in named]
    return [alg for alg, alg_use in own.items() if use is None or alg_use == use]


def to_jwk(
    key: PublicKey,
    *,
    alg: str | None = None,
    kid: KidRule = "thumbprint",
    use: Use | None = None,
    key_ops: bool = False,
) -> dict[str, object]:
    members = public_members(key)
    kind = _kind(parse_spki(key.der).neutral)
    alg = _chosen_alg(key, kind, alg, _fitting_algs(key, kind))
    jwk: dict[str, object] = dict(members)
    chosen_use = _checked_use(key, kind, alg, use)
    if chosen_use is not None:
        jwk["use"] = chosen_use
        if key_ops:
            agreement = key.key_usage == "KEY_AGREEMENT" or (alg or "").startswith("ECDH")
            jwk["key_ops"] = list(_AGREEMENT_OPS if agreement else _KEY_OPS[chosen_use])
    if alg is not None:
        jwk["alg"] = alg
    jwk["kid"] = _make_kid(key, members, kid)
    return jwk


def _chosen_alg(key: PublicKey, kind: str, alg: str | None, fits: list[str]) -> str | None:
    """The one fitting alg when none is given; a given one must fit."""
    if alg is None:
        return fits[0] if len(fits) == 1 else None
    if alg in fits or (alg == _EDDSA_NAMES.get(kind) and "EdDSA" in fits):
        return alg
    offered = ", ".join(fits) if fits else "none"
    raise ValidationError(f"alg {alg!r} does not fit this {key.key_spec} key (it fits: {offered})")


def _checked_use(key: PublicKey, kind: str, alg: str | None, use: Use | None) -> Use | None:
    known = _key_use(key, kind)
    if known is None and alg is not None:
        known = dict(_KEY_ALGS[kind]).get("EdDSA" if alg == _EDDSA_NAMES.get(kind) else alg)
    if use is None:
        return known
    if use not in ("sig", "enc"):
        raise ValidationError(f"use must be 'sig' or 'enc', not {use!r}")
    if known is not None and use != known:
        raise ValidationError(f"use {use!r} contradicts the key, whose use is {known!r}")
    if not any(alg_use == use for _, alg_use in _KEY_ALGS.get(kind, ())):
        raise ValidationError(f"a {key.key_spec} key cannot have use {use!r}")
    return use


def _make_kid(key: PublicKey, members: dict[str, str], rule: KidRule) -> str:
    if callable(rule):
        made = rule(key)
        if not isinstance(made, str) or not made:
            raise ValidationError("a kid function must return a non-empty string")
        return made
    if rule == "thumbprint":
        return thumbprint(members)
    if rule == "key_id":
        return _key_id_kid(key)
    raise ValidationError(f"kid must be 'thumbprint', 'key_id' or a function, not {rule!r}")


def _key_id_kid(key: PublicKey) -> str:
    """The key id without what an ARN publishes (account, region), and with the key version
    where the vendor versions keys, so that two versions never share a kid."""
    if not key.key_id:
        raise ValidationError("kid='key_id' needs a key with a key id; use kid='thumbprint'")
    match = _ARN.fullmatch(key.key_id)
    base = match.group(1) if match else key.key_id
    return f"{base}/{key.key_version_id}" if key.key_version_id else base
