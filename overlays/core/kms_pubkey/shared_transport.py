"""What an async transport that several clients share offers them (`AiohttpTransport`)."""

from __future__ import annotations

import ssl

import httpx


class SharedTransport(httpx.AsyncBaseTransport):
    """A transport many clients may be given: each binds its own TLS settings to it and gets
    its own view, whose `aclose` gives back that client's share instead of closing it for all."""

    def bind(self, verify: ssl.SSLContext | bool) -> httpx.AsyncBaseTransport:
        raise NotImplementedError
