"""The request policy every vendor client shares: deadlines, retries, answer limits, error translation.

Each attempt goes back through the httpx auth flow, so a retry is always signed afresh
with a new timestamp (and nonce). Only connection errors, 5xx and throttling are retried.

Time: `timeout` is a deadline per attempt covering connect, send and the whole body, and
`total_timeout` (optional) a deadline across every attempt and the waits between them.
httpx's own timeouts apply per socket operation, so the request hook shrinks them to what is
left of the attempt, the response hook shrinks the body's read timeout again when the
headers arrive, and the body stream checks the deadline at every chunk. A sync connection's
reads and writes are also cut to what is left (httpcore's `trace` extension binds each new
connection, since httpx has no hook inside header reading); an async attempt runs under
`asyncio.timeout`, which cancels it at the deadline exactly.

Size: an answer is read through `_Guard`, which refuses more than `max_answer_bytes`, both
on the wire and after gzip/deflate decoding (done here, bounded, not by httpx), and more
than `max_answer_items` JSON values, so parsing what is accepted takes milliseconds.

Clock skew: a client signs with an `OffsetClock`. When an answer is the vendor's "your
request's time is outside the window" error (`ApiError.clock_skew`) and carries a usable
`Date`, the clock adopts the server's time and the request is sent again at once, signed
afresh; the offset stays for every later call on that client.
"""

from __future__ import annotations

import logging
import random
import ssl
import time
from collections.abc import Awaitable, Callable
from contextvars import Token
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

import httpx

from kms_pubkey import defaults
from kms_pubkey.answer_guard import UnusableBody, bodiless, guard_body
from kms_pubkey.attempt import CURRENT_ATTEMPT, Attempt, remaining
from kms_pubkey.errors import (
    ApiError,
    CertificateVerificationError,
    KmsError,
    ResponseError,
    SigningError,
    ThrottlingError,
    TransportError,
)
from kms_pubkey.frozen import Frozen
from kms_pubkey.signing import as_utc

R = TypeVar("R")

log = logging.getLogger("kms_pubkey")
"""The SDK's one logger: a DEBUG record per attempt, an INFO record per retry.

Records name the operation, method, origin, path, status and attempt; never a header value,
a query string (Alibaba's v1 signature and STS token travel there), a signature or a secret.
"""


if TYPE_CHECKING:  # a Protocol class costs a cold start ~0.1 ms to build, and only mypy reads it

    class ErrorDecoder(Protocol):
        """Turns a non-2xx answer into the vendor's `ApiError` subclass."""

        def __call__(self, response: httpx.Response) -> ApiError: ...


class OffsetClock:
    """A client's signing clock: the injected clock plus what a server's `Date` taught it.

    The signer reads it for every attempt, so the retry after a correction, and every later
    call on the same client, is signed with the corrected time. Its one piece of state is a
    float assigned whole: concurrent calls read the old offset or the new one, both usable.
    """

    __slots__ = ("_clock", "offset")

    def __init__(self, clock: Callable[[], datetime]) -> None:
        self._clock = clock
        self.offset = 0.0
        """Seconds added to the injected clock's reading."""

    def __call__(self) -> datetime:
        now = self._clock()
        return now + timedelta(seconds=self.offset) if self.offset else now

    def correct(self, server_time: datetime) -> float | None:
        """Adopt the server's time; the seconds the clock moved, or None when it was already
        within `CLOCK_CORRECTION_THRESHOLD_SECONDS` of it (then a new signature would not help)."""
        offset = (as_utc(server_time) - as_utc(self._clock())).total_seconds()
        moved = offset - self.offset
        if not abs(moved) > defaults.CLOCK_CORRECTION_THRESHOLD_SECONDS:
            return None
        self.offset = offset
        return moved


class RequestPolicy(Frozen):
    __slots__ = (
        "backoff_base",
        "backoff_cap",
        "clock",
        "max_answer_bytes",
        "max_answer_items",
        "max_retries",
        "retry_after_cap",
        "timeout",
        "total_timeout",
    )
    timeout: float
    max_retries: int
    backoff_base: float
    backoff_cap: float
    retry_after_cap: float
    total_timeout: float | None
    max_answer_bytes: int
    max_answer_items: int
    clock: OffsetClock | None
    """The client's signing clock, which a clock-skew error's `Date` corrects (None: no time is signed)."""

    def __init__(
        self,
        timeout: float = defaults.TIMEOUT_SECONDS,
        max_retries: int = defaults.MAX_RETRIES,
        backoff_base: float = defaults.BACKOFF_BASE_SECONDS,
        backoff_cap: float = defaults.BACKOFF_CAP_SECONDS,
        retry_after_cap: float = defaults.RETRY_AFTER_CAP_SECONDS,
        total_timeout: float | None = defaults.TOTAL_TIMEOUT_SECONDS,
        max_answer_bytes: int = defaults.MAX_ANSWER_BYTES,
        max_answer_items: int = defaults.MAX_ANSWER_ITEMS,
        clock: OffsetClock | None = None,
    ) -> None:
        from kms_pubkey.errors import ValidationError

        if not _positive(timeout):
            raise ValidationError("timeout must be a positive number of seconds")
        if total_timeout is not None and not _positive(total_timeout):
            raise ValidationError("total_timeout must be a positive number of seconds, or None")
        if isinstance(max_retries, bool) or not isinstance(max_retries, int):
            raise ValidationError("max_retries must be a whole number")
        if max_retries < 0:
            raise ValidationError("max_retries must be 0 or more")
        self._set(
            timeout=timeout,
            max_retries=max_retries,
            backoff_base=backoff_base,
            backoff_cap=backoff_cap,
            retry_after_cap=retry_after_cap,
            total_timeout=total_timeout,
            max_answer_bytes=max_answer_bytes,
            max_answer_items=max_answer_items,
            clock=clock,
        )

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


def _positive(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and 0 < value < float("inf")


class _Clock:
    """The overall deadline of one call (None without `total_timeout`) and each attempt's, and
    whether the call has already corrected the signing clock (it does so once at most)."""

    __slots__ = ("corrected", "overall", "policy")

    def __init__(self, policy: RequestPolicy) -> None:
        self.policy = policy
        total = policy.total_timeout
        self.overall = None if total is None else time.monotonic() + total
        self.corrected = False

    def attempt(self, what: str, number: int) -> Attempt:
        deadline = time.monotonic() + self.policy.timeout
        if self.overall is not None:
            deadline = min(deadline, self.overall)
        return Attempt(what, number, deadline, self.policy.max_answer_bytes, self.policy.max_answer_items)

    def allows(self, delay: float) -> bool:
        """Whether a retry after `delay` seconds would still start before the overall deadline."""
        return self.overall is None or time.monotonic() + delay < self.overall


def is_retryable(error: KmsError) -> bool:
    if isinstance(error, CertificateVerificationError):
        return False  # a wrong or missing CA does not fix itself between attempts
    if isinstance(error, (TransportError, ThrottlingError)):
        return True
    return isinstance(error, ApiError) and error.status_code >= 500


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


def _certificate_failure(exc: BaseException) -> str | None:
    """The reason, when a connect failed because the server's certificate did not verify."""
    cause: BaseException | None = exc
    for _ in range(8):
        if cause is None:
            return None
        if isinstance(cause, ssl.SSLCertVerificationError):
            return cause.verify_message or "certificate verify failed"
        cause = cause.__cause__ or cause.__context__
    return None


def _host(exc: httpx.TransportError) -> str:
    try:
        return exc.request.url.host or "the service"
    except RuntimeError:
        return "the service"


def _attempts(n: int) -> str:
    return f"{n} attempt" if n == 1 else f"{n} attempts"


def _translate(exc: BaseException, what: str, attempts: int, answered: bool) -> KmsError:
    if isinstance(exc, UnusableBody):
        return ResponseError(str(exc))  # the public class, not the hooks' internal marker
    if isinstance(exc, KmsError):
        return exc
    if isinstance(exc, httpx.TimeoutException):
        return TransportError(
            f"{what}: timed out talking to {_failed_url(exc)} after {_attempts(attempts)} "
            f"({type(exc).__name__})"
        )
    if isinstance(exc, TimeoutError):  # asyncio.timeout ended an async attempt at its deadline
        return TransportError(f"{what}: timed out after {_attempts(attempts)} (the attempt's deadline)")
    if isinstance(exc, httpx.ConnectError) and (reason := _certificate_failure(exc)) is not None:
        return CertificateVerificationError(
            f"{what}: certificate verification failed for {_host(exc)} ({reason}); "
            "not retried: check the endpoint's host name, or give the CA that issued its "
            "certificate (ca_file for a KMS instance)"
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


def _retry_delay(exc: Exception, attempt: int, clock: _Clock, state: Attempt) -> float:
    """Seconds before the next attempt; raises the typed error when there is none.

    The one retry decision, shared by the sync and the async loop. `attempt` counts the
    retries spent, from 0 (a clock correction's resend is not one of them).
    """
    policy = clock.policy
    what = state.what
    error = _translate(exc, what, state.number, state.answered)
    if isinstance(error, SigningError):
        raise error from exc
    if isinstance(exc, httpx.TransportError) and log.isEnabledFor(logging.DEBUG):
        log.debug(
            "%s: attempt %d: %s %s -> %s",
            what,
            state.number,
            _method(exc),
            _failed_url(exc),
            type(exc).__name__,
        )
    delay = policy.next_delay(attempt, error)
    if delay is not None and not clock.allows(delay):
        log.info("%s: attempt %d failed and total_timeout leaves no time to retry", what, state.number)
        delay = None
    if delay is None:
        if error is exc:
            raise exc
        raise error from None
    log.info(
        "%s: attempt %d of %d failed (%s); retrying in %.2f s",
        what,
        state.number,
        policy.max_retries + 1 + clock.corrected,
        _summary(error, exc),
        delay,
    )
    return delay


def _corrects_clock(exc: Exception, clock: _Clock, state: Attempt) -> bool:
    """Whether to send again at once, signed with the clock the answer's `Date` just corrected.

    Only for the vendor's clock-skew error (`ApiError.clock_skew`) with a usable `Date` that
    moves the clock by more than `CLOCK_CORRECTION_THRESHOLD_SECONDS`; once per call; and not
    counted against `max_retries` nor waited for: the cause is known and removed, so this is
    a corrected request rather than a retry of a transient fault (with `max_retries=0` a
    client still corrects its clock). A second skew error in the same call is raised.
    """
    signing = clock.policy.clock
    if (
        clock.corrected
        or signing is None
        or not isinstance(exc, ApiError)
        or not exc.clock_skew
        or exc.server_date is None
        or not clock.allows(0.0)
    ):
        return False
    moved = signing.correct(exc.server_date)
    if moved is None:
        return False
    clock.corrected = True
    log.info(
        "%s: attempt %d: %s, the request's time is outside the service's window; "
        "corrected the clock by %+.0f s from the server's Date and sending again",
        state.what,
        state.number,
        _summary(exc, exc),
        moved,
    )
    return True


def default_sleep(seconds: float) -> None:
    """The wait between attempts; looked up at call time so tests can replace it."""
    time.sleep(seconds)


async def default_async_sleep(seconds: float) -> None:
    import asyncio  # here, not at the top: sync-only programs then never import asyncio

    await asyncio.sleep(seconds)


class _Attempts:
    """One call's attempts, driven the same way by the sync and the async loop: each attempt
    runs in a `with attempts:` block, which publishes it (`CURRENT_ATTEMPT`) and, when it
    fails, either swallows the failure and sets `wait` (seconds before the next attempt; None
    to resend at once with a corrected clock) or raises the typed error."""

    def __init__(self, policy: RequestPolicy, what: str) -> None:
        self.clock, self.what = _Clock(policy), what
        self.failures = 0
        self.wait: float | None = None
        self._state: Attempt | None = None
        self._token: Token[Attempt | None] | None = None

    def __enter__(self) -> Attempt:
        self._state = self.clock.attempt(self.what, self.failures + 1 + self.clock.corrected)
        self._token = CURRENT_ATTEMPT.set(self._state)
        self.wait = None
        return self._state

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: object) -> bool:
        assert self._state is not None and self._token is not None
        CURRENT_ATTEMPT.reset(
            self._token
        )  # a stale attempt (and its past deadline) must not outlive the call
        if not isinstance(exc, Exception):
            return False
        if not _corrects_clock(exc, self.clock, self._state):
            self.wait = _retry_delay(exc, self.failures, self.clock, self._state)
            self.failures += 1
        return True


def call(
    send: Callable[[], R], policy: RequestPolicy, what: str, sleep: Callable[[float], None] | None = None
) -> R:
    attempts = _Attempts(policy, what)
    while True:
        with attempts:
            return send()
        if attempts.wait is not None:
            (sleep or default_sleep)(attempts.wait)


async def acall(
    send: Callable[[], Awaitable[R]],
    policy: RequestPolicy,
    what: str,
    sleep: Callable[[float], Awaitable[None]] | None = None,
) -> R:
    import asyncio

    attempts = _Attempts(policy, what)
    while True:
        with attempts as state:
            async with asyncio.timeout(state.deadline - time.monotonic()):
                return await send()
        if attempts.wait is not None:
            await (sleep or default_async_sleep)(attempts.wait)


def error_hooks(decode: ErrorDecoder) -> tuple[dict[str, list[Any]], dict[str, list[Any]]]:
    """httpx event hooks (sync, async): deadline and size guards, and the vendor's error on any non-2xx.

    The response hooks run before the generated parser sees the answer, so an HTML 502, an
    XML 403 or a status code outside `HTTPStatus` never reaches it. An error answer whose
    body is too large (or too many values) is classed by its status and headers alone.
    """

    def check(response: httpx.Response) -> None:
        ok = 200 <= response.status_code < 300
        try:
            _answered(response, asynchronous=False)
            if ok:
                return
            response.read()
        except UnusableBody:
            if ok:
                raise
            response.close()
            response = bodiless(response)
        raise decode(response)

    async def acheck(response: httpx.Response) -> None:
        ok = 200 <= response.status_code < 300
        try:
            _answered(response, asynchronous=True)
            if ok:
                return
            await response.aread()
        except UnusableBody:
            if ok:
                raise
            await response.aclose()
            response = bodiless(response)
        raise decode(response)

    async def abound(request: httpx.Request) -> None:
        _bound_timeouts(request, CURRENT_ATTEMPT.get())

    return (
        {"request": [_bound_sync_request], "response": [check]},
        {"request": [abound], "response": [acheck]},
    )


_TIMEOUT_KEYS = ("connect", "read", "write", "pool")


def _bound_timeouts(request: httpx.Request, state: Attempt | None) -> None:
    """No socket operation of this attempt may wait past its deadline.

    httpx builds a fresh timeout dict for each request, and httpcore reads it when each
    phase starts (connect, send, and again when the body is first read), so shrinking it
    here and in `_answered` bounds every wait by what is left.
    """
    timeouts = request.extensions.get("timeout")
    if state is None or not isinstance(timeouts, dict):
        return
    left = remaining(state, request)
    for key in _TIMEOUT_KEYS:
        current = timeouts.get(key)
        if current is None or current > left:
            timeouts[key] = left


def _bound_sync_request(request: httpx.Request) -> None:
    _bound_timeouts(request, CURRENT_ATTEMPT.get())
    request.extensions.setdefault("trace", _trace)


def _trace(event: str, info: dict[str, Any]) -> None:
    """httpcore's trace extension (sync clients): each new connection's stream is bound to the deadline.

    httpx has no hook inside header reading, so without this a server dripping its status
    line and headers could hold a sync attempt indefinitely. Async attempts do not need it:
    `asyncio.timeout` cancels them.
    """
    if event.endswith(("connect_tcp.complete", "start_tls.complete")):
        _bind_stream(info.get("return_value"))
    elif event == "http11.send_request_headers.started":
        # The connection is ready, so no later event of this request concerns us: without
        # the extension httpcore skips its eight further trace calls. Not for a proxy's
        # CONNECT, which shares the request's extensions: the tunnel's TLS comes after it.
        request = info.get("request")
        if request is not None and request.method != b"CONNECT":
            request.extensions.pop("trace", None)


def _bind_stream(stream: object) -> None:
    """Every read and write of this connection waits no longer than the current attempt has left."""
    read, write = getattr(stream, "read", None), getattr(stream, "write", None)
    if not callable(read) or not callable(write):
        return

    def bounded_read(max_bytes: int, timeout: float | None = None) -> Any:
        return read(max_bytes, _within(timeout))

    def bounded_write(buffer: bytes, timeout: float | None = None) -> Any:
        return write(buffer, _within(timeout))

    try:
        setattr(stream, "read", bounded_read)  # noqa: B010 - an instance attribute, on purpose
        setattr(stream, "write", bounded_write)  # noqa: B010
    except AttributeError:  # a stream class with __slots__: the per-chunk checks still apply
        pass


def _within(timeout: float | None) -> float | None:
    """`timeout` cut to what the current attempt has left (a connection outlives its attempts)."""
    state = CURRENT_ATTEMPT.get()
    if state is None:
        return timeout
    left = state.deadline - time.monotonic()
    if left < 1e-6:
        left = 1e-6  # spent: the socket times out at once
    return left if timeout is None or timeout > left else timeout


def _answered(response: httpx.Response, *, asynchronous: bool) -> None:
    state = CURRENT_ATTEMPT.get()
    request = response.request
    if state is not None:
        state.answered = True
        _bound_timeouts(request, state)
        guard_body(response, state, asynchronous)
    if log.isEnabledFor(logging.DEBUG):
        log.debug(
            "%s: attempt %d: %s %s%s -> %d",
            state.what if state is not None else "request",
            state.number if state is not None else 0,
            request.method,
            origin(request.url),
            request.url.path,
            response.status_code,
        )
