"""Reading a public key, the first of core's three steps: text or bytes in, a checked key out.

    armour.unarmour  PEM (LF, CRLF, literal "\\n"), base64 or DER  ->  DER
    spki.read_der    SPKI or PKCS#1 DER, walked once  ->  Spki(neutral spec, canonical SPKI, key bytes)
    spec, numbers    what the key is called, and the checks on its numbers
    der              the strict DER reader underneath

Nothing here knows `PublicKey` (kms_pubkey.public_key builds it from what this returns) or
what is made from a key (kms_pubkey.derive); nothing here imports `cryptography`.
"""

from __future__ import annotations

from functools import lru_cache

from kms_pubkey.read.armour import unarmour
from kms_pubkey.read.spki import Spki, parse_spki, read_der

__all__ = ["Spki", "parse_spki", "read_key"]


def read_key(data: object) -> Spki:
    """Read a public key in any accepted format; `KeyFormatError` for anything else."""
    if isinstance(data, (bytearray, memoryview)):
        data = bytes(data)
    if isinstance(data, (str, bytes)):
        return _read_remembered(data)
    return read_der(unarmour(data))  # refuses anything else with KeyFormatError


@lru_cache(maxsize=128)
def _read_remembered(data: str | bytes) -> Spki:
    """Remembered: a service answers with the same few public keys over and over, and the
    full check costs more than the rest of the answer's handling. Only successes are kept
    (a refusal raises), and public keys are not secrets."""
    return read_der(unarmour(data))
