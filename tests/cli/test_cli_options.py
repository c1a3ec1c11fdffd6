"""`kms-pubkey` as a subprocess: --version, `python -m kms_pubkey`, subcommand usage on a bad
option, the missing-vendor hint and messages that name flags, each by its exact text and exit code.

No test here reaches a server: every case is refused before a request.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from kms_pubkey import ValidationError
from kms_pubkey_aws import AwsKmsClient

CLEARED = ("AWS_", "ALIBABA_CLOUD_", "HUAWEICLOUD_SDK_", "CLOUD_SDK_")
NOWHERE = "http://127.0.0.1:9"  # never contacted: settings are checked first
CONSOLE = Path(sys.executable).parent / "kms-pubkey"


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith(CLEARED)}
    base["HOME"] = str(tmp_path)  # no shared config files of the caller
    return base


def run(
    env: dict[str, str], *args: str, via: tuple[str, ...] = (str(CONSOLE),)
) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*via, *args], env=env, capture_output=True, text=True, timeout=60, check=False)


def installed_by_pip() -> str:
    """`name version` lines for every kms-pubkey* distribution, as pip (not our code) lists them."""
    listed = subprocess.run(
        [sys.executable, "-m", "pip", "list", "--format", "json", "--disable-pip-version-check"],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    packages = {p["name"].lower().replace("_", "-"): p["version"] for p in json.loads(listed.stdout)}
    ours = sorted(name for name in packages if name == "kms-pubkey" or name.startswith("kms-pubkey-"))
    return "".join(f"{name} {packages[name]}\n" for name in ours)


def test_version_lists_every_installed_kms_pubkey_package(env):
    expected = installed_by_pip()
    assert "kms-pubkey-aws " in expected and "kms-pubkey-emulator " in expected
    result = run(env, "--version")
    assert (result.returncode, result.stdout, result.stderr) == (0, expected, "")


def test_python_dash_m_is_the_console_script(env):
    by_module = run(env, "--version", via=(sys.executable, "-m", "kms_pubkey"))
    by_script = run(env, "--version")
    assert (by_module.returncode, by_module.stdout, by_module.stderr) == (0, by_script.stdout, "")
    usage = run(env, "get", "aws", "k", "--bogus", via=(sys.executable, "-m", "kms_pubkey"))
    assert usage.returncode == 2
    assert usage.stderr.splitlines()[-1] == "kms-pubkey get aws: error: unrecognized arguments: --bogus"


@pytest.mark.parametrize(
    ("args", "last_line"),
    [
        (("get", "aws", "k", "--bogus"), "kms-pubkey get aws: error: unrecognized arguments: --bogus"),
        (
            ("get", "alibaba", "k", "--key-version-id", "v", "--nope", "1"),
            "kms-pubkey get alibaba: error: unrecognized arguments: --nope 1",
        ),
        (
            ("get", "huawei", "k", "--retries", "-1"),
            "kms-pubkey get huawei: error: argument --retries: '-1' is negative",
        ),
        (
            ("get", "aws", "k", "--timeout", "0"),
            "kms-pubkey get aws: error: argument --timeout: '0' is not a positive number of seconds",
        ),
        (
            ("get", "aws", "k", "--retries", "two"),
            "kms-pubkey get aws: error: argument --retries: 'two' is not a whole number",
        ),
    ],
)
def test_a_bad_option_shows_the_subcommand_usage(env, args, last_line):
    result = run(env, *args)
    assert result.returncode == 2
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    vendor = args[1]
    assert lines[0].startswith(f"usage: kms-pubkey get {vendor} [-h]"), result.stderr
    assert lines[-1] == last_line


# Runs the real CLI with some vendor plugins hidden, as if their wheels were not installed.
# tests/aws/test_wheel_install.py checks the same with a venv that truly lacks them.
WITHOUT = """
import sys
import kms_pubkey.cli as cli
hidden = set(sys.argv[1].split(","))
real = cli._load
cli._load = lambda group: [p for p in real(group) if getattr(p, "name", None) not in hidden]
raise SystemExit(cli.main(sys.argv[2:]))
"""


@pytest.mark.parametrize(
    ("vendor", "wheel"),
    [
        ("alibaba", "kms-pubkey-alibaba"),
        ("alibaba-instance", "kms-pubkey-alibaba"),
        ("huawei", "kms-pubkey-huawei"),
        ("aws", "kms-pubkey-aws"),
    ],
)
def test_a_missing_vendor_names_its_wheel(env, vendor, wheel):
    hidden = "alibaba,alibaba-instance,huawei,aws"
    result = run(env, hidden, "get", vendor, "KEY", "--any-option", "x", via=(sys.executable, "-c", WITHOUT))
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr == f"kms-pubkey: error: the {vendor} vendor is not installed: pip install {wheel}\n"


def test_get_help_lists_a_missing_vendor_with_its_wheel(env):
    result = run(env, "huawei", "get", "--help", via=(sys.executable, "-c", WITHOUT))
    assert result.returncode == 0
    assert "(not installed: pip install kms-pubkey-huawei)" in " ".join(result.stdout.split())


@pytest.mark.parametrize(
    ("args", "variables", "message"),
    [
        (
            ("get", "aws", "k"),
            {"AWS_ACCESS_KEY_ID": "a", "AWS_SECRET_ACCESS_KEY": "b"},
            "no AWS region: pass --region, or set AWS_REGION or a profile region",
        ),
        (
            ("get", "alibaba", "k", "--key-version-id", "v"),
            {"ALIBABA_CLOUD_ACCESS_KEY_ID": "a", "ALIBABA_CLOUD_ACCESS_KEY_SECRET": "b"},
            "no Alibaba Cloud region: pass --region (e.g. 'cn-hangzhou'), set ALIBABA_CLOUD_REGION_ID, "
            "or pass --endpoint",
        ),
        (
            ("get", "huawei", "k"),
            {"HUAWEICLOUD_SDK_AK": "a", "HUAWEICLOUD_SDK_SK": "b"},
            "no Huawei Cloud region: pass --region (e.g. 'cn-north-4') or --endpoint",
        ),
        (
            ("get", "huawei", "k", "--endpoint", NOWHERE),
            {"HUAWEICLOUD_SDK_AK": "a", "HUAWEICLOUD_SDK_SK": "b"},
            "no Huawei Cloud project id: pass --project-id, or set HUAWEICLOUD_SDK_PROJECT_ID",
        ),
        # No credentials: the command line has no flags for keys, so no Python arguments are named.
        (
            ("get", "aws", "k", "--region", "us-east-1"),
            {"AWS_EC2_METADATA_DISABLED": "true"},  # else the chain's last step is instance metadata
            "no AWS credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or add a profile to "
            "~/.aws/credentials (chosen by --profile or AWS_PROFILE)",
        ),
        (
            ("get", "alibaba", "k", "--key-version-id", "v", "--region", "cn-hangzhou"),
            {},
            "no Alibaba Cloud credentials: set ALIBABA_CLOUD_ACCESS_KEY_ID and "
            "ALIBABA_CLOUD_ACCESS_KEY_SECRET, or configure ~/.aliyun/config.json "
            "(profile chosen by --profile or ALIBABA_CLOUD_PROFILE)",
        ),
        (
            ("get", "huawei", "k", "--region", "cn-north-4", "--project-id", "0" * 32),
            {},
            "no Huawei Cloud credentials: set HUAWEICLOUD_SDK_AK and HUAWEICLOUD_SDK_SK (or CLOUD_SDK_AK and "
            "CLOUD_SDK_SK), or add ak and sk to the [basic] section of ~/.huaweicloud/credentials",
        ),
    ],
)
def test_messages_name_flags_and_variables(env, args, variables, message):
    result = run({**env, **variables}, *args)
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr == f"kms-pubkey: error: ValidationError: {message}\n"


def test_library_users_keep_the_python_form(monkeypatch, tmp_path):
    for name in list(os.environ):
        if name.startswith(CLEARED):
            monkeypatch.delenv(name)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    with pytest.raises(ValidationError) as caught:
        AwsKmsClient(access_key_id="a", secret_access_key="b")
    assert str(caught.value) == "no AWS region: pass region=, or set AWS_REGION or a profile region"
    assert caught.value.parameters == ("region",)
    with pytest.raises(ValidationError) as caught:
        AwsKmsClient("us-east-1")
    assert str(caught.value) == (
        "no AWS credentials: pass access_key_id/secret_access_key, set AWS_ACCESS_KEY_ID and "
        "AWS_SECRET_ACCESS_KEY, or add a profile to ~/.aws/credentials (chosen by profile= or AWS_PROFILE)"
    )
