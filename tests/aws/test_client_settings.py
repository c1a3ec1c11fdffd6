"""Where the AWS client's endpoint, CA bundle and region come from: the profile's `endpoint_url`
and `ca_bundle`, `AWS_CA_BUNDLE` and `ca_bundle=`, and a key ARN's region.

The expected behaviour is botocore's (endpoint and CA order) and KMS's (a key ARN names its
region); the peer is the emulator, over plain HTTP or behind its own CA over HTTPS."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest

from kms_pubkey import CertificateVerificationError, ValidationError
from kms_pubkey_aws import AsyncAwsKmsClient, AwsKmsClient
from tests.support.recording import Recorder
from tests.support.tls import serve_over_tls

pytestmark = pytest.mark.integration


def _aws_key(emulator: Any) -> Any:
    return emulator.keys_for("aws")[0]


def _keys(emulator: Any) -> dict[str, str]:
    return {
        "access_key_id": emulator.config.access_key_id,
        "secret_access_key": emulator.config.secret_access_key,
    }


def _config(home: Path, text: str) -> None:
    (home / ".aws").mkdir(exist_ok=True)
    (home / ".aws" / "config").write_text(text)


def test_profile_endpoint_url_is_used(emulator: Any, clean_env: Path) -> None:
    _config(clean_env, f"[profile emu]\nregion = us-east-1\nendpoint_url = {emulator.url}\n")
    with AwsKmsClient(profile="emu", **_keys(emulator)) as kms:
        assert kms.endpoint == emulator.url
        assert kms.get_public_key(_aws_key(emulator).key_id).vendor == "aws"


def test_ignore_configured_endpoint_urls_wins(
    emulator: Any, clean_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _config(clean_env, f"[default]\nregion = eu-west-1\nendpoint_url = {emulator.url}\n")
    monkeypatch.setenv("AWS_ENDPOINT_URL_KMS", emulator.url)
    monkeypatch.setenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true")
    with AwsKmsClient(**_keys(emulator)) as kms:
        assert kms.endpoint == "https://kms.eu-west-1.amazonaws.com"


def test_ca_bundle_argument_variable_and_profile(
    emulator: Any, clean_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    key_id = _aws_key(emulator).key_id
    with serve_over_tls(emulator) as url:
        untrusted = AwsKmsClient("us-east-1", endpoint=url, max_retries=0, **_keys(emulator))
        with untrusted, pytest.raises(CertificateVerificationError):
            untrusted.get_public_key(key_id)
        with AwsKmsClient(
            "us-east-1", endpoint=url, ca_bundle=str(emulator.ca_file), **_keys(emulator)
        ) as kms:
            assert kms.get_public_key(key_id).key_id
        monkeypatch.setenv("AWS_CA_BUNDLE", str(emulator.ca_file))
        with AwsKmsClient("us-east-1", endpoint=url, **_keys(emulator)) as kms:
            assert kms.get_public_key(key_id).key_id
        monkeypatch.delenv("AWS_CA_BUNDLE")
        _config(clean_env, f"[default]\nca_bundle = {emulator.ca_file}\n")
        with AwsKmsClient("us-east-1", endpoint=url, **_keys(emulator)) as kms:
            assert kms.get_public_key(key_id).key_id


def test_unreadable_ca_bundle_is_a_validation_error(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="ca_bundle"):
        AwsKmsClient(
            "us-east-1", ca_bundle=str(tmp_path / "missing.pem"), access_key_id="a", secret_access_key="b"
        )


ARN_ELSEWHERE = "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"


def test_arn_in_another_region_is_refused_before_sending() -> None:
    recorder = Recorder(httpx.Response(500))
    args: dict[str, Any] = {"access_key_id": "a", "secret_access_key": "b", "transport": recorder.transport()}
    with AwsKmsClient("us-east-1", **args) as kms, pytest.raises(ValidationError, match="eu-west-1"):
        kms.get_public_key(ARN_ELSEWHERE)

    async def run() -> None:
        async with AsyncAwsKmsClient("us-east-1", **args) as kms:
            await kms.get_public_key(ARN_ELSEWHERE)

    with pytest.raises(ValidationError, match="eu-west-1"):
        asyncio.run(run())
    assert recorder.requests == []


def test_unknown_profile_is_named(clean_env: Path) -> None:
    _config(clean_env, "[profile real]\nregion = us-east-1\n")
    with pytest.raises(ValidationError, match="'ghost'"):
        AwsKmsClient(profile="ghost", access_key_id="a", secret_access_key="b")


def test_cli_takes_the_region_from_a_key_arn(emulator: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """No region anywhere: the client signs for the ARN's region. Without that, the custom
    endpoint's default signing region (us-east-1) would contradict the ARN and be refused."""
    key = _aws_key(emulator)
    arn = f"arn:aws:kms:eu-west-1:{emulator.config.aws_account_id}:key/{key.key_id}"
    env = {k: v for k, v in emulator.client_env().items() if k != "AWS_REGION"}
    command = [sys.executable, "-m", "kms_pubkey.cli", "get", "aws", arn, "--endpoint", emulator.url]
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    done = subprocess.run(command, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "BEGIN PUBLIC KEY" in done.stdout
