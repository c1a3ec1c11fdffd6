"""The httpx clients the vendor clients send with: httpx's own, minus two costs per request
that a KMS client does not need (together ~15% of a warm call's CPU, measured in `make bench`).

- No cookie jar. KMS APIs set no cookies, and a signed client should not send back whatever a
  proxy or server sets; httpx otherwise runs every answer through `http.cookiejar` (it builds
  a `urllib` request and an `email` message for each one).
- The request URL merged with `base_url` once per path, not re-parsed twice per request: the
  generated operations always send the same path (URLs are immutable, so sharing one is safe).

A client is made with its vendor client; its default transport (the connection pool and the TLS
context, which loads the CA bundle) only when the first request is sent, so a client that is
built and never used costs next to nothing.
"""

from __future__ import annotations

import threading
from typing import Any

import httpx

from kms_pubkey.endpoints import default_context

_MERGED_URLS = 64
"""Paths remembered per client; a client sends one or two."""


class _NoCookies(httpx.Cookies):
    """Always empty: nothing an answer sets is kept, so nothing is sent back."""

    def extract_cookies(self, response: httpx.Response) -> None:
        return None

    def set_cookie_header(self, request: httpx.Request) -> None:
        return None


_NO_COOKIES = _NoCookies()


class _Lean:
    """What both clients change: the cookie jar and the URL merge (see the module docstring)."""

    _merged: dict[str, httpx.URL]
    _queried: dict[tuple[Any, ...], httpx.URL]

    @property
    def cookies(self) -> httpx.Cookies:
        return _NO_COOKIES

    @cookies.setter
    def cookies(self, cookies: Any) -> None:
        # httpx's constructor assigns its (empty) jar; any other jar would only be ignored.
        if cookies:
            raise ValueError("kms-pubkey clients keep no cookies")

    def build_request(
        self, method: str, url: httpx.URL | str, *, params: Any = None, **kwargs: Any
    ) -> httpx.Request:
        if params and isinstance(url, str):
            url, params = self._with_query(url, params)
        return super().build_request(method, url, params=params, **kwargs)  # type: ignore[misc, no-any-return]

    def _with_query(self, url: str, params: Any) -> tuple[httpx.URL | str, Any]:
        """The request URL with its query, remembered per path and parameters like the merged path:
        httpx would merge the parameters twice and re-encode and re-check every character of the
        query for each request. Made by httpx's own `copy_merge_params`, so the bytes sent are
        the same; only plain text parameters, on a client without parameters of its own."""
        own = self.params  # type: ignore[attr-defined]  # httpx.Client's, beside this mixin
        if type(params) is not dict or own or not all(type(v) is str for v in params.values()):
            return url, params
        key = (url, *params.items())
        found = self._queried.get(key)
        if found is None:
            found = self._merge_url(url).copy_merge_params(params)
            if len(self._queried) < _MERGED_URLS:
                self._queried[key] = found
        return found, None

    def _merge_url(self, url: httpx.URL | str) -> httpx.URL:
        if not isinstance(url, str):
            return super()._merge_url(url)  # type: ignore[misc, no-any-return]
        merged = self._merged.get(url)
        if merged is None:
            merged = super()._merge_url(url)  # type: ignore[misc]
            if len(self._merged) < _MERGED_URLS:
                self._merged[url] = merged
        return merged


class LeanClient(_Lean, httpx.Client):
    def __init__(self, **kwargs: Any) -> None:
        self._merged, self._queried = {}, {}
        super().__init__(**kwargs)


class LeanAsyncClient(_Lean, httpx.AsyncClient):
    def __init__(self, **kwargs: Any) -> None:
        self._merged, self._queried = {}, {}
        super().__init__(**kwargs)


class _Deferred:
    """Builds httpx's own transport with `settings` on first use (once, under a lock)."""

    def __init__(self, factory: Any, settings: dict[str, Any]) -> None:
        self._factory, self._settings = factory, settings
        self._lock = threading.Lock()
        self.inner: Any = None

    def built(self) -> Any:
        if self.inner is None:
            with self._lock:
                if self.inner is None:
                    settings = dict(self._settings)
                    if settings.get("verify") is True:
                        # One default trust per process: httpx would load the CA bundle for
                        # every transport (~30 ms), which a process making many clients repays.
                        settings["verify"] = default_context()
                    self.inner = self._factory(**settings)
        return self.inner


class DeferredTransport(httpx.BaseTransport):
    def __init__(self, **settings: Any) -> None:
        self.deferred = _Deferred(httpx.HTTPTransport, settings)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        return self.deferred.built().handle_request(request)  # type: ignore[no-any-return]

    def close(self) -> None:
        if self.deferred.inner is not None:
            self.deferred.inner.close()


class DeferredAsyncTransport(httpx.AsyncBaseTransport):
    def __init__(self, **settings: Any) -> None:
        self.deferred = _Deferred(httpx.AsyncHTTPTransport, settings)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        return await self.deferred.built().handle_async_request(request)  # type: ignore[no-any-return]

    async def aclose(self) -> None:
        if self.deferred.inner is not None:
            await self.deferred.inner.aclose()


def lean_client(generated: dict[str, Any], *, asynchronous: bool) -> httpx.Client | httpx.AsyncClient:
    """The httpx client a generated `Client` built from `generated` (its keyword arguments)
    would make, as a lean one, with its default transport deferred to the first request."""
    httpx_args = dict(generated["httpx_args"])
    if httpx_args.get("transport") is None:
        deferred = DeferredAsyncTransport if asynchronous else DeferredTransport
        httpx_args["transport"] = deferred(verify=generated["verify_ssl"])
    kwargs = {
        "base_url": generated["base_url"],
        "headers": generated["headers"],
        "timeout": generated["timeout"],
        "verify": generated["verify_ssl"],
        "follow_redirects": generated["follow_redirects"],
        **httpx_args,
    }
    return LeanAsyncClient(**kwargs) if asynchronous else LeanClient(**kwargs)
