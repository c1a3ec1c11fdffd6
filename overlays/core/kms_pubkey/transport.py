"""The request policy every vendor client shares: timeout, retries, error translation.

Each attempt goes back through the httpx auth flow, so a retry is always signed afresh
with a new timestamp (and nonce). Only connection errors, 5xx and throttling are retried.
"""

from __future__ import annotations

import email.utils
import random
import time
from collections.abc import Awaitable, Callable, Iterable
from typing import Any, Protocol, TypeVar

import attrs
import httpx

from kms_pubkey import defaults
from kms_pubkey.errors import ApiError, KmsError, ResponseError, ThrottlingError, TransportError

R = TypeVar("R")


class ErrorDecoder(Protocol):
    """Turns a non-2xx answer into the vendor's `ApiError` subclass."""

    def __call__(self, response: httpx.Response) -> ApiError: ...


@attrs.frozen
class RequestPolicy:
    timeout: float = defaults.TIMEOUT_SECONDS
    max_retries: int = defaults.MAX_RETRIES
    backoff_base: float = defaults.BACKOFF_BASE_SECONDS
    backoff_cap: float = defaults.BACKOFF_CAP_SECONDS
    retry_after_cap: float = defaults.RETRY_AFTER_CAP_SECONDS

    def __attrs_post_init__(self) -> None:
        from kms_pubkey.errors import ValidationError

        if not self.timeout > 0:
            raise ValidationError("timeout must be a positive number of seconds")
        if isinstance(self.max_retries, bool) or not isinstance(self.max_retries, int):
            raise ValidationError("max_retries must be a whole number")
        if self.max_retries < 0:
            raise ValidationError("max_retries must be 0 or more")

    def httpx_timeout(self) -> httpx.Timeout:
        return httpx.Timeout(self.timeout, connect=min(self.timeout, defaults.CONNECT_TIMEOUT_SECONDS))

    def next_delay(
        self, attempt: int, error: KmsError, rand: Callable[[], float] = random.random
    ) -> float | None:
        """Seconds to wait before retry number `attempt + 1`, or None to give up now."""
        if attempt >= self.max_retries or not is_retryable(error):
            return None
        if isinstance(error, ApiError) and error.retry_after is not None:
            if error.retry_after > self.retry_after_cap:
                return None
            return max(0.0, error.retry_after)
        # Full jitter: spreads a fleet of clients that failed together.
        return rand() * min(self.backoff_cap, self.backoff_base * 2.0**attempt)


def is_retryable(error: KmsError) -> bool:
    if isinstance(error, (TransportError, ThrottlingError)):
        return True
    return isinstance(error, ApiError) and error.status_code >= 500


def parse_retry_after(value: str | None, now: Callable[[], float] = time.time) -> float | None:
    """Retry-After as seconds: either delta-seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - now())


def _translate(exc: BaseException, what: str) -> KmsError | None:
    if isinstance(exc, KmsError):
        return exc
    if isinstance(exc, httpx.TimeoutException):
        return TransportError(f"{what}: timed out ({type(exc).__name__})")
    if isinstance(exc, httpx.TransportError):
        return TransportError(f"{what}: {type(exc).__name__}: {exc}")
    if isinstance(exc, (httpx.DecodingError, ValueError, KeyError, TypeError, AttributeError)):
        # Raised by the generated parser on a 2xx body it cannot read.
        return ResponseError(f"{what}: the answer is not a valid result ({type(exc).__name__})")
    return None


def _retry_delay(exc: Exception, attempt: int, policy: RequestPolicy, what: str) -> float:
    """Seconds before the next attempt; raises the typed error when there is none.

    The one retry decision, shared by the sync and the async loop.
    """
    error = _translate(exc, what)
    if error is None:
        raise exc
    delay = policy.next_delay(attempt, error)
    if delay is None:
        if error is exc:
            raise exc
        raise error from None
    return delay


def default_sleep(seconds: float) -> None:
    """The wait between attempts; looked up at call time so tests can replace it."""
    time.sleep(seconds)


async def default_async_sleep(seconds: float) -> None:
    import asyncio  # here, not at the top: sync-only programs then never import asyncio

    await asyncio.sleep(seconds)


def call(
    send: Callable[[], R], policy: RequestPolicy, what: str, sleep: Callable[[float], None] | None = None
) -> R:
    attempt = 0
    while True:
        try:
            return send()
        except Exception as exc:
            delay = _retry_delay(exc, attempt, policy, what)
        attempt += 1
        (sleep or default_sleep)(delay)


async def acall(
    send: Callable[[], Awaitable[R]],
    policy: RequestPolicy,
    what: str,
    sleep: Callable[[float], Awaitable[None]] | None = None,
) -> R:
    attempt = 0
    while True:
        try:
            return await send()
        except Exception as exc:
            delay = _retry_delay(exc, attempt, policy, what)
        attempt += 1
        await (sleep or default_async_sleep)(delay)


def error_hooks(decode: ErrorDecoder) -> tuple[dict[str, list[Any]], dict[str, list[Any]]]:
    """httpx response hooks (sync, async) that raise the vendor's error on any non-2xx.

    They run before the generated parser sees the answer, so an HTML 502, an XML 403
    or a status code outside `HTTPStatus` never reaches it.
    """

    def check(response: httpx.Response) -> None:
        if not 200 <= response.status_code < 300:
            response.read()
            raise decode(response)

    async def acheck(response: httpx.Response) -> None:
        if not 200 <= response.status_code < 300:
            await response.aread()
            raise decode(response)

    return {"response": [check]}, {"response": [acheck]}


def redact(message: str, secrets: Iterable[str]) -> str:
    """The message with every secret masked, plain or percent-encoded (as in an echoed string to sign)."""
    from urllib.parse import quote

    for secret in secrets:
        if secret:
            once = quote(secret, safe="~")
            for form in (secret, once, quote(once, safe="~")):
                message = message.replace(form, "***")
    return message


def redacting(decode: ErrorDecoder, secrets: Iterable[str | None]) -> ErrorDecoder:
    """`decode`, but a message the service echoes back never carries our secret or token.

    Services quote the canonical request or string to sign in signature errors, and a
    session token is one of its lines.
    """
    hidden = tuple(s for s in secrets if s)
    if not hidden:
        return decode

    def decode_redacted(response: httpx.Response) -> ApiError:
        error = decode(response)
        clean = redact(error.message, hidden)
        if clean == error.message:
            return error
        return type(error)(
            clean,
            vendor=error.vendor,
            status_code=error.status_code,
            code=error.code,
            request_id=error.request_id,
            retry_after=error.retry_after,
        )

    return decode_redacted


def json_object(response: httpx.Response) -> dict[str, Any] | None:
    """The body as a JSON object, or None when it is anything else."""
    try:
        value = response.json()
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def class_for_status(status: int) -> type[ApiError]:
    """The error class a status code alone implies, for answers without a code we know."""
    from kms_pubkey.errors import AuthError, NotFoundError

    if status in (401, 403):
        return AuthError
    if status == 404:
        return NotFoundError
    if status == 429:
        return ThrottlingError
    return ApiError


def http_fallback_error(response: httpx.Response, vendor: str, request_id: str | None) -> ApiError:
    """An error for a body we could not decode, classed by status code alone."""
    status = response.status_code
    cls = class_for_status(status)
    reason = response.reason_phrase or "error"
    return cls(
        f"HTTP {status} {reason} (body not in the expected error format)",
        vendor=vendor,
        status_code=status,
        request_id=request_id,
        retry_after=parse_retry_after(response.headers.get("retry-after")),
    )
