"""kms-pubkey: one normalised, verified public key from any of three cloud KMSs."""

import importlib
from typing import TYPE_CHECKING, Any

from kms_pubkey.errors import (
    ApiError,
    AuthError,
    CertificateVerificationError,
    ClientClosedError,
    CredentialsError,
    DryRunError,
    InvalidSignatureError,
    KeyFormatError,
    KmsError,
    NotFoundError,
    ResponseError,
    SigningError,
    ThrottlingError,
    TransportError,
    UnsupportedKeyError,
    ValidationError,
)
from kms_pubkey.public_key import PublicKey, load_public_key

if TYPE_CHECKING:
    from kms_pubkey.jwk_set import jwks
    from kms_pubkey.jwks_app import AsyncJwksApp, JwksApp
    from kms_pubkey.key_cache import CacheStats, KeyCache
    from kms_pubkey.key_uri import KeyUri, parse_key_uri
    from kms_pubkey.uri_fetch import afetch, fetch

# Loaded on first use (PEP 562): a program that only builds a client and fetches a key never
# pays for the key cache, key URIs or JWKS (a few ms of every cold start).
_LAZY = {
    "jwks": "kms_pubkey.jwk_set",
    "AsyncJwksApp": "kms_pubkey.jwks_app",
    "JwksApp": "kms_pubkey.jwks_app",
    "CacheStats": "kms_pubkey.key_cache",
    "KeyCache": "kms_pubkey.key_cache",
    "KeyUri": "kms_pubkey.key_uri",
    "parse_key_uri": "kms_pubkey.key_uri",
    "afetch": "kms_pubkey.uri_fetch",
    "fetch": "kms_pubkey.uri_fetch",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'kms_pubkey' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


__version__ = "0.1.0"

__all__ = [
    "ApiError",
    "AsyncJwksApp",
    "AuthError",
    "CacheStats",
    "CertificateVerificationError",
    "ClientClosedError",
    "CredentialsError",
    "DryRunError",
    "InvalidSignatureError",
    "JwksApp",
    "KeyCache",
    "KeyFormatError",
    "KeyUri",
    "KmsError",
    "NotFoundError",
    "PublicKey",
    "ResponseError",
    "SigningError",
    "ThrottlingError",
    "TransportError",
    "UnsupportedKeyError",
    "ValidationError",
    "afetch",
    "fetch",
    "jwks",
    "load_public_key",
    "parse_key_uri",
]
