"""`huawei_keys`: the Huawei keys the session emulator seeded, checked to cover the expected specs."""

from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture
def huawei_keys(emulator: Any) -> list[Any]:
    keys = emulator.keys_for("huawei")
    assert {k.key_spec for k in keys} >= {"RSA_2048", "RSA_3072", "RSA_4096", "EC_P256", "EC_P384",
                                           "SECP256K1", "ED25519"}
    return keys
