"""The request policy every vendor client shares: timeout, retries, error translation.

Each attempt goes back through the httpx auth flow, so a retry is always signed afresh
with a new timestamp (and nonce). Only connection errors, 5xx and throttling are retried.
"""

from __future__ import annotations

import logging
import random
import re
import time
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any, Protocol, TypeVar

import attrs
import httpx

from kms_pubkey import defaults
from kms_pubkey.errors import (
    ApiError,
    KmsError,
    ResponseError,
    SigningError,
    ThrottlingError,
    TransportError,
)

R = TypeVar("R")

log = logging.getLogger("kms_pubkey")
"""The SDK's one logger: a DEBUG record per attempt, an INFO record per retry.

Records name the operation, method, origin, path, status and attempt; never a header value,
a query string (Alibaba's v1 signature and STS token travel there), a signature or a secret.
"""


class _Attempt:
    """The attempt in progress: the response hook marks it answered, so a failure after that
    is the answer's fault (`ResponseError`) and one before it is the request's (`SigningError`)."""

    __slots__ = ("answered", "number", "what")

    def __init__(self, what: str, number: int) -> None:
        self.what, self.number, self.answered = what, number, False


_ATTEMPT: ContextVar[_Attempt | None] = ContextVar("kms_pubkey_attempt", default=None)


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


_DELTA_SECONDS = re.compile(r"[0-9]+", re.ASCII)  # float() takes any length (inf at worst)
_HTTP_DATE = re.compile(
    r"(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), ([0-9]{2}) "
    r"(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) ([0-9]{4}) ([0-9]{2}):([0-9]{2}):([0-9]{2}) GMT",
    re.ASCII,
)
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def parse_retry_after(value: str | None, now: Callable[[], float] = time.time) -> float | None:
    """Retry-After as seconds (RFC 9110 10.2.3): ASCII delta-seconds or an IMF-fixdate; else None.

    Only those two grammars: `str.isdigit` accepts '¹' and `email.utils` accepts loose
    dates, and what either lets through could raise instead of being ignored.
    """
    if not value:
        return None
    value = value.strip(" \t")  # HTTP whitespace only: str.strip() also eats U+00A0 and friends
    if _DELTA_SECONDS.fullmatch(value):
        return float(value)
    found = _HTTP_DATE.fullmatch(value)
    if found is None:
        return None
    day, month, year, hour, minute, second = found.groups()
    try:
        when = datetime(
            int(year), _MONTHS.index(month) + 1, int(day), int(hour), int(minute), int(second), tzinfo=UTC
        )
    except ValueError:  # 31 Feb, hour 25...
        return None
    return max(0.0, when.timestamp() - now())


def origin(url: httpx.URL) -> str:
    """scheme://host[:port] of a URL: what a log line or message may show of it."""
    port = f":{url.port}" if url.port is not None else ""
    return f"{url.scheme}://{url.host}{port}"


def _failed_url(exc: httpx.TransportError) -> str:
    try:
        return origin(exc.request.url)
    except RuntimeError:  # an exception raised without its request
        return "the service"


def _method(exc: httpx.TransportError) -> str:
    try:
        return exc.request.method
    except RuntimeError:
        return "request"


def _detail(exc: BaseException) -> str:
    """The transport failure in words; the OS error under an async connect says more than its wrapper."""
    text = str(exc)
    if "[Errno" not in text:
        cause, depth = exc.__cause__ or exc.__context__, 0
        while cause is not None and depth < 8:
            if isinstance(cause, OSError) and cause.errno is not None:
                return str(cause)
            cause, depth = cause.__cause__ or cause.__context__, depth + 1
    return text or type(exc).__name__


def _attempts(n: int) -> str:
    return f"{n} attempt" if n == 1 else f"{n} attempts"


def _translate(exc: BaseException, what: str, attempts: int, answered: bool) -> KmsError:
    if isinstance(exc, KmsError):
        return exc
    if isinstance(exc, httpx.TimeoutException):
        return TransportError(
            f"{what}: timed out talking to {_failed_url(exc)} after {_attempts(attempts)} "
            f"({type(exc).__name__})"
        )
    if isinstance(exc, httpx.TransportError):
        doing = "could not connect to" if isinstance(exc, httpx.ConnectError) else "lost the connection to"
        detail = _detail(exc)
        return TransportError(f"{what}: {doing} {_failed_url(exc)} after {_attempts(attempts)}: {detail}")
    if not answered:
        # Nothing reached the wire: the signer, its clock or the credentials failed.
        return SigningError(
            f"{what}: the request could not be signed, so none was sent ({type(exc).__name__})"
        )
    # Everything raised once the answer arrived is the answer's fault: the generated parser
    # on a body it cannot read (ValueError, KeyError, TypeError, RecursionError from deep
    # JSON...). One rule rather than a list, so no new kind of bad body escapes the hierarchy.
    return answer_error(what, exc)


def answer_error(what: str, exc: BaseException) -> ResponseError:
    """The `ResponseError` for an unexpected exception while reading an answer: the parse boundary."""
    return ResponseError(f"{what}: the answer is not a valid result ({type(exc).__name__})")


def _summary(error: KmsError, exc: BaseException) -> str:
    """A short reason for a retry log line: no service message, which may echo request data."""
    if isinstance(error, ApiError):
        return f"HTTP {error.status_code}" + (f" {error.code}" if error.code else "")
    return type(exc).__name__


def _retry_delay(exc: Exception, attempt: int, policy: RequestPolicy, state: _Attempt) -> float:
    """Seconds before the next attempt; raises the typed error when there is none.

    The one retry decision, shared by the sync and the async loop. `attempt` counts from 0.
    """
    what = state.what
    error = _translate(exc, what, attempt + 1, state.answered or isinstance(exc, httpx.TransportError))
    if isinstance(error, SigningError):
        raise error from exc
    if isinstance(exc, httpx.TransportError) and log.isEnabledFor(logging.DEBUG):
        log.debug(
            "%s: attempt %d: %s %s -> %s",
            what,
            attempt + 1,
            _method(exc),
            _failed_url(exc),
            type(exc).__name__,
        )
    delay = policy.next_delay(attempt, error)
    if delay is None:
        if error is exc:
            raise exc
        raise error from None
    log.info(
        "%s: attempt %d of %d failed (%s); retrying in %.2f s",
        what,
        attempt + 1,
        policy.max_retries + 1,
        _summary(error, exc),
        delay,
    )
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
        state = _Attempt(what, attempt + 1)
        _ATTEMPT.set(state)
        try:
            return send()
        except Exception as exc:
            delay = _retry_delay(exc, attempt, policy, state)
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
        state = _Attempt(what, attempt + 1)
        _ATTEMPT.set(state)
        try:
            return await send()
        except Exception as exc:
            delay = _retry_delay(exc, attempt, policy, state)
        attempt += 1
        await (sleep or default_async_sleep)(delay)


def error_hooks(decode: ErrorDecoder) -> tuple[dict[str, list[Any]], dict[str, list[Any]]]:
    """httpx response hooks (sync, async) that raise the vendor's error on any non-2xx.

    They run before the generated parser sees the answer, so an HTML 502, an XML 403
    or a status code outside `HTTPStatus` never reaches it.
    """

    def check(response: httpx.Response) -> None:
        _answered(response)
        if not 200 <= response.status_code < 300:
            response.read()
            raise decode(response)

    async def acheck(response: httpx.Response) -> None:
        _answered(response)
        if not 200 <= response.status_code < 300:
            await response.aread()
            raise decode(response)

    return {"response": [check]}, {"response": [acheck]}


def _answered(response: httpx.Response) -> None:
    state = _ATTEMPT.get()
    if state is not None:
        state.answered = True
    if log.isEnabledFor(logging.DEBUG):
        request = response.request
        log.debug(
            "%s: attempt %d: %s %s%s -> %d",
            state.what if state is not None else "request",
            state.number if state is not None else 0,
            request.method,
            origin(request.url),
            request.url.path,
            response.status_code,
        )
