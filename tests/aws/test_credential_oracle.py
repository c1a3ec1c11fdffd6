"""Our AWS credential chain against real peers and against botocore's own resolver.

- moto, run as a server with signature checking on (the `moto_kms` session fixture), is the real
  STS: our chain assumes roles there (AssumeRole from a source profile, chained, from the
  environment as credential_source; AssumeRoleWithWebIdentity), then fetches a key from moto's
  KMS with what it got. moto's own instance-metadata routes serve our IMDSv2 provider.
- botocore's resolver (`botocore.session.Session().get_credentials()`) is the oracle: pointed at
  the same scripted servers on 127.0.0.1, files and environment, it must resolve the same access
  key, secret, token and expiry, provider by provider. STS answers differ on every moto call, so
  the oracle comparisons use a scripted STS that answers the same to both.

`clean_env` (tests/conftest.py) clears every AWS_* variable, points HOME at an empty folder and
sets AWS_EC2_METADATA_DISABLED=true; a test that wants instance metadata points
AWS_EC2_METADATA_SERVICE_ENDPOINT at 127.0.0.1 first.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import boto3
import botocore.credentials
import botocore.session
import botocore.tokens
import httpx
import pytest

from kms_pubkey.credentials import Credentials, Fetcher
from kms_pubkey_aws import AwsKmsClient
from kms_pubkey_aws.credentials.chain import resolve_credentials
from kms_pubkey_aws.credentials.config import load_config
from kms_pubkey_aws.credentials.sso import token_cache_file
from tests.support.route_server import Reply, RouteServer, Seen, serve_routes

ROLE_POLICY = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}'
TRUST = (
    '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*","Federated":"*"},'
    '"Action":["sts:AssumeRole","sts:AssumeRoleWithWebIdentity"]}]}'
)
EXPIRY = (datetime.now(UTC) + timedelta(hours=5)).replace(microsecond=0)
STAMP = EXPIRY.strftime("%Y-%m-%dT%H:%M:%SZ")

Resolved = tuple[str, str, str | None, datetime | None]


# -- helpers ------------------------------------------------------------------------------------


def _ours(profile: str | None = None) -> Resolved:
    found = resolve_credentials(None, load_config(profile))
    creds = found.fetch() if isinstance(found, Fetcher) else found
    return creds.access_key_id, creds.secret, creds.token, creds.expiry


def _botocore(profile: str | None = None) -> Resolved:
    session = botocore.session.Session(profile=profile)
    creds = session.get_credentials()
    assert creds is not None, "botocore found no credentials"
    frozen = creds.get_frozen_credentials()
    expiry = getattr(creds, "_expiry_time", None)
    return (
        frozen.access_key,
        frozen.secret_key,
        frozen.token,
        None if expiry is None else expiry.astimezone(UTC),
    )


def _write(home: Path, name: str, text: str) -> None:
    folder = home / ".aws"
    folder.mkdir(exist_ok=True)
    (folder / name).write_text(text, encoding="utf-8")


def _sts_answer(action: str, number: str) -> str:
    return (
        f'<{action}Response xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><{action}Result>'
        f"<Credentials><AccessKeyId>ASIASTS{number}</AccessKeyId>"
        f"<SecretAccessKey>sts-secret-{number}/+=</SecretAccessKey>"
        f"<SessionToken>sts-token-{number}</SessionToken><Expiration>{STAMP}</Expiration></Credentials>"
        f"<AssumedRoleUser><Arn>arn:aws:sts::123456789012:assumed-role/r{number}/s</Arn>"
        f"<AssumedRoleId>AROA{number}:s</AssumedRoleId></AssumedRoleUser></{action}Result>"
        f"<ResponseMetadata><RequestId>req-{number}</RequestId></ResponseMetadata></{action}Response>"
    )


def _scripted_sts(seen: Seen) -> Reply:
    """Answers by role: role rN gets credentials ASIASTSN, the same for every caller."""
    form = {k: v[0] for k, v in parse_qs(seen.body.decode()).items()}
    number = form.get("RoleArn", "")[-1:]
    return Reply(200, _sts_answer(form.get("Action", "?"), number), {"Content-Type": "text/xml"})


def _forms(server: RouteServer) -> list[dict[str, str]]:
    return [{k: v[0] for k, v in parse_qs(s.body.decode()).items()} for s in server.seen]


@pytest.fixture
def sts_server(monkeypatch: pytest.MonkeyPatch) -> Iterator[RouteServer]:
    with serve_routes() as server:
        server.route("POST", "/", _scripted_sts)
        monkeypatch.setenv("AWS_ENDPOINT_URL_STS", server.url)
        monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")  # botocore reads only this one
        yield server


# -- botocore as the oracle, provider by provider --------------------------------------------------


def test_environment_matches_botocore(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIDENVORACLE")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "env-oracle-secret")
    monkeypatch.setenv("AWS_SESSION_TOKEN", "env-oracle-token")
    monkeypatch.setenv("AWS_CREDENTIAL_EXPIRATION", STAMP)
    assert _ours() == _botocore() == ("AKIDENVORACLE", "env-oracle-secret", "env-oracle-token", EXPIRY)


def test_profile_keys_match_botocore(clean_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _write(clean_env, "credentials", "[p]\naws_access_key_id = AKIDFILE\naws_secret_access_key = file-s\n")
    _write(clean_env, "config", "[profile q]\naws_access_key_id = AKIDCONF\naws_secret_access_key = conf-s\n")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIDENVSKIPPED")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "env-skipped")
    assert _ours("p") == _botocore("p") == ("AKIDFILE", "file-s", None, None)
    assert _ours("q") == _botocore("q") == ("AKIDCONF", "conf-s", None, None)


@pytest.mark.parametrize("source", ["environment", "profile"])
def test_web_identity_matches_botocore(
    sts_server: RouteServer, clean_env: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, source: str
) -> None:
    token = tmp_path / "token"
    token.write_text("web-identity-jwt", encoding="utf-8")
    if source == "environment":
        monkeypatch.setenv("AWS_WEB_IDENTITY_TOKEN_FILE", str(token))
        monkeypatch.setenv("AWS_ROLE_ARN", "arn:aws:iam::123456789012:role/r7")
        monkeypatch.setenv("AWS_ROLE_SESSION_NAME", "oracle-session")
    else:
        _write(
            clean_env,
            "config",
            f"[default]\nweb_identity_token_file = {token}\nrole_arn = arn:aws:iam::123456789012:role/r7\n"
            "role_session_name = oracle-session\n",
        )
    expected = ("ASIASTS7", "sts-secret-7/+=", "sts-token-7", EXPIRY)
    assert _ours() == expected
    assert _botocore() == expected
    ours, theirs = _forms(sts_server)
    assert ours == theirs  # the same Action, Version, RoleArn, RoleSessionName and token
    assert ours["WebIdentityToken"] == "web-identity-jwt"
    assert all("authorization" not in s.headers for s in sts_server.seen)  # unsigned, as botocore


def test_assume_role_matches_botocore(sts_server: RouteServer, clean_env: Path) -> None:
    _write(clean_env, "credentials", "[base]\naws_access_key_id = AKIDBASE\naws_secret_access_key = base-s\n")
    _write(
        clean_env,
        "config",
        "[profile r]\nrole_arn = arn:aws:iam::123456789012:role/r1\nsource_profile = base\n"
        "role_session_name = oracle\nexternal_id = ext-1\nduration_seconds = 1800\n",
    )
    expected = ("ASIASTS1", "sts-secret-1/+=", "sts-token-1", EXPIRY)
    assert _ours("r") == expected
    assert _botocore("r") == expected
    ours, theirs = _forms(sts_server)
    assert ours == theirs
    for seen in sts_server.seen:  # both signed for sts in us-east-1 with the source profile's key
        assert "Credential=AKIDBASE/" in seen.headers["authorization"]
        assert "/us-east-1/sts/aws4_request" in seen.headers["authorization"]


def test_chained_assume_role_matches_botocore(sts_server: RouteServer, clean_env: Path) -> None:
    _write(clean_env, "credentials", "[base]\naws_access_key_id = AKIDBASE\naws_secret_access_key = base-s\n")
    _write(
        clean_env,
        "config",
        "[profile r1]\nrole_arn = arn:aws:iam::123456789012:role/r1\nsource_profile = base\n"
        "role_session_name = aa\n"
        "[profile r2]\nrole_arn = arn:aws:iam::123456789012:role/r2\nsource_profile = r1\n"
        "role_session_name = bb\n",
    )
    expected = ("ASIASTS2", "sts-secret-2/+=", "sts-token-2", EXPIRY)
    assert _ours("r2") == expected
    assert _botocore("r2") == expected
    keys = [s.headers["authorization"].split("Credential=")[1].split("/")[0] for s in sts_server.seen]
    assert keys == ["AKIDBASE", "ASIASTS1"] * 2  # r1 with the base keys, then r2 with r1's
    forms = _forms(sts_server)
    assert forms[:2] == forms[2:]


def test_credential_source_environment_matches_botocore(
    sts_server: RouteServer, clean_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _write(
        clean_env,
        "config",
        "[profile r]\nrole_arn = arn:aws:iam::123456789012:role/r3\ncredential_source = Environment\n"
        "role_session_name = env-src\n",
    )
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIDSOURCE")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "source-s")
    assert _ours("r") == _botocore("r") == ("ASIASTS3", "sts-secret-3/+=", "sts-token-3", EXPIRY)
    assert all("Credential=AKIDSOURCE/" in s.headers["authorization"] for s in sts_server.seen)


def test_credential_process_matches_botocore(clean_env: Path, tmp_path: Path) -> None:
    script = tmp_path / "creds.py"
    answer = {
        "Version": 1,
        "AccessKeyId": "AKIDPROC",
        "SecretAccessKey": "proc-s",
        "SessionToken": "proc-t",
        "Expiration": STAMP,
    }
    script.write_text(f"print({json.dumps(json.dumps(answer))})\n", encoding="utf-8")
    _write(clean_env, "config", f"[default]\ncredential_process = {sys.executable} {script}\n")
    assert _ours() == _botocore() == ("AKIDPROC", "proc-s", "proc-t", EXPIRY)


def _metadata_answer(prefix: str) -> str:
    return json.dumps(
        {
            "Code": "Success",
            "AccessKeyId": f"ASIA{prefix}",
            "SecretAccessKey": f"{prefix}-s",
            "Token": f"{prefix}-t",
            "Expiration": STAMP,
        }
    )


def test_container_full_uri_with_token_file_matches_botocore(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    token = tmp_path / "pod-token"
    token.write_text("pod-identity-token", encoding="utf-8")  # botocore sends the file as it is
    with serve_routes() as server:
        server.route("GET", "/v1/credentials", Reply(200, _metadata_answer("CONTAINER")))
        monkeypatch.setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", f"{server.url}/v1/credentials")
        monkeypatch.setenv("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", str(token))
        assert _ours() == _botocore() == ("ASIACONTAINER", "CONTAINER-s", "CONTAINER-t", EXPIRY)
    assert [s.headers["authorization"] for s in server.seen] == ["pod-identity-token"] * 2


def test_imds_matches_botocore(monkeypatch: pytest.MonkeyPatch) -> None:
    with serve_routes() as server:
        server.route("PUT", "/latest/api/token", Reply(200, "imds-session-token"))
        server.route("GET", "/latest/meta-data/iam/security-credentials/", Reply(200, "the-role"))
        server.route(
            "GET", "/latest/meta-data/iam/security-credentials/the-role", Reply(200, _metadata_answer("IMDS"))
        )
        monkeypatch.delenv("AWS_EC2_METADATA_DISABLED")
        monkeypatch.setenv("AWS_EC2_METADATA_SERVICE_ENDPOINT", server.url)
        assert _ours() == _botocore() == ("ASIAIMDS", "IMDS-s", "IMDS-t", EXPIRY)
    puts = [s for s in server.seen if s.method == "PUT"]
    gets = [s for s in server.seen if s.method == "GET"]
    assert [p.headers["x-aws-ec2-metadata-token-ttl-seconds"] for p in puts] == ["21600"] * 2
    assert {g.headers["x-aws-ec2-metadata-token"] for g in gets} == {"imds-session-token"}


@pytest.mark.parametrize("with_session", [True, False], ids=["sso-session", "legacy"])
def test_sso_matches_botocore(clean_env: Path, monkeypatch: pytest.MonkeyPatch, with_session: bool) -> None:
    start = "https://example-start.invalid/start"
    if with_session:
        config = (
            "[profile s]\nsso_session = corp\nsso_account_id = 111122223333\nsso_role_name = Reader\n"
            f"[sso-session corp]\nsso_start_url = {start}\nsso_region = eu-west-1\n"
        )
    else:
        config = (
            f"[profile s]\nsso_start_url = {start}\nsso_region = eu-west-1\n"
            "sso_account_id = 111122223333\nsso_role_name = Reader\n"
        )
    _write(clean_env, "config", config)
    cache = token_cache_file(start, "corp" if with_session else None)
    assert cache.parent == clean_env / ".aws" / "sso" / "cache"
    cache.parent.mkdir(parents=True)
    cache.write_text(
        json.dumps(
            {"accessToken": "sso-access-token", "expiresAt": STAMP, "startUrl": start, "region": "eu-west-1"}
        ),
        encoding="utf-8",
    )
    # botocore computes its cache folder from HOME when it is imported; point it at this HOME.
    monkeypatch.setattr(botocore.credentials.SSOProvider, "_SSO_TOKEN_CACHE_DIR", str(cache.parent))
    monkeypatch.setattr(botocore.tokens.SSOTokenProvider, "_SSO_TOKEN_CACHE_DIR", str(cache.parent))
    millis = int(EXPIRY.timestamp() * 1000)
    role = {
        "roleCredentials": {
            "accessKeyId": "ASIASSO",
            "secretAccessKey": "sso-s",
            "sessionToken": "sso-t",
            "expiration": millis,
        }
    }
    with serve_routes() as server:
        server.route("GET", "/federation/credentials", Reply(200, json.dumps(role)))
        monkeypatch.setenv("AWS_ENDPOINT_URL_SSO", server.url)
        assert _ours("s") == _botocore("s") == ("ASIASSO", "sso-s", "sso-t", EXPIRY)
    assert [s.headers["x-amz-sso_bearer_token"] for s in server.seen] == ["sso-access-token"] * 2
    assert all(
        s.path == "/federation/credentials?role_name=Reader&account_id=111122223333"
        or parse_qs(s.path.split("?")[1]) == {"role_name": ["Reader"], "account_id": ["111122223333"]}
        for s in server.seen
    )


# -- moto: the real STS and KMS ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def moto_roles(moto_kms: Any) -> dict[str, str]:
    """Two roles that allow everything, made with the IAM user's key (signature checking stays on)."""
    iam = boto3.client(
        "iam",
        region_name=moto_kms.region,
        endpoint_url=moto_kms.endpoint,
        aws_access_key_id=moto_kms.access_key_id,
        aws_secret_access_key=moto_kms.secret_access_key,
    )
    policy = iam.create_policy(PolicyName="role-allow-all", PolicyDocument=ROLE_POLICY)["Policy"]["Arn"]
    arns = {}
    for name in ("chain-one", "chain-two"):
        arns[name] = iam.create_role(RoleName=name, AssumeRolePolicyDocument=TRUST)["Role"]["Arn"]
        iam.attach_role_policy(RoleName=name, PolicyArn=policy)
    return arns


def _key_with(moto_kms: Any, creds: Credentials) -> bytes:
    key = moto_kms.keys["ECC_NIST_P256"]
    with AwsKmsClient(
        moto_kms.region,
        endpoint=moto_kms.endpoint,
        access_key_id=creds.access_key_id,
        secret_access_key=creds.secret,
        session_token=creds.token,
    ) as client:
        der = client.get_public_key(key.key_id).der
    assert der == key.der
    return der


def _fetched(profile: str | None = None) -> Credentials:
    found = resolve_credentials(None, load_config(profile))
    assert isinstance(found, Fetcher)  # nothing was fetched while resolving
    return found.fetch()


@pytest.mark.integration
def test_moto_assume_role_then_kms(
    moto_kms: Any, moto_roles: dict[str, str], clean_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _write(
        clean_env,
        "credentials",
        f"[user]\naws_access_key_id = {moto_kms.access_key_id}\n"
        f"aws_secret_access_key = {moto_kms.secret_access_key}\n",
    )
    _write(
        clean_env,
        "config",
        f"[profile one]\nrole_arn = {moto_roles['chain-one']}\nsource_profile = user\n"
        f"[profile two]\nrole_arn = {moto_roles['chain-two']}\nsource_profile = one\n",
    )
    monkeypatch.setenv("AWS_ENDPOINT_URL_STS", moto_kms.endpoint)
    monkeypatch.setenv("AWS_REGION", moto_kms.region)
    for profile in ("one", "two"):
        creds = _fetched(profile)
        assert creds.token and creds.access_key_id != moto_kms.access_key_id
        assert creds.expiry is not None and creds.expiry > datetime.now(UTC)
        _key_with(moto_kms, creds)
    # The client's own path (today through the positional wrapper, which fetches at once).
    key = moto_kms.keys["RSA_2048"]
    with AwsKmsClient(endpoint=moto_kms.endpoint, profile="two") as client:
        assert client.get_public_key(key.arn).der == key.der


@pytest.mark.integration
def test_moto_assume_role_with_bad_source_is_an_sts_error(
    moto_kms: Any, moto_roles: dict[str, str], clean_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _write(
        clean_env,
        "credentials",
        f"[user]\naws_access_key_id = {moto_kms.access_key_id}\naws_secret_access_key = wrong-secret-value\n",
    )
    _write(
        clean_env, "config", f"[profile one]\nrole_arn = {moto_roles['chain-one']}\nsource_profile = user\n"
    )
    monkeypatch.setenv("AWS_ENDPOINT_URL_STS", moto_kms.endpoint)
    found = resolve_credentials(None, load_config("one"))
    assert isinstance(found, Fetcher)
    with pytest.raises(Exception) as info:
        found.fetch()
    message = str(info.value)
    assert type(info.value).__name__ == "CredentialsError"
    assert "aws sts AssumeRole (profile 'one')" in message and "SignatureDoesNotMatch" in message
    assert "wrong-secret-value" not in message


@pytest.mark.integration
def test_moto_web_identity_then_kms(
    moto_kms: Any, moto_roles: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    token = tmp_path / "token"
    token.write_text("eyJ.web.identity", encoding="utf-8")
    monkeypatch.setenv("AWS_WEB_IDENTITY_TOKEN_FILE", str(token))
    monkeypatch.setenv("AWS_ROLE_ARN", moto_roles["chain-one"])
    monkeypatch.setenv("AWS_ENDPOINT_URL_STS", moto_kms.endpoint)
    # AssumeRoleWithWebIdentity is unsigned, as on AWS; moto's signature checking would refuse
    # any unsigned call, so it is off for this one call and on again before the key is fetched.
    httpx.post(f"{moto_kms.endpoint}/moto-api/reset-auth", content=b"inf", timeout=10).raise_for_status()
    try:
        creds = _fetched()
    finally:
        httpx.post(f"{moto_kms.endpoint}/moto-api/reset-auth", content=b"0", timeout=10).raise_for_status()
    _key_with(moto_kms, creds)


@pytest.mark.integration
def test_moto_instance_metadata(moto_kms: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AWS_EC2_METADATA_DISABLED")
    monkeypatch.setenv("AWS_EC2_METADATA_SERVICE_ENDPOINT", moto_kms.endpoint)
    creds = _fetched()
    # moto's fixed instance-role answer (moto/instance_metadata/responses.py)
    assert (creds.access_key_id, creds.secret, creds.token) == (
        "test-key",
        "test-secret-key",
        "test-session-token",
    )
    assert creds.expiry is not None and creds.expiry > datetime.now(UTC)
