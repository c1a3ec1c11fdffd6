"""A recording httpx transport: the network stand-in for client unit tests.

It keeps every request that would have been sent (body read, so tests can inspect it) and
answers from a handler or a canned response.
"""

from __future__ import annotations

from collections.abc import Callable

import httpx

Handler = Callable[[httpx.Request], httpx.Response]


class Recorder:
    def __init__(self, answer: Handler | httpx.Response) -> None:
        self.requests: list[httpx.Request] = []
        self._answer = answer

    def __call__(self, request: httpx.Request) -> httpx.Response:
        request.read()
        self.requests.append(request)
        if callable(self._answer):
            return self._answer(request)
        answer = self._answer  # copied: a response object is single-use
        return httpx.Response(answer.status_code, headers=answer.headers, content=answer.content)

    def transport(self) -> httpx.MockTransport:
        """A transport for a sync or an async client (MockTransport serves both)."""
        return httpx.MockTransport(self)
