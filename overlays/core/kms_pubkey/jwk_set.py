"""`jwks(keys)`: a JWK Set document (RFC 7517 section 5) for keys of any vendor."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, Literal

from kms_pubkey.errors import UnsupportedKeyError, ValidationError
from kms_pubkey.public_key import PublicKey

if TYPE_CHECKING:
    from kms_pubkey.public_key import KidRule

OnUnsupported = Literal["skip", "error"]


def jwks(
    keys: Iterable[PublicKey],
    *,
    on_unsupported: OnUnsupported = "skip",
    kid: KidRule = "thumbprint",
    key_ops: bool = False,
) -> dict[str, list[dict[str, Any]]]:
    """`{"keys": [...]}`, one JWK per key as `PublicKey.to_jwk(kid=kid, key_ops=key_ops)` makes it.

    A key JOSE has no form for (SM2, ML-KEM) is left out with `on_unsupported="skip"` (the
    default) or raises `UnsupportedKeyError` with `"error"`. The same key given twice appears
    once; two different keys with one `kid` raise `ValidationError`, since a verifier could not
    tell them apart.
    """
    if on_unsupported not in ("skip", "error"):
        raise ValidationError(f"on_unsupported must be 'skip' or 'error', not {on_unsupported!r}")
    found: list[dict[str, Any]] = []
    by_kid: dict[str, dict[str, Any]] = {}
    for key in keys:
        try:
            jwk = key.to_jwk(kid=kid, key_ops=key_ops)
        except UnsupportedKeyError:
            if on_unsupported == "error":
                raise
            continue
        seen = by_kid.get(jwk["kid"])
        if seen == jwk:
            continue
        if seen is not None:
            raise ValidationError(f"two different keys have the kid {jwk['kid']!r}")
        by_kid[jwk["kid"]] = jwk
        found.append(jwk)
    return {"keys": found}
