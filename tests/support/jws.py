"""A compact JWS built the way a KMS user builds one: the KMS (or a local key of the same kind)
signs the signing input, and ECDSA's DER signature becomes JWS's raw r||s (RFC 7518 3.4).

The token is then checked by real JOSE libraries (pyjwt, joserfc), never by our own code.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

# JOSE alg -> the KMS signing algorithm that makes its signature (AWS names).
KMS_ALGORITHM = {
    "RS256": "RSASSA_PKCS1_V1_5_SHA_256",
    "PS256": "RSASSA_PSS_SHA_256",
    "ES256": "ECDSA_SHA_256",
    "ES256K": "ECDSA_SHA_256",
    "ES384": "ECDSA_SHA_384",
    "ES512": "ECDSA_SHA_512",
    "EdDSA": "ED25519_SHA_512",
    "Ed25519": "ED25519_SHA_512",
}
_HASHES = {"256": hashes.SHA256, "384": hashes.SHA384, "512": hashes.SHA512}
_EC_SIZES = {"ES256": 32, "ES256K": 32, "ES384": 48, "ES512": 66}


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def local_kms_sign(private: Any, alg: str) -> Callable[[bytes], bytes]:
    """What KMS Sign (MessageType RAW) returns for the alg, made with a local private key."""

    def sign(message: bytes) -> bytes:
        if isinstance(private, rsa.RSAPrivateKey):
            digest = _HASHES[alg[2:]]()
            if alg.startswith("PS"):  # salt = hash length, as KMS and RFC 7518 3.5 use
                pad: padding.AsymmetricPadding = padding.PSS(
                    mgf=padding.MGF1(digest), salt_length=padding.PSS.DIGEST_LENGTH
                )
            else:
                pad = padding.PKCS1v15()
            return private.sign(message, pad, digest)
        if isinstance(private, ec.EllipticCurvePrivateKey):
            return private.sign(message, ec.ECDSA(_HASHES[alg[2:5]]()))  # DER, as KMS answers
        assert isinstance(private, ed25519.Ed25519PrivateKey)
        return private.sign(message)

    return sign


def jws_signature(alg: str, kms_signature: bytes) -> bytes:
    """KMS's signature as JWS wants it: ECDSA DER -> fixed-size r||s; others unchanged."""
    if alg in _EC_SIZES:
        r, s = decode_dss_signature(kms_signature)
        size = _EC_SIZES[alg]
        return r.to_bytes(size, "big") + s.to_bytes(size, "big")
    return kms_signature


def compact_jwt(alg: str, kid: str, claims: dict[str, Any], kms_sign: Callable[[bytes], bytes]) -> str:
    header = b64url(json.dumps({"alg": alg, "kid": kid, "typ": "JWT"}).encode())
    payload = b64url(json.dumps(claims).encode())
    signing_input = f"{header}.{payload}".encode("ascii")
    return f"{header}.{payload}.{b64url(jws_signature(alg, kms_sign(signing_input)))}"


def verify_with_pyjwt(token: str, document: dict[str, Any], alg: str) -> dict[str, Any]:
    """pyjwt: the key is picked from our JWKS by kid; a JWK without alg is bound to the token's."""
    import jwt

    kid = jwt.get_unverified_header(token)["kid"]
    (jwk,) = [k for k in document["keys"] if k["kid"] == kid]
    assert jwt.PyJWKSet.from_dict(document)[kid].key_id == kid  # the whole set parses
    key = jwt.PyJWK(jwk) if "alg" in jwk else jwt.PyJWK(jwk, algorithm=alg)
    claims: dict[str, Any] = jwt.decode(token, key, algorithms=[alg], options={"verify_aud": False})
    return claims


def verify_with_joserfc(token: str, document: dict[str, Any], alg: str) -> dict[str, Any]:
    """joserfc: the JWKS as a KeySet; it picks the key by kid. joserfc 1.8 has no AKP (ML-DSA)
    key type, so those keys are left out of the set it reads."""
    from joserfc import jwt
    from joserfc.jwk import KeySet

    known = {"keys": [k for k in document["keys"] if k["kty"] in ("RSA", "EC", "OKP")]}
    claims: dict[str, Any] = jwt.decode(token, KeySet.import_key_set(known), algorithms=[alg]).claims
    return claims
