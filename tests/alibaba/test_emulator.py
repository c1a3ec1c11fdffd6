"""Alibaba shared gateway end to end: our clients and the CLI against the emulator on 127.0.0.1."""

from __future__ import annotations

import asyncio
import logging
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta

import pytest

from kms_pubkey import ApiError, AuthError, DryRunError, NotFoundError
from kms_pubkey_alibaba import AlibabaKmsClient, AsyncAlibabaKmsClient
from kms_pubkey_emulator.vendors.alibaba import sts_credentials
from tests.support.transports import ASYNC_TRANSPORTS, transport_args

pytestmark = pytest.mark.integration
VERSIONS = ("v3", "v1")


def _ours(emulator, version, cls=AlibabaKmsClient, **overrides):
    args = dict(
        endpoint=emulator.url,
        access_key_id=emulator.config.access_key_id,
        access_key_secret=emulator.config.secret_access_key,
        signature_version=version,
        max_retries=0,
    )
    args.update(overrides)
    return cls(**args)


@pytest.mark.parametrize("version", VERSIONS)
def test_our_sync_client_fetches_every_seeded_key(emulator, keys, version):
    with _ours(emulator, version) as client:
        for key in keys:
            got = client.get_public_key(key.key_id, key.key_version_id)
            assert got.der == key.public_der
            assert got.key_spec == key.key_spec
            assert (got.vendor, got.key_id, got.key_version_id) == ("alibaba", key.key_id, key.key_version_id)
            assert got.request_id


@pytest.mark.parametrize("transport", ASYNC_TRANSPORTS)
@pytest.mark.parametrize("version", VERSIONS)
def test_our_async_client_fetches_every_seeded_key(emulator, keys, version, transport):
    async def run():
        async with _ours(emulator, version, AsyncAlibabaKmsClient, **transport_args(transport)) as client:
            return await asyncio.gather(*(client.get_public_key(k.key_id, k.key_version_id) for k in keys))

    for key, got in zip(keys, asyncio.run(run()), strict=True):
        assert got.der == key.public_der
        assert got.key_spec == key.key_spec


@pytest.mark.parametrize("version", VERSIONS)
def test_our_client_by_alias_and_with_sts(emulator, keys, version):
    key = emulator.key("alibaba", "EC_P256")
    sts_id, token = sts_credentials(emulator.config.access_key_id)
    with _ours(emulator, version, access_key_id=sts_id, security_token=token) as client:
        got = client.get_public_key(key.aliases[0], key.key_version_id)
    assert got.der == key.public_der
    assert got.key_id == key.key_id


@pytest.mark.parametrize("version", VERSIONS)
def test_wrong_secret_is_auth_error_without_the_secret(emulator, keys, version):
    key = keys[0]
    client = _ours(emulator, version, access_key_secret="wrong-secret-value")
    with client, pytest.raises(AuthError) as caught:
        client.get_public_key(key.key_id, key.key_version_id)
    assert caught.value.code == "SignatureDoesNotMatch"
    assert "wrong-secret-value" not in str(caught.value) + repr(caught.value)


@pytest.mark.parametrize("version", VERSIONS)
def test_sts_token_never_in_an_error(emulator, keys, version):
    sts_id, token = sts_credentials(emulator.config.access_key_id)
    with (
        _ours(
            emulator, version, access_key_id=sts_id, access_key_secret="bad", security_token=token
        ) as client,
        pytest.raises(AuthError) as caught,
    ):
        client.get_public_key(keys[0].key_id, keys[0].key_version_id)
    assert token not in str(caught.value) + repr(caught.value)


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"access_key_id": "unknown-access-key"}, "InvalidAccessKeyId.NotFound"),
        ({"security_token": "unexpected-token"}, "InvalidSecurityToken.MismatchWithAccessKey"),
    ],
)
def test_auth_failures(emulator, keys, version, overrides, code):
    with _ours(emulator, version, **overrides) as client, pytest.raises(AuthError) as caught:
        client.get_public_key(keys[0].key_id, keys[0].key_version_id)
    assert caught.value.code == code


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("minutes", [-16, 16])
def test_a_clock_16_minutes_off_is_refused_then_corrected(emulator, keys, version, minutes, caplog):
    """The emulator refuses the timestamp (InvalidTimeStamp.Expired); the client corrects its
    clock from the answer's Date, once (tests/reliability/test_clock_skew.py counts requests)."""
    caplog.set_level(logging.INFO, logger="kms_pubkey")
    clock = lambda: datetime.now(UTC) + timedelta(minutes=minutes)  # noqa: E731
    with _ours(emulator, version, clock=clock) as client:
        assert client.get_public_key(keys[0].key_id, keys[0].key_version_id).der == keys[0].public_der
    corrections = [r.getMessage() for r in caplog.records if "corrected the clock" in r.getMessage()]
    assert len(corrections) == 1
    assert "InvalidTimeStamp.Expired" in corrections[0]


@pytest.mark.parametrize("version", VERSIONS)
def test_a_replayed_nonce_is_refused(emulator, keys, version):
    nonce = f"fixed-nonce-{version}-{os.getpid()}-{datetime.now(UTC).timestamp()}"
    with _ours(emulator, version, nonce=lambda: nonce) as client:
        client.get_public_key(keys[0].key_id, keys[0].key_version_id)
        with pytest.raises(AuthError) as caught:
            client.get_public_key(keys[0].key_id, keys[0].key_version_id)
    assert caught.value.code == "SignatureNonceUsed"


@pytest.mark.parametrize("version", VERSIONS)
def test_unknown_key_and_version_are_not_found(emulator, keys, version):
    with _ours(emulator, version) as client:
        with pytest.raises(NotFoundError) as caught:
            client.get_public_key("00000000-0000-0000-0000-000000000000", keys[0].key_version_id)
        assert (caught.value.code, caught.value.status_code) == ("Forbidden.KeyNotFound", 404)
        with pytest.raises(NotFoundError):
            client.get_public_key(keys[0].key_id, "not-this-version")


@pytest.mark.parametrize("version", VERSIONS)
def test_dry_run_is_a_typed_verdict_never_a_key(emulator, keys, version):
    with _ours(emulator, version) as client:
        with pytest.raises(DryRunError) as caught:
            client.get_public_key(keys[0].key_id, keys[0].key_version_id, dry_run=True)
        assert caught.value.code == "DryRunOperationError"
        assert caught.value.message
        assert isinstance(caught.value, ApiError)
        # A DryRun on a key that does not exist reports that instead.
        with pytest.raises(NotFoundError):
            client.get_public_key("missing", keys[0].key_version_id, dry_run=True)


def test_disabled_key(emulator, keys):
    key = emulator.key("alibaba", "RSA_2048")
    emulator.set_enabled(key.key_id, False, "alibaba")
    try:
        with _ours(emulator, "v3") as client, pytest.raises(ApiError) as caught:
            client.get_public_key(key.key_id, key.key_version_id)
        assert caught.value.code == "Forbidden.KeyNotEnabled"
    finally:
        emulator.set_enabled(key.key_id, True, "alibaba")


def _cli(emulator, tmp_path, *args):
    env = {k: v for k, v in os.environ.items() if not k.startswith("ALIBABA_CLOUD_")}
    env.update(emulator.client_env())
    env["HOME"] = str(tmp_path)
    command = [sys.executable, "-m", "kms_pubkey.cli", "get", "alibaba", *args, "--endpoint", emulator.url]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=60, check=False)


@pytest.mark.parametrize("version", VERSIONS)
def test_cli_get_alibaba(emulator, tmp_path, version):
    key = emulator.key("alibaba", "EC_P256K")
    result = _cli(
        emulator, tmp_path, key.key_id, "--key-version-id", key.key_version_id, "--signature-version", version
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == key.public_key_pem


def test_cli_dry_run_prints_the_verdict(emulator, tmp_path):
    key = emulator.key("alibaba", "EC_P256")
    result = _cli(emulator, tmp_path, key.key_id, "--key-version-id", key.key_version_id, "--dry-run")
    # Issue 10: a DryRun that would have succeeded is exit 0 with one line saying so.
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout == (
        "kms-pubkey: dry run passed: the request would have succeeded (DryRunOperationError)\n"
    )


def test_cli_requires_the_key_version(emulator, tmp_path):
    result = _cli(emulator, tmp_path, "some-key")
    assert result.returncode == 2
    assert "--key-version-id" in result.stderr


def test_credentials_from_the_environment(emulator, keys, monkeypatch):
    for name, value in emulator.client_env().items():
        monkeypatch.setenv(name, value)
    with AlibabaKmsClient(endpoint=emulator.url) as client:
        assert client.get_public_key(keys[0].key_id, keys[0].key_version_id).der == keys[0].public_der
