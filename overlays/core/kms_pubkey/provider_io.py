"""How a credential provider reaches its source: one bounded HTTP call (metadata service,
container endpoint, STS), a process, a token file, and the expiry they answer with.

Every failure is a `CredentialsError` whose message names the provider and the kind of
failure, never a body, a token or a secret: an answer from a metadata service may echo them.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from kms_pubkey.credentials import Credentials
from kms_pubkey.errors import CredentialsError

METADATA_TIMEOUT_SECONDS = 1.0
"""botocore's default for the EC2 and container metadata services: they are local, so a slow
answer means there is none (not on a cloud host), and a short wait keeps cold start cheap."""
STS_TIMEOUT_SECONDS = 10.0
PROCESS_TIMEOUT_SECONDS = 60.0
MAX_ANSWER_BYTES = 64 * 1024
"""A credential answer is a few hundred bytes; anything larger is not one."""


def http_call(
    provider: str,
    method: str,
    url: str,
    *,
    timeout: float = METADATA_TIMEOUT_SECONDS,
    headers: Mapping[str, str] | None = None,
    params: Mapping[str, str] | None = None,
    data: Mapping[str, str] | bytes | None = None,
    verify: bool | str = True,
    transport: httpx.BaseTransport | None = None,
) -> httpx.Response:
    """One request, no redirects (a metadata answer that redirects is not to be trusted), with
    the answer read under `MAX_ANSWER_BYTES`. Any status comes back; `expect_ok` judges it."""
    content = data if isinstance(data, bytes) else None
    form = data if data is not None and not isinstance(data, bytes) else None
    try:
        with (
            httpx.Client(timeout=timeout, verify=verify, transport=transport, follow_redirects=False) as http,
            http.stream(
                method, url, headers=dict(headers or {}), params=params, data=form, content=content
            ) as response,
        ):
            body = bytearray()
            for chunk in response.iter_bytes():
                body += chunk
                if len(body) > MAX_ANSWER_BYTES:
                    raise CredentialsError(f"{provider}: the answer is larger than {MAX_ANSWER_BYTES} bytes")
            return httpx.Response(response.status_code, headers=response.headers, content=bytes(body))
    except httpx.TimeoutException:
        raise CredentialsError(f"{provider}: no answer within {timeout:g} s") from None
    except httpx.HTTPError as exc:
        raise CredentialsError(f"{provider}: cannot reach it ({type(exc).__name__})") from None


def expect_ok(provider: str, response: httpx.Response) -> None:
    if not 200 <= response.status_code < 300:
        raise CredentialsError(f"{provider}: answered HTTP {response.status_code}")


def json_object(provider: str, body: bytes | str) -> dict[str, Any]:
    try:
        value = json.loads(body)
    except (ValueError, RecursionError):
        raise CredentialsError(f"{provider}: the answer is not JSON") from None
    if not isinstance(value, dict):
        raise CredentialsError(f"{provider}: the answer is not a JSON object")
    return value


def text_field(provider: str, values: Mapping[str, Any], name: str) -> str:
    """A required non-empty string field; the error names the field, not its value."""
    value = values.get(name)
    if not isinstance(value, str) or not value:
        raise CredentialsError(f"{provider}: the answer has no {name}")
    return value


def parse_expiry(provider: str, value: object) -> datetime:
    """An expiry as the providers write it: ISO 8601 (`2026-11-27T10:00:00Z`, with or without
    fractions or an offset) or seconds since the epoch. Always aware, in UTC."""
    try:
        if isinstance(value, int | float) and not isinstance(value, bool):
            return datetime.fromtimestamp(value, UTC)
        if isinstance(value, str) and value:
            parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00").replace("z", "+00:00"))
            return (parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)).astimezone(UTC)
    except (ValueError, OverflowError, OSError):
        pass
    raise CredentialsError(f"{provider}: the answer's expiry is not a time")


def temporary(
    provider: str, key_id: str, secret: str, token: str | None, expiry: datetime, now: datetime
) -> Credentials:
    """Credentials from a provider, refused when they are already expired on arrival."""
    if expiry <= now:
        raise CredentialsError(f"{provider}: the credentials it gave expired at {expiry.isoformat()}")
    return Credentials(key_id, secret, token, provider, expiry)


def run_process(
    provider: str,
    command: list[str],
    *,
    timeout: float = PROCESS_TIMEOUT_SECONDS,
    env: Mapping[str, str] | None = None,
) -> bytes:
    """A credential process's standard output. Its standard error goes to ours, as the AWS CLI
    does, so a process can ask for MFA or report why it failed; it is never put in a message."""
    import subprocess  # ~3 ms with signal and its kin: only the process providers pay for it

    try:
        done = subprocess.run(
            command,
            stdout=subprocess.PIPE,
            timeout=timeout,
            env=None if env is None else dict(env),
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise CredentialsError(f"{provider}: the process did not finish within {timeout:g} s") from None
    except OSError as exc:
        raise CredentialsError(f"{provider}: cannot run the process ({type(exc).__name__})") from None
    if done.returncode != 0:
        raise CredentialsError(f"{provider}: the process exited with status {done.returncode}")
    return done.stdout


def read_token_file(provider: str, path: str | Path) -> str:
    """A web-identity / OIDC token file, read afresh on every fetch: Kubernetes rotates it."""
    try:
        token = Path(path).expanduser().read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError) as exc:
        raise CredentialsError(
            f"{provider}: cannot read the token file {path} ({type(exc).__name__})"
        ) from None
    if not token:
        raise CredentialsError(f"{provider}: the token file {path} is empty")
    return token
