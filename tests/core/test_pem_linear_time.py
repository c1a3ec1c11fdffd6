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


def _refusal_seconds(text: str) -> float:
    start = time.process_time()
    with pytest.raises(KeyFormatError):
        load_public_key(text)
    return time.process_time() - start


@pytest.mark.parametrize(
    "unit",
    [MARKER, MARKER + "\n", "-----END PUBLIC KEY-----", "-----BEGIN ", MARKER + "A" * 30],
)
def test_refusal_time_grows_linearly(unit: str) -> None:
    # Ratio of two sizes measured in the same test: linear gives ~16x, quadratic 256x. Each is
    # this process's CPU time (other processes on a shared machine do not count), the two sizes
    # alternate, and each keeps its best of 9.
    small_text, large_text = _hostile(SMALL, unit), _hostile(LARGE, unit)
    small = large = float("inf")
    for _ in range(9):
        small = min(small, _refusal_seconds(small_text))
        large = min(large, _refusal_seconds(large_text))
    assert large < 40 * max(small, 1e-5), (unit, small, large)
