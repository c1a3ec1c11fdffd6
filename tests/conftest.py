"""Shared fixtures.

`emulator`: one kms-pubkey emulator for the whole session, on 127.0.0.1. Tests that disable a
key must enable it again (use `emulator.set_enabled` in a try/finally), since every area shares
the same keys.

`clean_env` (autouse): no test sees the developer's cloud settings.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from kms_pubkey_emulator import Emulator

# Every variable our clients and the official SDKs read starts with one of these: credentials,
# region, profile, config and credential file paths, endpoint overrides, web identity / OIDC,
# container and instance-metadata settings.
AMBIENT_PREFIXES = ("AWS_", "ALIBABA_CLOUD_", "ALIBABACLOUD_", "ALICLOUD_", "HUAWEICLOUD_", "CLOUD_SDK_")
AMBIENT_PREFIXES += ("HC_CONTAINER_",)  # huaweicloudsdkcore's pod identity (CCE)


@pytest.fixture(scope="session")
def emulator() -> Iterator[Emulator]:
    with Emulator() as emu:
        yield emu


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Clear every vendor variable and point HOME at an empty folder; return that folder.

    The file-path variables (AWS_CONFIG_FILE, AWS_SHARED_CREDENTIALS_FILE, ALIBABA_CLOUD_CONFIG_FILE,
    ALIBABA_CLOUD_CREDENTIALS_FILE, HUAWEICLOUD_SDK_CREDENTIALS_FILE) are removed rather than set,
    so each vendor falls back to its default under the empty HOME (~/.aws, ~/.aliyun,
    ~/.alibabacloud, ~/.huaweicloud) and tests that write files there exercise that default.
    The official SDKs are also told not to ask an instance-metadata address.
    Session fixtures (the emulator, moto) are set up before this and keep the real environment.
    """
    for name in list(os.environ):
        if name.startswith(AMBIENT_PREFIXES):
            monkeypatch.delenv(name)
    home = tmp_path_factory.mktemp("home")  # not inside tmp_path: tests list their own folder
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("USERPROFILE", str(home))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setenv("ALIBABA_CLOUD_ECS_METADATA_DISABLED", "true")
    # Ours, for the Alibaba ECS RAM role: a test that turns it on still reaches only 127.0.0.1.
    monkeypatch.setenv("ALIBABA_CLOUD_ECS_METADATA_ENDPOINT", "http://127.0.0.1:9")
    monkeypatch.setenv("KMS_PUBKEY_HUAWEI_METADATA_DISABLED", "true")  # survives the CLI tests' clearing
    return home
