"""kms-pubkey: one normalised, verified public key from any of three cloud KMSs."""

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
from kms_pubkey.jwk_set import jwks
from kms_pubkey.jwks_app import AsyncJwksApp, JwksApp
from kms_pubkey.key_cache import CacheStats, KeyCache
from kms_pubkey.key_uri import KeyUri, parse_key_uri
from kms_pubkey.public_key import PublicKey, load_public_key
from kms_pubkey.uri_fetch import afetch, fetch

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
