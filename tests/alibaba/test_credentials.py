"""The Alibaba credential chain (arguments, environment, the CLI's config.json), region and endpoint."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kms_pubkey import KmsError, ValidationError
from kms_pubkey.credentials import from_arguments
from kms_pubkey_alibaba.credentials import ARGUMENT_NAMES, resolve_credentials, resolve_region
from kms_pubkey_alibaba.endpoints import resolve_endpoint


def _config(tmp_path: Path, profiles, current="default") -> dict[str, str]:
    path = tmp_path / "config.json"
    path.write_text(json.dumps({"current": current, "profiles": profiles}))
    return {"ALIBABA_CLOUD_CONFIG_FILE": str(path)}


def test_chain_order(tmp_path):
    env = {
        "ALIBABA_CLOUD_ACCESS_KEY_ID": "envAK",
        "ALIBABA_CLOUD_ACCESS_KEY_SECRET": "envSK",
        "ALIBABA_CLOUD_SECURITY_TOKEN": "envTok",
        **_config(
            tmp_path,
            [
                {
                    "name": "default",
                    "mode": "AK",
                    "access_key_id": "fileAK",
                    "access_key_secret": "fileSK",
                    "region_id": "cn-beijing",
                }
            ],
        ),
    }
    explicit = resolve_credentials(from_arguments("argAK", "argSK", None, ARGUMENT_NAMES), environ=env)
    assert (explicit.access_key_id, explicit.token, explicit.source) == ("argAK", None, "arguments")
    from_env = resolve_credentials(environ=env)
    assert (from_env.access_key_id, from_env.secret, from_env.token) == ("envAK", "envSK", "envTok")
    env.pop("ALIBABA_CLOUD_ACCESS_KEY_ID"), env.pop("ALIBABA_CLOUD_ACCESS_KEY_SECRET")
    from_file = resolve_credentials(environ=env)
    assert (from_file.access_key_id, from_file.secret, from_file.token) == ("fileAK", "fileSK", None)
    assert resolve_region(None, environ=env) == "cn-beijing"
    assert resolve_region("cn-shanghai", environ=env) == "cn-shanghai"
    assert (
        resolve_region(None, environ={**env, "ALIBABA_CLOUD_REGION_ID": "ap-southeast-1"}) == "ap-southeast-1"
    )


def test_chain_sts_profile_and_profile_selection(tmp_path):
    env = _config(
        tmp_path,
        [
            {"name": "default", "mode": "AK", "access_key_id": "a", "access_key_secret": "b"},
            {
                "name": "sts",
                "mode": "StsToken",
                "access_key_id": "STS.x",
                "access_key_secret": "y",
                "sts_token": "t",
            },
        ],
    )
    creds = resolve_credentials(environ={**env, "ALIBABA_CLOUD_PROFILE": "sts"})
    assert (creds.access_key_id, creds.token) == ("STS.x", "t")
    with pytest.raises(ValidationError):
        resolve_credentials(environ={**env, "ALIBABA_CLOUD_PROFILE": "missing"})


@pytest.mark.parametrize(
    "env",
    [
        {"ALIBABA_CLOUD_ACCESS_KEY_ID": "only-id"},
        {"ALIBABA_CLOUD_ACCESS_KEY_SECRET": "only-secret"},
    ],
)
def test_half_given_pairs_are_errors(env, tmp_path):
    with pytest.raises(ValidationError):
        resolve_credentials(environ={**env, "ALIBABA_CLOUD_CONFIG_FILE": str(tmp_path / "none.json")})
    with pytest.raises(ValidationError):
        from_arguments("id-only", None, None, ARGUMENT_NAMES)
    with pytest.raises(ValidationError, match="security_token was given without"):
        from_arguments(None, None, "token-only", ARGUMENT_NAMES)


def test_unusable_config_files(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    with pytest.raises(ValidationError) as caught:
        resolve_credentials(environ={"ALIBABA_CLOUD_CONFIG_FILE": str(bad)})
    assert isinstance(caught.value, KmsError)
    env = _config(
        tmp_path, [{"name": "default", "mode": "RamRoleArn", "access_key_id": "a", "access_key_secret": "b"}]
    )
    with pytest.raises(ValidationError):
        resolve_credentials(environ=env)
    with pytest.raises(ValidationError):
        resolve_credentials(environ={"ALIBABA_CLOUD_CONFIG_FILE": str(tmp_path / "absent.json")})


def test_default_endpoint_is_regional():
    assert resolve_endpoint("cn-shanghai") == "https://kms.cn-shanghai.aliyuncs.com"
    assert resolve_endpoint(None, "https://kms-vpc.cn-shanghai.aliyuncs.com/") == (
        "https://kms-vpc.cn-shanghai.aliyuncs.com"
    )
    with pytest.raises(ValidationError):
        resolve_endpoint(None)
