"""Shared fixtures. `emulator`: one kms-pubkey emulator for the whole session, on 127.0.0.1.

Tests that disable a key must enable it again (use `emulator.set_enabled` in a try/finally),
since every area shares the same keys.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from kms_pubkey_emulator import Emulator


@pytest.fixture(scope="session")
def emulator() -> Iterator[Emulator]:
    with Emulator() as emu:
        yield emu
