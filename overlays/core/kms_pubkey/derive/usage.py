"""May this key be used with this algorithm? Decided from names alone, before any crypto runs."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol, TypeVar

from kms_pubkey import algorithms
from kms_pubkey.errors import ValidationError
from kms_pubkey.read import parse_spki

if TYPE_CHECKING:
    from kms_pubkey.public_key import PublicKey


class _Fits(Protocol):
    @property
    def keys(self) -> frozenset[str]: ...


Entry = TypeVar("Entry", bound=_Fits)

_OPERATIONS = {
    "sign": "signing",
    "encrypt": "encryption",
    "agree": "key agreement",
    "encapsulate": "encapsulation",
}


def allowed(
    key: PublicKey,
    operation: str,
    algorithm: str,
    table: dict[str, dict[str, Entry]],
    advertised: tuple[str, ...],
) -> tuple[Entry, str]:
    """The table's entry for `algorithm` in the key's vocabulary, and the key's neutral spec.

    `ValidationError` when the vendor has no such name, the key's usage is another
    operation's, the service advertised other algorithms for this key, or the algorithm
    does not fit the kind of key (curve, size, SM2 on RSA...).
    """
    vendor = algorithms.vocabulary(key.vocabulary or key.vendor)
    what = _OPERATIONS[operation]
    names = table.get(vendor, {})
    entry = names.get(algorithm)
    if entry is None:
        known = ", ".join(sorted(names)) or "none"
        raise ValidationError(f"{algorithm!r} is not one of {vendor}'s {what} algorithms (known: {known})")
    usage = key.key_usage
    # A usage we do not know (one added later) is no reason to refuse.
    known_usage = any(usage in usages for usages in algorithms.USAGES.values())
    if known_usage and usage not in algorithms.USAGES[operation]:
        raise ValidationError(f"the key's usage is {usage}: it cannot be used for {what}")
    offered = (
        key.signing_algorithms,
        key.encryption_algorithms,
        key.key_agreement_algorithms,
        key.encapsulation_algorithms,
    )
    if any(offered) and algorithm not in advertised:
        listed = ", ".join(advertised) or "none"
        raise ValidationError(f"the key does not advertise {algorithm} (its {what} algorithms: {listed})")
    neutral = parse_spki(key.der).neutral
    if algorithms.key_kind(neutral) not in entry.keys:
        raise ValidationError(f"{algorithm} does not fit a {key.key_spec} key")
    return entry, neutral
