"""`keys`: the Alibaba keys the session emulator seeded, checked to cover the expected specs."""

from __future__ import annotations

import pytest

EXPECTED_SPECS = {"RSA_2048", "RSA_3072", "EC_P256", "EC_P256K"}


@pytest.fixture(scope="module")
def keys(emulator):
    found = emulator.keys_for("alibaba")
    assert {k.key_spec for k in found} >= EXPECTED_SPECS
    return found
