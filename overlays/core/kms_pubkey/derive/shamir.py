"""k1*P1 + k2*P2 in one pass of doublings (Shamir's trick): the cost of every curve signature
check written here (SM2, Ed25519ph), for any point representation and group law."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

P = TypeVar("P")


def twin(
    k1: int, p1: P, k2: int, p2: P, *, add: Callable[[P, P], P], double: Callable[[P], P], identity: P
) -> P:
    both = add(p1, p2)
    steps = {(1, 1): both, (1, 0): p1, (0, 1): p2}
    result = identity
    for i in range(max(k1.bit_length(), k2.bit_length()) - 1, -1, -1):
        result = double(result)
        step = steps.get((k1 >> i & 1, k2 >> i & 1))
        if step is not None:
            result = add(result, step)
    return result
