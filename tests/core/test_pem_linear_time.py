"""Refusing hostile PEM text costs time linear in its size (the lazy PEM regex was quadratic)."""

from __future__ import annotations

import time

import pytest

from kms_pubkey import KeyFormatError, load_public_key

MARKER = "-----BEGIN PUBLIC KEY-----"
SMALL = 64 * 1024
LARGE = 1024 * 1024


def _hostile(size: int, unit: str) -> str:
    return (unit * (size // len(unit) + 1))[:size]


def _best_refusal_seconds(text: str, rounds: int = 3) -> float:
    best = float("inf")
    for _ in range(rounds):
        start = time.perf_counter()
        with pytest.raises(KeyFormatError):
            load_public_key(text)
        best = min(best, time.perf_counter() - start)
    return best


@pytest.mark.parametrize(
    "unit",
    [MARKER, MARKER + "\n", "-----END PUBLIC KEY-----", "-----BEGIN ", MARKER + "A" * 30],
)
def test_refusal_time_grows_linearly(unit: str) -> None:
    # Ratio of two sizes measured in the same test: linear gives ~16x, quadratic 256x.
    small = _best_refusal_seconds(_hostile(SMALL, unit))
    large = _best_refusal_seconds(_hostile(LARGE, unit))
    assert large < 40 * max(small, 1e-5), (unit, small, large)
