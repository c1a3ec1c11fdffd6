"""`kms-pubkey get alibaba`: a dry run that passes exits 0 with one line; --profile picks a profile
of the aliyun CLI's config.json. Subprocesses against the session emulator."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration

CLEARED = ("AWS_", "ALIBABA_CLOUD_", "HUAWEICLOUD_SDK_", "CLOUD_SDK_")
CONSOLE = str(Path(sys.executable).parent / "kms-pubkey")


def _base(home: Path) -> dict[str, str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith(CLEARED)}
    base["HOME"] = str(home)
    return base


def get(emulator, env, key, *args: str) -> subprocess.CompletedProcess[str]:
    command = [CONSOLE, "get", "alibaba", key.key_id, "--key-version-id", key.key_version_id]
    return subprocess.run(
        [*command, "--endpoint", emulator.url, *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize("version", ["v3", "v1"])
def test_a_dry_run_that_passes_exits_0_with_one_line(emulator, tmp_path, version):
    env = {**_base(tmp_path), **emulator.client_env()}
    key = emulator.key("alibaba", "EC_P256")
    result = get(emulator, env, key, "--dry-run", "--signature-version", version)
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout == (
        "kms-pubkey: dry run passed: the request would have succeeded (DryRunOperationError)\n"
    )


def test_a_dry_run_that_fails_is_the_error(emulator, tmp_path):
    env = {**_base(tmp_path), **emulator.client_env(), "ALIBABA_CLOUD_ACCESS_KEY_SECRET": "wrong"}
    key = emulator.key("alibaba", "EC_P256")
    result = get(emulator, env, key, "--dry-run")
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr.startswith("kms-pubkey: error: alibaba 400 SignatureDoesNotMatch")
    assert result.stderr.count("\n") == 1


@pytest.fixture
def aliyun_home(emulator, tmp_path) -> Path:
    """A ~/.aliyun/config.json whose current profile is wrong and whose `emu` profile is right."""
    config = {
        "current": "other",
        "profiles": [
            {"name": "other", "mode": "AK", "access_key_id": "nobody", "access_key_secret": "x"},
            {
                "name": "emu",
                "mode": "AK",
                "access_key_id": emulator.config.access_key_id,
                "access_key_secret": emulator.config.secret_access_key,
                "region_id": "cn-hangzhou",
            },
        ],
    }
    (tmp_path / ".aliyun").mkdir()
    (tmp_path / ".aliyun" / "config.json").write_text(json.dumps(config))
    return tmp_path


def test_profile_picks_the_named_profile(emulator, aliyun_home):
    key = emulator.key("alibaba", "RSA_2048")
    result = get(emulator, _base(aliyun_home), key, "--profile", "emu")
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout == key.public_key_pem


def test_without_profile_the_current_one_is_used(emulator, aliyun_home):
    key = emulator.key("alibaba", "RSA_2048")
    result = get(emulator, _base(aliyun_home), key)
    assert result.returncode == 1
    assert result.stderr.startswith("kms-pubkey: error: alibaba 404 InvalidAccessKeyId.NotFound")


def test_profile_beats_the_environment_keys(emulator, aliyun_home):
    env = {
        **_base(aliyun_home),
        "ALIBABA_CLOUD_ACCESS_KEY_ID": "nobody",
        "ALIBABA_CLOUD_ACCESS_KEY_SECRET": "x",
    }
    key = emulator.key("alibaba", "RSA_2048")
    result = get(emulator, env, key, "--profile", "emu")
    assert (result.returncode, result.stdout) == (0, key.public_key_pem)


def test_an_unknown_profile_is_one_line(emulator, aliyun_home):
    key = emulator.key("alibaba", "RSA_2048")
    result = get(emulator, _base(aliyun_home), key, "--profile", "missing")
    assert (result.returncode, result.stdout) == (1, "")
    path = aliyun_home / ".aliyun" / "config.json"
    assert result.stderr == f"kms-pubkey: error: ValidationError: profile 'missing' is not in {path}\n"


def test_the_clients_take_profile(emulator, aliyun_home, monkeypatch):
    """The keyword behind --profile, on the sync and the async client."""
    import asyncio

    from kms_pubkey_alibaba import AlibabaKmsClient, AsyncAlibabaKmsClient

    for name in list(os.environ):
        if name.startswith(CLEARED):
            monkeypatch.delenv(name)
    monkeypatch.setenv("HOME", str(aliyun_home))
    key = emulator.key("alibaba", "EC_P256")
    with AlibabaKmsClient(endpoint=emulator.url, profile="emu") as client:
        assert client.get_public_key(key.key_id, key.key_version_id).der == key.public_der

    async def fetch() -> bytes:
        async with AsyncAlibabaKmsClient(endpoint=emulator.url, profile="emu") as client:
            return (await client.get_public_key(key.key_id, key.key_version_id)).der

    assert asyncio.run(fetch()) == key.public_der
