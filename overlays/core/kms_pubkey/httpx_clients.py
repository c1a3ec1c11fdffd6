"""The httpx clients the vendor clients send with: httpx's own, minus two costs per request
that a KMS client does not need (together ~15% of a warm call's CPU, measured in `make bench`).

- No cookie jar. KMS APIs set no cookies, and a signed client should not send back whatever a
  proxy or server sets; httpx otherwise runs every answer through `http.cookiejar` (it builds
  a `urllib` request and an `email` message for each one).
- The request URL merged with `base_url` once per path, not re-parsed twice per request: the
  generated operations always send the same path (URLs are immutable, so sharing one is safe).
"""

from __future__ import annotations

from typing import Any

import httpx

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

    @property
    def cookies(self) -> httpx.Cookies:
        return _NO_COOKIES

    @cookies.setter
    def cookies(self, cookies: Any) -> None:
        # httpx's constructor assigns its (empty) jar; any other jar would only be ignored.
        if cookies:
            raise ValueError("kms-pubkey clients keep no cookies")

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
        self._merged = {}
        super().__init__(**kwargs)


class LeanAsyncClient(_Lean, httpx.AsyncClient):
    def __init__(self, **kwargs: Any) -> None:
        self._merged = {}
        super().__init__(**kwargs)


def lean_client(generated: dict[str, Any], *, asynchronous: bool) -> httpx.Client | httpx.AsyncClient:
    """The httpx client a generated `Client` built from `generated` (its keyword arguments)
    would make, as a lean one."""
    kwargs = {
        "base_url": generated["base_url"],
        "headers": generated["headers"],
        "timeout": generated["timeout"],
        "verify": generated["verify_ssl"],
        "follow_redirects": generated["follow_redirects"],
        **generated["httpx_args"],
    }
    return LeanAsyncClient(**kwargs) if asynchronous else LeanClient(**kwargs)
