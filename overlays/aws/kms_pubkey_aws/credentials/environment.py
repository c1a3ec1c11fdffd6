"""The environment's access keys: the chain's first step, in a module of its own so that a client
built from them never loads the providers of the later steps (files, STS, SSO, processes)."""

from __future__ import annotations

from collections.abc import Mapping

from kms_pubkey import credentials as core
from kms_pubkey.credentials import Credentials


def from_environment(env: Mapping[str, str]) -> Credentials | None:
    """AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY with AWS_SESSION_TOKEN (botocore also reads the
    older AWS_SECURITY_TOKEN, first) and AWS_CREDENTIAL_EXPIRATION."""
    found = core.from_environment(env, (("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"),), "AWS_SESSION_TOKEN")
    if found is None:
        return None
    expiry = env.get("AWS_CREDENTIAL_EXPIRATION")
    if expiry:
        # Here, not at the top: provider_io serves the later providers, and keys without an
        # expiry (or given as arguments) never need it.
        from kms_pubkey.provider_io import parse_expiry

        expiry_time = parse_expiry("aws environment", expiry)
    else:
        expiry_time = None
    token = env.get("AWS_SECURITY_TOKEN") or found.token
    return Credentials(found.access_key_id, found.secret, token, found.source, expiry_time)
