"""The official `alibabacloud-credentials` providers as oracles: pointed at the same local STS
stand-in, metadata service, credentials URI and files as our chain, provider by provider, they
must resolve the same access key, secret, token and expiry.

The official library reads its environment variables once, at import, into
`alibabacloud_credentials.utils.auth_util`; the tests set those module values instead. It also
hard-codes the ECS metadata address (100.100.100.200) and builds STS hosts from regions inside
the config.json provider: the tests replace those constants or constructors (marked "hard-coded")
so that the official library only ever reaches 127.0.0.1.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from alibabacloud_credentials.exceptions import CredentialException
from alibabacloud_credentials.provider import (
    CLIProfileCredentialsProvider,
    DefaultCredentialsProvider,
    EcsRamRoleCredentialsProvider,
    EnvironmentVariableCredentialsProvider,
    OIDCRoleArnCredentialsProvider,
    RamRoleArnCredentialsProvider,
    URLCredentialsProvider,
)
from alibabacloud_credentials.provider import cli_profile as official_cli
from alibabacloud_credentials.provider import default as official_default
from alibabacloud_credentials.utils import auth_constant, auth_util

from kms_pubkey import KmsError
from kms_pubkey.credentials import Credentials, Fetcher
from kms_pubkey_alibaba.credentials import metadata, resolve_credentials, sts
from tests.alibaba.credential_peers import (
    BASE,
    HOP,
    HOP_ROLE,
    OIDC_PROVIDER,
    OIDC_TOKEN,
    ROLE,
    ROLE_PATH,
    TOKEN_PATH,
    Keys,
    Sts,
    serve_metadata,
    serve_sts,
    success,
)
from tests.support.route_server import Reply, RouteServer, serve_routes

FILE_STS = Keys("STS.fileKey", "file-secret-2b", "file-token-3c")
ASSUMED = Keys("STS.assumedKey", "assumed-secret-e0", "assumed-token-4d")
ECS = Keys("STS.ecsKey", "ecs-secret-a1", "ecs-token-b2")
URI = Keys("STS.uriKey", "uri-secret-c3", "uri-token-d4")
ECS_ROLE = "ecs-role"
OFFICIAL_ENV = (
    "environment_access_key_id",
    "environment_access_key_secret",
    "environment_security_token",
    "environment_ecs_metadata",
    "environment_credentials_uri",
    "environment_role_arn",
    "environment_oidc_provider_arn",
    "environment_oidc_token_file",
    "environment_role_session_name",
    "environment_profile_name",
    "environment_sts_region",
    "environment_credentials_file",
)


def ours(found: Credentials | Fetcher) -> tuple[str, str, str | None, int | None]:
    creds = found.fetch() if isinstance(found, Fetcher) else found
    expiry = int(creds.expiry.timestamp()) if creds.expiry else None
    return creds.access_key_id, creds.secret, creds.token, expiry


def official(provider: Any, *, expiry: bool = True) -> tuple[str, str, str | None, int | None]:
    creds = provider.get_credentials()
    return (
        creds.get_access_key_id(),
        creds.get_access_key_secret(),
        creds.get_security_token(),
        creds.get_expiration() if expiry else None,
    )


def without_expiry(found: tuple[str, str, str | None, int | None]) -> tuple[str, str, str | None, None]:
    return (*found[:3], None)


def official_ecs(url: str, role_name: str | None = None, disable_imds_v1: bool | None = None) -> Any:
    provider = EcsRamRoleCredentialsProvider(
        role_name=role_name, disable_imds_v1=disable_imds_v1, async_update_enabled=False
    )
    # hard-coded: the official provider has no endpoint setting, only this private constant.
    provider._EcsRamRoleCredentialsProvider__metadata_service_host = url
    return provider


@pytest.fixture(autouse=True)
def official_environment(monkeypatch: pytest.MonkeyPatch, clean_env: Path) -> Iterator[None]:
    """The official library's import-time view of the environment: empty, with the metadata
    service allowed (each test that uses it serves it on 127.0.0.1) and HOME the empty folder."""
    for name in OFFICIAL_ENV:
        monkeypatch.setattr(auth_util, name, None)
    monkeypatch.setattr(auth_util, "enable_oidc_credential", False)
    monkeypatch.setattr(auth_util, "environment_ecs_metadata_disabled", "true")
    monkeypatch.setattr(auth_util, "environment_imds_v1_disabled", "false")
    monkeypatch.setattr(auth_util, "environment_cli_profile_disabled", "false")
    monkeypatch.setattr(auth_util, "environment_enable_vpc", "false")
    monkeypatch.setattr(auth_constant, "HOME", str(clean_env))
    yield


@pytest.fixture
def peers() -> Iterator[RouteServer]:
    """One local server for STS (`/`), the metadata service and the credentials URI (`/creds`)."""
    with serve_routes() as server:
        stand_in = Sts(
            known={BASE.access_key_id: BASE, FILE_STS.access_key_id: FILE_STS},
            oidc={(OIDC_PROVIDER, OIDC_TOKEN)},
        )
        stand_in.issue(HOP_ROLE, HOP)
        stand_in.issue(ROLE, ASSUMED)
        serve_sts(server, stand_in)
        serve_metadata(server, ECS_ROLE, ECS)
        server.route("GET", "/creds", success(URI))
        server.sts = stand_in  # type: ignore[attr-defined]
        yield server


def test_environment(monkeypatch):
    env = {
        "ALIBABA_CLOUD_ACCESS_KEY_ID": FILE_STS.access_key_id,
        "ALIBABA_CLOUD_ACCESS_KEY_SECRET": FILE_STS.secret,
        "ALIBABA_CLOUD_SECURITY_TOKEN": FILE_STS.token,
    }
    monkeypatch.setattr(auth_util, "environment_access_key_id", FILE_STS.access_key_id)
    monkeypatch.setattr(auth_util, "environment_access_key_secret", FILE_STS.secret)
    monkeypatch.setattr(auth_util, "environment_security_token", FILE_STS.token)
    assert ours(resolve_credentials(None, environ=env)) == official(EnvironmentVariableCredentialsProvider())


def test_assume_role(peers):
    role = sts.Role(ROLE, "verifier", peers.url, 1800, None, "ext-1")
    mine = ours(sts.assume_role(role, Credentials(BASE.access_key_id, BASE.secret), "alibaba sts AssumeRole"))
    theirs = official(
        RamRoleArnCredentialsProvider(
            access_key_id=BASE.access_key_id,
            access_key_secret=BASE.secret,
            role_arn=ROLE,
            role_session_name="verifier",
            duration_seconds=1800,
            external_id="ext-1",
            sts_endpoint=peers.url,
        )
    )
    assert mine == theirs and mine[:3] == (ASSUMED.access_key_id, ASSUMED.secret, ASSUMED.token)
    ours_asked, official_asked = peers.sts.asked
    # The same request, signed by each (the stand-in checked both signatures).
    varying = {"Timestamp", "SignatureNonce", "Signature"}
    assert {k: v for k, v in ours_asked.items() if k not in varying} == {
        k: v for k, v in official_asked.items() if k not in varying
    }


def test_assume_role_with_oidc(peers, tmp_path):
    token_file = tmp_path / "token"
    token_file.write_text(OIDC_TOKEN)
    role = sts.Role(ROLE, "pod-1", peers.url)
    mine = ours(sts.assume_role_with_oidc(role, OIDC_PROVIDER, str(token_file)))
    theirs = official(
        OIDCRoleArnCredentialsProvider(
            role_arn=ROLE,
            oidc_provider_arn=OIDC_PROVIDER,
            oidc_token_file_path=str(token_file),
            role_session_name="pod-1",
            sts_endpoint=peers.url,
        )
    )
    assert mine == theirs and mine[0] == ASSUMED.access_key_id
    ours_asked, official_asked = peers.sts.asked
    assert {k: v for k, v in ours_asked.items() if k != "Timestamp"} == {
        k: v for k, v in official_asked.items() if k != "Timestamp"
    }


@pytest.mark.parametrize("role_name", [ECS_ROLE, None])
def test_ecs_ram_role_hardened(peers, role_name, monkeypatch):
    monkeypatch.setattr(auth_util, "environment_ecs_metadata_disabled", "false")
    env = {"ALIBABA_CLOUD_ECS_METADATA_ENDPOINT": peers.url, "ALIBABA_CLOUD_IMDSV1_DISABLED": "true"}
    mine = ours(metadata.ecs_ram_role(env, role_name))
    ours_gets = [
        (s.path, s.headers.get("x-aliyun-ecs-metadata-token")) for s in peers.seen if s.method == "GET"
    ]
    peers.seen.clear()
    theirs = official(official_ecs(peers.url, role_name, disable_imds_v1=True))
    official_gets = [
        (s.path, s.headers.get("x-aliyun-ecs-metadata-token")) for s in peers.seen if s.method == "GET"
    ]
    assert mine == theirs and mine[:3] == (ECS.access_key_id, ECS.secret, ECS.token)
    # Both ask the same paths, each with the metadata token (the official library asks for a
    # token before each GET; ours asks once per fetch).
    assert ours_gets == official_gets
    ttls = {s.headers.get("x-aliyun-ecs-metadata-token-ttl-seconds") for s in peers.seen if s.method == "PUT"}
    assert ttls == {"21600"}


def test_ecs_ram_role_without_tokens_both_refuse_when_imdsv1_is_disabled(peers, monkeypatch):
    monkeypatch.setattr(auth_util, "environment_ecs_metadata_disabled", "false")
    peers.route("PUT", TOKEN_PATH, Reply(403, "no"))
    env = {"ALIBABA_CLOUD_ECS_METADATA_ENDPOINT": peers.url, "ALIBABA_CLOUD_IMDSV1_DISABLED": "true"}
    with pytest.raises(KmsError):
        ours(metadata.ecs_ram_role(env, ECS_ROLE))
    with pytest.raises(CredentialException):
        official(official_ecs(peers.url, ECS_ROLE, disable_imds_v1=True))
    assert not any(s.path.startswith(ROLE_PATH) for s in peers.seen)


def test_credentials_uri(peers):
    uri = f"{peers.url}/creds"
    assert ours(metadata.credentials_uri(uri)) == official(URLCredentialsProvider(uri=uri))


PROFILES: list[dict[str, object]] = [
    {"name": "ak", "mode": "AK", "access_key_id": BASE.access_key_id, "access_key_secret": BASE.secret},
    {
        "name": "sts",
        "mode": "StsToken",
        "access_key_id": FILE_STS.access_key_id,
        "access_key_secret": FILE_STS.secret,
        "sts_token": FILE_STS.token,
    },
    {
        "name": "role",
        "mode": "RamRoleArn",
        "access_key_id": BASE.access_key_id,
        "access_key_secret": BASE.secret,
        "ram_role_arn": ROLE,
        "ram_session_name": "verifier",
        "sts_region": "cn-beijing",
        "enable_vpc": True,
    },
    {"name": "hop", "mode": "ChainableRamRoleArn", "source_profile": "sts", "ram_role_arn": HOP_ROLE},
    {"name": "chained", "mode": "ChainableRamRoleArn", "source_profile": "hop", "ram_role_arn": ROLE},
    {"name": "ecs", "mode": "EcsRamRole", "ram_role_name": ECS_ROLE},
    {"name": "ecs-any", "mode": "EcsRamRole"},
    {
        "name": "oidc",
        "mode": "OIDC",
        "ram_role_arn": ROLE,
        "oidc_provider_arn": OIDC_PROVIDER,
        "oidc_token_file": "",
        "role_session_name": "pod-1",
    },
]


def point_official_cli_at(monkeypatch: pytest.MonkeyPatch, url: str) -> None:
    # hard-coded: the config.json provider builds STS hosts from `sts_region` and the metadata
    # provider from its constant; replace the constructors it calls with ones aimed at `url`.
    monkeypatch.setattr(
        official_cli,
        "RamRoleArnCredentialsProvider",
        functools.partial(RamRoleArnCredentialsProvider, sts_endpoint=url),
    )
    monkeypatch.setattr(
        official_cli,
        "OIDCRoleArnCredentialsProvider",
        functools.partial(OIDCRoleArnCredentialsProvider, sts_endpoint=url),
    )
    monkeypatch.setattr(
        official_cli, "EcsRamRoleCredentialsProvider", lambda role_name: official_ecs(url, role_name)
    )


@pytest.mark.parametrize("name", [p["name"] for p in PROFILES])
def test_config_json_profiles(peers, name, monkeypatch, clean_env, tmp_path):
    token_file = tmp_path / "token"
    token_file.write_text(OIDC_TOKEN)
    profiles = [{**p, "oidc_token_file": str(token_file)} if p["name"] == "oidc" else p for p in PROFILES]
    path = clean_env / ".aliyun" / "config.json"
    path.parent.mkdir()
    path.write_text(json.dumps({"current": name, "profiles": profiles}))
    point_official_cli_at(monkeypatch, peers.url)
    monkeypatch.setattr(auth_util, "environment_ecs_metadata_disabled", "false")
    env = {"ALIBABA_CLOUD_STS_ENDPOINT": peers.url, "ALIBABA_CLOUD_ECS_METADATA_ENDPOINT": peers.url}
    mine = ours(resolve_credentials(None, environ=env))
    # The official config.json provider hands out no expiry, so that is compared provider by provider above.
    theirs = official(CLIProfileCredentialsProvider(profile_name=name), expiry=False)
    assert without_expiry(mine) == theirs
    assert (mine[3] is None) == (name in ("ak", "sts"))


SCENARIOS: dict[str, tuple[dict[str, str], dict[str, Any], Keys]] = {
    # name: (our environment, the official library's auth_util values, who must win)
    "environment beats OIDC": (
        {"ALIBABA_CLOUD_ACCESS_KEY_ID": BASE.access_key_id, "ALIBABA_CLOUD_ACCESS_KEY_SECRET": BASE.secret},
        {"environment_access_key_id": BASE.access_key_id, "environment_access_key_secret": BASE.secret},
        BASE,
    ),
    "OIDC beats config.json": ({}, {}, ASSUMED),
    "config.json beats the metadata service": ({}, {}, FILE_STS),
    "the metadata service beats the credentials URI": (
        {"ALIBABA_CLOUD_ECS_METADATA": ECS_ROLE},
        {"environment_ecs_metadata": ECS_ROLE, "environment_ecs_metadata_disabled": "false"},
        ECS,
    ),
    "the credentials URI last": ({}, {}, URI),
}


@pytest.mark.parametrize("scenario", list(SCENARIOS))
def test_default_chain_order(scenario, peers, monkeypatch, clean_env, tmp_path):
    env, official_values, winner = SCENARIOS[scenario]
    env = {
        **env,
        "ALIBABA_CLOUD_STS_ENDPOINT": peers.url,
        "ALIBABA_CLOUD_ECS_METADATA_ENDPOINT": peers.url,
        "ALIBABA_CLOUD_CREDENTIALS_URI": f"{peers.url}/creds",
    }
    official_values = {**official_values, "environment_credentials_uri": f"{peers.url}/creds"}
    if scenario in ("environment beats OIDC", "OIDC beats config.json"):
        token_file = tmp_path / "token"
        token_file.write_text(OIDC_TOKEN)
        oidc = {"ALIBABA_CLOUD_ROLE_ARN": ROLE, "ALIBABA_CLOUD_OIDC_PROVIDER_ARN": OIDC_PROVIDER}
        env.update(oidc, ALIBABA_CLOUD_OIDC_TOKEN_FILE=str(token_file))
        official_values.update(
            enable_oidc_credential=True,
            environment_role_arn=ROLE,
            environment_oidc_provider_arn=OIDC_PROVIDER,
            environment_oidc_token_file=str(token_file),
        )
    if scenario in ("OIDC beats config.json", "config.json beats the metadata service"):
        path = clean_env / ".aliyun" / "config.json"
        path.parent.mkdir()
        path.write_text(json.dumps({"current": "sts", "profiles": PROFILES}))
        env["ALIBABA_CLOUD_ECS_METADATA"] = ECS_ROLE
        official_values.update(environment_ecs_metadata=ECS_ROLE, environment_ecs_metadata_disabled="false")
    for attribute, value in official_values.items():
        monkeypatch.setattr(auth_util, attribute, value)
    # hard-coded: the default chain builds the OIDC provider with the default STS host and the
    # metadata provider with its constant address.
    monkeypatch.setattr(
        official_default,
        "OIDCRoleArnCredentialsProvider",
        functools.partial(OIDCRoleArnCredentialsProvider, sts_endpoint=peers.url),
    )
    monkeypatch.setattr(official_default, "EcsRamRoleCredentialsProvider", lambda: official_ecs(peers.url))
    mine = ours(resolve_credentials(None, environ=env))
    theirs = official(DefaultCredentialsProvider(reuse_last_provider_enabled=False), expiry=False)
    assert without_expiry(mine) == theirs == (winner.access_key_id, winner.secret, winner.token, None)


def test_default_chain_with_nothing_configured_fails_in_both():
    with pytest.raises(KmsError):
        resolve_credentials(None, environ={})
    with pytest.raises(CredentialException):
        DefaultCredentialsProvider().get_credentials()
