"""The AWS credential chain, region look-up and endpoint resolution, on a throw-away HOME.

`clean_env` (tests/conftest.py) clears every AWS_* variable and points HOME at an empty folder.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from kms_pubkey import KmsError, ValidationError
from kms_pubkey.credentials import Credentials, from_arguments
from kms_pubkey_aws import AsyncAwsKmsClient, AwsKmsClient
from kms_pubkey_aws.credentials import chain, resolve_region
from kms_pubkey_aws.credentials.config import load_config
from kms_pubkey_aws.endpoints import resolve_endpoint


def resolve_credentials(
    key_id: str | None = None, secret: str | None = None, token: str | None = None, profile: str | None = None
) -> Credentials:
    """The chain as the client calls it, for the static providers these tests cover."""
    explicit = from_arguments(key_id, secret, token, ("access_key_id", "secret_access_key", "session_token"))
    found = chain.resolve_credentials(explicit, load_config(profile))
    assert isinstance(found, Credentials)
    return found


def _write(home: Path, name: str, text: str) -> Path:
    folder = home / ".aws"
    folder.mkdir(exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


CREDENTIALS_FILE = """\
[default]
aws_access_key_id = AKIDFILEDEFAULT
aws_secret_access_key = file-default-secret

[dev]
aws_access_key_id = AKIDFILEDEV
aws_secret_access_key = file-dev-secret
aws_session_token = file-dev-token
"""

CONFIG_FILE = """\
[default]
region = eu-west-3

[profile dev]
region = ap-south-1

[profile cfgonly]
region = cn-north-1
aws_access_key_id = AKIDCONFIGONLY
aws_secret_access_key = config-only-secret
aws_session_token = config-only-token

[cfgonly]
aws_access_key_id = AKIDWRONGSECTION
aws_secret_access_key = wrong-section-secret
"""


@pytest.fixture
def files(clean_env: Path) -> Path:
    _write(clean_env, "credentials", CREDENTIALS_FILE)
    _write(clean_env, "config", CONFIG_FILE)
    return clean_env


def _tuple(c: Credentials) -> tuple[str, str, str | None]:
    return c.access_key_id, c.secret, c.token


# -- the chain, in order -------------------------------------------------------------------------


def test_explicit_beats_everything(files: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIDENV")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "env-secret")
    monkeypatch.setenv("AWS_SESSION_TOKEN", "env-token")
    got = resolve_credentials("AKIDARG", "arg-secret", None)
    assert _tuple(got) == ("AKIDARG", "arg-secret", None)  # the env token is not mixed in
    got = resolve_credentials("AKIDARG", "arg-secret", "arg-token")
    assert _tuple(got) == ("AKIDARG", "arg-secret", "arg-token")


def test_env_beats_files(files: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIDENV")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "env-secret")
    assert _tuple(resolve_credentials()) == ("AKIDENV", "env-secret", None)
    monkeypatch.setenv("AWS_SESSION_TOKEN", "env-token")
    assert _tuple(resolve_credentials()) == ("AKIDENV", "env-secret", "env-token")


def test_env_keys_beat_aws_profile(files: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # As botocore: AWS_PROFILE only picks the file profile; env keys still come first.
    monkeypatch.setenv("AWS_PROFILE", "dev")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIDENV")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "env-secret")
    assert resolve_credentials().access_key_id == "AKIDENV"


def test_explicit_profile_skips_env(files: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIDENV")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "env-secret")
    assert _tuple(resolve_credentials(profile="dev")) == ("AKIDFILEDEV", "file-dev-secret", "file-dev-token")


def test_credentials_file_default(files: Path) -> None:
    assert _tuple(resolve_credentials()) == ("AKIDFILEDEFAULT", "file-default-secret", None)


def test_aws_profile_selects_a_profile(files: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_PROFILE", "dev")
    assert _tuple(resolve_credentials()) == ("AKIDFILEDEV", "file-dev-secret", "file-dev-token")


def test_config_file_profile_section(files: Path) -> None:
    # ~/.aws/config names non-default profiles "[profile NAME]"; a bare "[NAME]" there is not it.
    assert _tuple(resolve_credentials(profile="cfgonly")) == (
        "AKIDCONFIGONLY", "config-only-secret", "config-only-token")


def test_credentials_file_beats_config_file(clean_env: Path) -> None:
    _write(clean_env, "credentials", "[p]\naws_access_key_id = AKIDCRED\naws_secret_access_key = c\n")
    _write(clean_env, "config", "[profile p]\naws_access_key_id = AKIDCONF\naws_secret_access_key = d\n")
    assert resolve_credentials(profile="p").access_key_id == "AKIDCRED"


def test_config_file_default_section(clean_env: Path) -> None:
    _write(clean_env, "config", "[default]\naws_access_key_id = AKIDCONFDEF\naws_secret_access_key = s\n")
    assert _tuple(resolve_credentials()) == ("AKIDCONFDEF", "s", None)


def test_file_locations_from_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    creds = tmp_path / "elsewhere-credentials"
    creds.write_text("[default]\naws_access_key_id = AKIDELSEWHERE\naws_secret_access_key = s\n")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(creds))
    assert resolve_credentials().access_key_id == "AKIDELSEWHERE"


def test_unknown_profile_is_validation_error(files: Path) -> None:
    with pytest.raises(ValidationError):
        resolve_credentials(profile="nope")


def test_nothing_anywhere_is_validation_error(clean_env: Path) -> None:
    with pytest.raises(ValidationError):
        resolve_credentials()
    with pytest.raises(ValidationError):
        AwsKmsClient("us-east-1")


def test_unreadable_file_is_validation_error(clean_env: Path) -> None:
    _write(clean_env, "credentials", "this is [not an ini file\n= =\n")
    with pytest.raises(ValidationError):
        resolve_credentials()


# -- half-given pairs are errors, never a silent fall-through ------------------------------------


@pytest.mark.parametrize(("key_id", "secret"), [("AKIDARG", None), (None, "arg-secret"), ("AKIDARG", "")])
def test_half_explicit_pair(files: Path, key_id: str | None, secret: str | None) -> None:
    with pytest.raises(ValidationError) as info:
        resolve_credentials(key_id, secret)
    if secret:
        assert secret not in str(info.value)


def test_session_token_without_keys(files: Path) -> None:
    with pytest.raises(ValidationError):
        resolve_credentials(None, None, "lonely-token")


@pytest.mark.parametrize("present", ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"])
def test_half_env_pair(files: Path, monkeypatch: pytest.MonkeyPatch, present: str) -> None:
    monkeypatch.setenv(present, "half-env-value")
    with pytest.raises(ValidationError) as info:
        resolve_credentials()
    assert "half-env-value" not in str(info.value)


@pytest.mark.parametrize("line", ["aws_access_key_id = AKIDHALF", "aws_secret_access_key = half-secret"])
def test_half_file_pair(clean_env: Path, line: str) -> None:
    _write(clean_env, "credentials", f"[default]\n{line}\n")
    with pytest.raises(ValidationError) as info:
        resolve_credentials()
    assert "half-secret" not in str(info.value)


def test_half_file_pair_does_not_fall_through(clean_env: Path) -> None:
    # botocore raises PartialCredentialsError here rather than trying ~/.aws/config.
    _write(clean_env, "credentials", "[default]\naws_access_key_id = AKIDHALF\n")
    _write(clean_env, "config", "[default]\naws_access_key_id = AKIDCONF\naws_secret_access_key = s\n")
    with pytest.raises(ValidationError):
        resolve_credentials()


# -- region ---------------------------------------------------------------------------------------


def test_region_order(files: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert resolve_region(None, None) == "eu-west-3"
    assert resolve_region(None, "dev") == "ap-south-1"
    monkeypatch.setenv("AWS_PROFILE", "cfgonly")
    assert resolve_region(None, None) == "cn-north-1"
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-west-1")
    assert resolve_region(None, None) == "us-west-1"
    monkeypatch.setenv("AWS_REGION", "us-west-2")
    assert resolve_region(None, None) == "us-west-2"
    assert resolve_region("sa-east-1", None) == "sa-east-1"


def test_no_region_is_validation_error(clean_env: Path) -> None:
    with pytest.raises(ValidationError):
        resolve_region(None, None)
    with pytest.raises(ValidationError):
        AwsKmsClient(access_key_id="a", secret_access_key="b")


def test_client_uses_profile_region_and_endpoint(files: Path) -> None:
    with AwsKmsClient(profile="cfgonly") as client:
        assert client.region == "cn-north-1"
        assert client.endpoint == "https://kms.cn-north-1.amazonaws.com.cn"


# -- endpoints ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("region", "url"),
    [
        ("us-east-1", "https://kms.us-east-1.amazonaws.com"),
        ("eu-central-2", "https://kms.eu-central-2.amazonaws.com"),
        ("cn-north-1", "https://kms.cn-north-1.amazonaws.com.cn"),
        ("cn-northwest-1", "https://kms.cn-northwest-1.amazonaws.com.cn"),
    ],
)
def test_endpoint_for_region(region: str, url: str) -> None:
    assert resolve_endpoint(region, environ={}) == url


def test_endpoint_overrides(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:1111")
    assert resolve_endpoint("us-east-1") == "http://127.0.0.1:1111"
    monkeypatch.setenv("AWS_ENDPOINT_URL_KMS", "http://127.0.0.1:2222/")
    assert resolve_endpoint("us-east-1") == "http://127.0.0.1:2222"
    assert resolve_endpoint("us-east-1", "https://vpce-1.kms.us-east-1.vpce.amazonaws.com") == (
        "https://vpce-1.kms.us-east-1.vpce.amazonaws.com")
    with AwsKmsClient("us-east-1", access_key_id="a", secret_access_key="b") as client:
        assert client.endpoint == "http://127.0.0.1:2222"


@pytest.mark.parametrize(
    "region",
    ["", "US-EAST-1", "us east 1", "us-east-1.evil.com", "us-east-1/", "us-east-1\n", "-us", "a..b", "ü-1"],
)
def test_bad_region_is_validation_error(region: str) -> None:
    with pytest.raises(ValidationError):
        resolve_endpoint(region, environ={})
    with pytest.raises(ValidationError):
        AwsKmsClient(region, access_key_id="a", secret_access_key="b")
    with pytest.raises(ValidationError):
        AsyncAwsKmsClient(region, access_key_id="a", secret_access_key="b")


@pytest.mark.parametrize("region", ["us east 1", "us-east-1\r\nX-Evil: 1", "US-EAST-1"])
def test_bad_region_refused_with_custom_endpoint(region: str) -> None:
    # The region still goes into the signature scope and a header, so it is checked there too.
    with pytest.raises(ValidationError):
        AwsKmsClient(region, endpoint="http://127.0.0.1:9", access_key_id="a", secret_access_key="b")


@pytest.mark.parametrize(
    "endpoint", ["ftp://127.0.0.1", "127.0.0.1:80", "http://", "http://h/?q=1", "http://u:p@h/", "not a url"]
)
def test_bad_endpoint_is_validation_error(endpoint: str) -> None:
    with pytest.raises(KmsError) as info:
        AwsKmsClient("us-east-1", endpoint=endpoint, access_key_id="a", secret_access_key="b")
    assert isinstance(info.value, ValidationError)
