"""What every vendor client shares: the generated client's settings, lifecycle and retry loop.

A vendor client adds only its operation: argument checks, the generated call, and
turning the parsed answer into a `PublicKey`.
"""

from __future__ import annotations

import sys
from collections.abc import Awaitable, Callable, Iterable
from enum import Enum
from typing import Any, Generic, Protocol, Self, TypeVar

import httpx

from kms_pubkey import defaults, transport
from kms_pubkey.transport import ErrorDecoder, RequestPolicy

R = TypeVar("R")

USER_AGENT = f"{defaults.USER_AGENT} python/{sys.version_info[0]}.{sys.version_info[1]}"


class GeneratedClient(Protocol):
    def get_httpx_client(self) -> httpx.Client: ...
    def get_async_httpx_client(self) -> httpx.AsyncClient: ...


ApiT = TypeVar("ApiT", bound=GeneratedClient)


def generated_client_args(
    base_url: str,
    auth: httpx.Auth,
    decode_error: ErrorDecoder,
    policy: RequestPolicy,
    *,
    asynchronous: bool,
    verify: Any = True,
    transport: httpx.BaseTransport | httpx.AsyncBaseTransport | None = None,
    secrets: Iterable[str | None] = (),
) -> dict[str, Any]:
    """Keyword arguments for any generated `Client`: one policy for every vendor.

    `secrets` (the secret key, session token...) are masked in any error message the
    service echoes back.
    """
    from kms_pubkey.transport import error_hooks, redacting

    sync_hooks, async_hooks = error_hooks(redacting(decode_error, secrets))
    httpx_args: dict[str, Any] = {"auth": auth, "event_hooks": async_hooks if asynchronous else sync_hooks}
    if transport is not None:
        httpx_args["transport"] = transport
    return {
        "base_url": base_url,
        "timeout": policy.httpx_timeout(),
        "verify_ssl": verify,
        "follow_redirects": False,
        "raise_on_unexpected_status": False,
        "headers": {"User-Agent": USER_AGENT},
        "httpx_args": httpx_args,
    }


def text(value: Any) -> str | None:
    """A generated field as plain text: enum members by value, UNSET/None as None."""
    if value is None or type(value).__name__ == "Unset":
        return None
    if isinstance(value, Enum):
        return str(value.value)
    return str(value)


def texts(values: Any) -> tuple[str, ...]:
    if not isinstance(values, list):
        return ()
    return tuple(t for t in (text(v) for v in values) if t is not None)


class _Lifecycle:
    """Open until `close()`; the HTTP client is built on first use, so an unused one is not."""

    _vendor: str = ""

    def __init__(self) -> None:
        self._used = False
        self._closed = False

    def _start_call(self) -> None:
        if self._closed:
            from kms_pubkey.errors import ClientClosedError

            raise ClientClosedError(f"this {self._vendor} client is closed; create a new one")
        self._used = True

    def _finish(self) -> bool:
        """Mark closed; True when there is an HTTP client to close."""
        self._closed = True
        return self._used


class SyncClientBase(_Lifecycle, Generic[ApiT]):
    """Lifecycle and retries for a sync vendor client."""

    def __init__(self, api: ApiT, policy: RequestPolicy) -> None:
        super().__init__()
        self._api = api
        self._policy = policy

    def _call(self, send: Callable[[], R], what: str) -> R:
        self._start_call()
        return transport.call(send, self._policy, f"{self._vendor} {what}")

    def close(self) -> None:
        if self._finish():
            self._api.get_httpx_client().close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class AsyncClientBase(_Lifecycle, Generic[ApiT]):
    """Lifecycle and retries for an async vendor client."""

    def __init__(self, api: ApiT, policy: RequestPolicy) -> None:
        super().__init__()
        self._api = api
        self._policy = policy

    async def _call(self, send: Callable[[], Awaitable[R]], what: str) -> R:
        self._start_call()
        return await transport.acall(send, self._policy, f"{self._vendor} {what}")

    async def close(self) -> None:
        if self._finish():
            await self._api.get_async_httpx_client().aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()
