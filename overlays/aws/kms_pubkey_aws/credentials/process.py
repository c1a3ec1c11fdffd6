"""`credential_process`: a command that prints the credentials as JSON (Version 1)."""

from __future__ import annotations

import shlex
from collections.abc import Callable

from kms_pubkey import provider_io as io
from kms_pubkey.credentials import Credentials
from kms_pubkey.errors import CredentialsError
from kms_pubkey.signing import utc_now


def process_fetcher(provider: str, command: str) -> Callable[[], Credentials]:
    """Runs `command` (split as a shell would, without a shell) on every call, with
    `provider_io.PROCESS_TIMEOUT_SECONDS`; its answer without Expiration is a long-lived key."""
    try:
        argv = shlex.split(command)
    except ValueError:
        raise CredentialsError(f"{provider}: the command line is not valid (unbalanced quotes)") from None
    if not argv:
        raise CredentialsError(f"{provider}: the command is empty")

    def fetch() -> Credentials:
        values = io.json_object(provider, io.run_process(provider, argv))
        if values.get("Version") != 1:
            raise CredentialsError(f"{provider}: the answer's Version must be 1")
        key_id = io.text_field(provider, values, "AccessKeyId")
        secret = io.text_field(provider, values, "SecretAccessKey")
        token = values.get("SessionToken")
        if token is not None and not isinstance(token, str):
            raise CredentialsError(f"{provider}: the answer's SessionToken is not a string")
        if values.get("Expiration") is None:
            return Credentials(key_id, secret, token or None, provider)
        expiry = io.parse_expiry(provider, values["Expiration"])
        return io.temporary(provider, key_id, secret, token or None, expiry, utc_now())

    return fetch
