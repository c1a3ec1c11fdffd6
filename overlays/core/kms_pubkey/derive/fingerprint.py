"""Key fingerprints, one hash per kind, each in the format its tools print.

- `sha256-spki`: 64 lowercase hex digits of SHA-256 over the DER SubjectPublicKeyInfo, as
  `openssl pkey -pubin -outform DER | sha256sum` prints it.
- `ssh-sha256`: `SHA256:` and the unpadded base64 SHA-256 of the SSH key blob, as
  `ssh-keygen -l` prints it (OpenSSH key types only).
- `jwk-thumbprint`: the RFC 7638 JWK thumbprint (base64url SHA-256), the default JWK `kid`.
"""

from __future__ import annotations

import base64
import hashlib
from typing import TYPE_CHECKING

from kms_pubkey.errors import ValidationError

if TYPE_CHECKING:
    from kms_pubkey.public_key import FingerprintKind, PublicKey

KINDS: tuple[FingerprintKind, ...] = ("sha256-spki", "ssh-sha256", "jwk-thumbprint")


def fingerprint(key: PublicKey, kind: FingerprintKind = "sha256-spki") -> str:
    if kind == "sha256-spki":
        return hashlib.sha256(key.der).hexdigest()
    if kind == "ssh-sha256":
        from kms_pubkey.derive.ssh import ssh_blob

        digest = hashlib.sha256(ssh_blob(key)).digest()
        return "SHA256:" + base64.b64encode(digest).decode("ascii").rstrip("=")
    if kind == "jwk-thumbprint":
        from kms_pubkey.derive.jwk import public_members, thumbprint

        return thumbprint(public_members(key))
    raise ValidationError(f"fingerprint kind must be one of {', '.join(KINDS)}, not {kind!r}")
