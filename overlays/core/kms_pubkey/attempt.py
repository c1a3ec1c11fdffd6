"""The attempt in progress, shared by the retry loop, its hooks, the deadlines and the answer guard."""

from __future__ import annotations

import time
from contextvars import ContextVar

import httpx


class Attempt:
    """The attempt in progress: the response hook marks it answered, so a failure after that
    is the answer's fault (`ResponseError`) and one before it is the request's (`SigningError`).

    `deadline` is the `time.monotonic()` by which the attempt must have its whole answer.
    """

    __slots__ = ("answered", "deadline", "items", "limit", "number", "what")

    def __init__(self, what: str, number: int, deadline: float, limit: int, items: int) -> None:
        self.what, self.number, self.answered = what, number, False
        self.deadline, self.limit, self.items = deadline, limit, items


CURRENT_ATTEMPT: ContextVar[Attempt | None] = ContextVar("kms_pubkey_attempt", default=None)


def remaining(state: Attempt, request: httpx.Request) -> float:
    """Seconds this attempt has left; past its deadline, the httpx timeout that ends it."""
    left = state.deadline - time.monotonic()
    if left <= 0:
        raise httpx.ReadTimeout("the attempt's deadline has passed", request=request)
    return left
