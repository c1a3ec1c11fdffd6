"""The Huawei credential chain (arguments, environment, ~/.huaweicloud/credentials), project id, endpoints."""

from __future__ import annotations

from pathlib import Path

import pytest

import kms_pubkey
from kms_pubkey.credentials import Credentials, Fetcher, from_arguments
from kms_pubkey_huawei.credentials import ARGUMENT_NAMES, IamToken, resolve_credentials, resolve_project_id
from kms_pubkey_huawei.endpoints import resolve_endpoint

PROJECT = "0123456789abcdef0123456789abcdef"
AK, SK = "HPUAEXAMPLEACCESSKEY", "secret-key-that-must-never-leak-0123456789"
OFF = {"KMS_PUBKEY_HUAWEI_METADATA_DISABLED": "true"}  # no metadata fallback for these cases


def static_chain(
    access_key: str | None = None, secret_key: str | None = None, *, environ: dict[str, str]
) -> Credentials | IamToken:
    found = resolve_credentials(from_arguments(access_key, secret_key, None, ARGUMENT_NAMES), None, environ)
    assert not isinstance(found, Fetcher)
    return found


def test_chain_explicit_beats_environment() -> None:
    env = {"HUAWEICLOUD_SDK_AK": "envak", "HUAWEICLOUD_SDK_SK": "envsk"}
    found = static_chain(AK, SK, environ=env)
    assert not isinstance(found, IamToken)
    assert (found.access_key_id, found.source) == (AK, "arguments")


def test_chain_environment_names() -> None:
    found = static_chain(environ={"HUAWEICLOUD_SDK_AK": "a1", "HUAWEICLOUD_SDK_SK": "s1",
                                  "HUAWEICLOUD_SDK_SECURITY_TOKEN": "t1", "CLOUD_SDK_AK": "a2",
                                  "CLOUD_SDK_SK": "s2"})
    assert not isinstance(found, IamToken)
    assert (found.access_key_id, found.secret, found.token) == ("a1", "s1", "t1")
    found = static_chain(environ={"CLOUD_SDK_AK": "a2", "CLOUD_SDK_SK": "s2"})
    assert not isinstance(found, IamToken)
    assert (found.access_key_id, found.secret, found.token) == ("a2", "s2", None)


def test_chain_half_pair_in_environment_is_an_error() -> None:
    with pytest.raises(kms_pubkey.ValidationError, match="HUAWEICLOUD_SDK_SK"):
        static_chain(environ={"HUAWEICLOUD_SDK_AK": "a1"})


def test_chain_credentials_file(tmp_path: Path) -> None:
    path = tmp_path / "credentials"
    path.write_text(f"[basic]\nak = fileak\nsk = filesk\nproject_id = {PROJECT}\n", encoding="utf-8")
    env = {"HUAWEICLOUD_SDK_CREDENTIALS_FILE": str(path)}
    found = static_chain(environ=env)
    assert not isinstance(found, IamToken)
    assert (found.access_key_id, found.secret) == ("fileak", "filesk")
    assert resolve_project_id(None, env) == PROJECT
    assert resolve_project_id(None, {**env, "HUAWEICLOUD_SDK_PROJECT_ID": "f" * 32}) == "f" * 32


def test_chain_nothing_found() -> None:
    with pytest.raises(kms_pubkey.ValidationError, match="no Huawei Cloud credentials"):
        static_chain(environ={"HUAWEICLOUD_SDK_CREDENTIALS_FILE": "/nonexistent/credentials", **OFF})
    with pytest.raises(kms_pubkey.ValidationError, match="no Huawei Cloud project id"):
        resolve_project_id(None, {"HUAWEICLOUD_SDK_CREDENTIALS_FILE": "/nonexistent/credentials"})


def test_endpoints() -> None:
    assert resolve_endpoint("cn-north-4", environ={}) == "https://kms.cn-north-4.myhuaweicloud.com"
    assert resolve_endpoint("eu-west-101", environ={}) == "https://kms.eu-west-101.myhuaweicloud.eu"
    assert resolve_endpoint(None, "http://127.0.0.1:8765/", environ={}) == "http://127.0.0.1:8765"
    env = {"HUAWEICLOUD_SDK_REGION_KMS_CN_NORTH_4": "https://kms.vpc.internal"}
    assert resolve_endpoint("cn-north-4", environ=env) == "https://kms.vpc.internal"
    for bad in ("cn-north-4.evil.com/x", "CN NORTH"):
        with pytest.raises(kms_pubkey.ValidationError):
            resolve_endpoint(bad, environ={})
    with pytest.raises(kms_pubkey.ValidationError, match="region"):
        resolve_endpoint(None, environ={})
    with pytest.raises(kms_pubkey.ValidationError):
        resolve_endpoint(None, "ftp://host", environ={})
