"""Credentials from the host: the ECS/EKS container endpoint and EC2 instance metadata (IMDSv2)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TypeVar

import httpx

from kms_pubkey import provider_io as io
from kms_pubkey.credentials import Credentials
from kms_pubkey.endpoints import check_endpoint, is_loopback
from kms_pubkey.errors import CredentialsError, ValidationError
from kms_pubkey.signing import utc_now

CONTAINER = "aws container credentials"
IMDS = "aws ec2 metadata"
ECS_HOST = "169.254.170.2"
# botocore's list: the ECS address, the EKS Pod Identity addresses (IPv4, IPv6) and localhost.
CONTAINER_HOSTS = (ECS_HOST, "169.254.170.23", "fd00:ec2::23", "localhost")
IMDS_URL = "http://169.254.169.254/"
IMDS_URL_IPV6 = "http://[fd00:ec2::254]/"
TOKEN_TTL_SECONDS = "21600"
ROLE_PATH = "latest/meta-data/iam/security-credentials/"
T = TypeVar("T")
ATTEMPTS = 2
"""One retry (botocore makes one attempt unless AWS_METADATA_SERVICE_NUM_ATTEMPTS says more)."""


def _settings(env: Mapping[str, str]) -> tuple[float, int]:
    """AWS_METADATA_SERVICE_TIMEOUT and AWS_METADATA_SERVICE_NUM_ATTEMPTS, as botocore reads them."""
    try:
        timeout = float(env.get("AWS_METADATA_SERVICE_TIMEOUT") or io.METADATA_TIMEOUT_SECONDS)
        attempts = int(env.get("AWS_METADATA_SERVICE_NUM_ATTEMPTS") or ATTEMPTS)
    except ValueError:
        raise CredentialsError(
            "aws metadata: AWS_METADATA_SERVICE_TIMEOUT / _NUM_ATTEMPTS are not numbers"
        ) from None
    return max(timeout, 0.01), min(max(attempts, 1), 5)


def _answer(provider: str, response: httpx.Response) -> Credentials:
    io.expect_ok(provider, response)
    values = io.json_object(provider, response.content)
    key_id, secret, token = (
        io.text_field(provider, values, n) for n in ("AccessKeyId", "SecretAccessKey", "Token")
    )
    expiry = io.parse_expiry(provider, values.get("Expiration"))
    return io.temporary(provider, key_id, secret, token, expiry, utc_now())


def _with_retries(attempts: int, call: Callable[[], T]) -> T:
    for _ in range(attempts - 1):
        try:
            return call()
        except CredentialsError:
            pass
    return call()


def container_fetcher(env: Mapping[str, str]) -> Callable[[], Credentials] | None:
    """The container endpoint when AWS_CONTAINER_CREDENTIALS_RELATIVE_URI (on 169.254.170.2) or
    _FULL_URI is set, else None. A full URI must be https, a loopback address or one of
    CONTAINER_HOSTS, as botocore allows; the authorization token (a file, re-read on every call,
    else the variable) goes in the Authorization header."""
    relative = env.get("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI")
    full = env.get("AWS_CONTAINER_CREDENTIALS_FULL_URI")
    if relative:
        url = f"http://{ECS_HOST}{relative}"
    elif full:
        url = full
        _check_container_url(url)
    else:
        return None
    token_file = env.get("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE")
    token_value = env.get("AWS_CONTAINER_AUTHORIZATION_TOKEN")
    timeout, attempts = _settings(env)

    def once() -> Credentials:
        headers = {"Accept": "application/json"}
        token = io.read_token_file(CONTAINER, token_file) if token_file else token_value
        if token:
            if "\r" in token or "\n" in token:
                raise CredentialsError(f"{CONTAINER}: the authorization token has a line break")
            headers["Authorization"] = token
        return _answer(CONTAINER, io.http_call(CONTAINER, "GET", url, timeout=timeout, headers=headers))

    return lambda: _with_retries(attempts, once)


def _check_container_url(url: str) -> None:
    try:
        parsed = httpx.URL(url)
    except httpx.InvalidURL:
        raise CredentialsError(f"{CONTAINER}: AWS_CONTAINER_CREDENTIALS_FULL_URI is not a URL") from None
    if parsed.scheme == "https":
        return
    if parsed.scheme == "http" and (parsed.host in CONTAINER_HOSTS or _loopback(url)):
        return
    raise CredentialsError(
        f"{CONTAINER}: AWS_CONTAINER_CREDENTIALS_FULL_URI host {parsed.host!r} is not allowed: use https, "
        f"a loopback address or one of {', '.join(CONTAINER_HOSTS)}"
    )


def _loopback(url: str) -> bool:
    try:
        return is_loopback(url)
    except (httpx.InvalidURL, ValueError):
        return False


def imds_disabled(env: Mapping[str, str]) -> bool:
    return env.get("AWS_EC2_METADATA_DISABLED", "").strip().lower() == "true"


def imds_fetcher(
    env: Mapping[str, str], settings: Mapping[str, str], provider: str = IMDS
) -> Callable[[], Credentials]:
    """IMDSv2: PUT a session token, list the role, GET its credentials. `settings` is the profile
    (ec2_metadata_service_endpoint, ec2_metadata_service_endpoint_mode, ec2_metadata_v1_disabled)."""
    base = env.get("AWS_EC2_METADATA_SERVICE_ENDPOINT") or settings.get("ec2_metadata_service_endpoint")
    mode = env.get("AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE") or settings.get(
        "ec2_metadata_service_endpoint_mode"
    )
    base = base or (IMDS_URL_IPV6 if (mode or "").lower() == "ipv6" else IMDS_URL)
    try:
        base = check_endpoint(base) + "/"
    except ValidationError as exc:
        raise CredentialsError(f"{provider}: the metadata endpoint: {exc}") from None
    v1_disabled = env.get("AWS_EC2_METADATA_V1_DISABLED") or settings.get("ec2_metadata_v1_disabled") or ""
    timeout, attempts = _settings(env)

    def get(path: str, headers: dict[str, str]) -> httpx.Response:
        response = io.http_call(provider, "GET", base + path, timeout=timeout, headers=headers)
        io.expect_ok(provider, response)
        if not response.content:
            raise CredentialsError(f"{provider}: the answer is empty")
        return response

    def fetch() -> Credentials:
        if imds_disabled(env):
            raise CredentialsError(f"{provider}: AWS_EC2_METADATA_DISABLED is true")
        headers = _token_headers(provider, base, timeout, attempts, v1_disabled.strip().lower() == "true")
        role = _with_retries(attempts, lambda: _text(provider, get(ROLE_PATH, headers)))
        return _with_retries(attempts, lambda: _answer(provider, get(ROLE_PATH + role, headers)))

    return fetch


def _text(provider: str, response: httpx.Response) -> str:
    lines = response.text.strip().splitlines()
    if not lines:
        raise CredentialsError(f"{provider}: no instance role is attached")
    return lines[0].strip()


def _token_headers(
    provider: str, base: str, timeout: float, attempts: int, v1_disabled: bool
) -> dict[str, str]:
    """The IMDSv2 session token header. As botocore, 403/404/405 or no answer (the PUT's answer
    dropped by a one-hop limit in a container) fall back to IMDSv1, unless that is disabled."""
    for _ in range(attempts):
        try:
            response = io.http_call(
                provider,
                "PUT",
                base + "latest/api/token",
                timeout=timeout,
                headers={"x-aws-ec2-metadata-token-ttl-seconds": TOKEN_TTL_SECONDS},
            )
        except CredentialsError:
            continue
        if response.status_code == 200 and response.text:
            return {"x-aws-ec2-metadata-token": response.text.strip()}
        if response.status_code in (403, 404, 405):
            break
        if response.status_code == 400:
            raise CredentialsError(f"{provider}: the token request was refused (HTTP 400)")
    if v1_disabled:
        raise CredentialsError(f"{provider}: no IMDSv2 token, and IMDSv1 is disabled")
    return {}
