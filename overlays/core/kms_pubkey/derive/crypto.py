"""The `cryptography` key object: the one place in core that loads `cryptography`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives.serialization import load_der_public_key

from kms_pubkey.errors import KeyFormatError, UnsupportedKeyError
from kms_pubkey.read import parse_spki
from kms_pubkey.read.spec import NOT_IN_CRYPTOGRAPHY

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.types import PublicKeyTypes

    from kms_pubkey.public_key import PublicKey


def to_cryptography(key: PublicKey) -> PublicKeyTypes:
    if parse_spki(key.der).neutral in NOT_IN_CRYPTOGRAPHY:
        raise UnsupportedKeyError(f"the cryptography library cannot represent a {key.key_spec} key")
    try:
        return load_der_public_key(key.der)
    except UnsupportedAlgorithm:
        raise UnsupportedKeyError(f"the cryptography library cannot represent a {key.key_spec} key") from None
    except ValueError as exc:
        raise KeyFormatError(f"the {key.key_spec} key is not valid: {exc}") from None
