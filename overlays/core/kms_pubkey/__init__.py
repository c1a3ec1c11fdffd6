"""kms-pubkey: one normalised, verified public key from any of three cloud KMSs."""

from kms_pubkey.errors import (
    ApiError,
    AuthError,
    CertificateVerificationError,
    ClientClosedError,
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

__version__ = "0.1.0"

__all__ = [
    "ApiError",
    "AuthError",
    "CertificateVerificationError",
    "ClientClosedError",
    "DryRunError",
    "InvalidSignatureError",
    "KeyFormatError",
    "KmsError",
    "NotFoundError",
    "PublicKey",
    "ResponseError",
    "SigningError",
    "ThrottlingError",
    "TransportError",
    "UnsupportedKeyError",
    "ValidationError",
    "load_public_key",
]
