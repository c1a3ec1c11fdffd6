"""`huawei_keys`: the Huawei keys the session emulator seeded, checked to cover the expected specs.

`no_metadata_address` (autouse): whatever a test's environment says, neither our chain nor
huaweicloudsdkcore can reach the real metadata or IAM and STS addresses; both are hard-coded, so their
constants point at a refused local port (the discard port, never served) for every test here.
"""

from __future__ import annotations

from typing import Any

import pytest
from huaweicloudsdkcore.auth import internal

from kms_pubkey_huawei.credentials import chain

REFUSED = "http://127.0.0.1:9"


@pytest.fixture(autouse=True)
def no_metadata_address(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(chain, "DEFAULT_METADATA_ENDPOINT", REFUSED)
    monkeypatch.setattr(chain, "DEFAULT_IAM_ENDPOINT", REFUSED)
    monkeypatch.setattr(chain, "DEFAULT_STS_ENDPOINT", REFUSED)
    monkeypatch.setattr(internal.MetadataAccessor, "_METADATA_ENDPOINT", REFUSED)
    monkeypatch.setattr(internal.IamHelper, "DEFAULT_ENDPOINT", REFUSED)
    monkeypatch.setattr(internal.StsHelper, "DEFAULT_STS_ENDPOINT", REFUSED)


@pytest.fixture
def huawei_keys(emulator: Any) -> list[Any]:
    keys = emulator.keys_for("huawei")
    assert {k.key_spec for k in keys} >= {"RSA_2048", "RSA_3072", "RSA_4096", "EC_P256", "EC_P384",
                                           "SECP256K1", "ED25519"}
    return keys
