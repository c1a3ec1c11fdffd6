"""huaweicloudsdkcore's own providers as the oracle: pointed at the same variables, files and
local peers, they resolve the same access key, secret, security token and expiry as our chain,
provider by provider.

The official library hard-codes the metadata address (`MetadataAccessor._METADATA_ENDPOINT`),
so each metadata test sets that constant to its local server (tests/huawei/conftest.py points
it at a refused local port otherwise). IAM is reached through HUAWEICLOUD_SDK_IAM_ENDPOINT, the
variable the official library reads, or the file's `iam_endpoint`.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from huaweicloudsdkcore.auth import internal
from huaweicloudsdkcore.auth.provider import (
    EnvCredentialProvider,
    MetadataCredentialProvider,
    OidcStsCredentialProvider,
    PodIdentityCredentialProvider,
    ProfileCredentialProvider,
)
from huaweicloudsdkkms.v2 import KmsClient

from kms_pubkey.credentials import Credentials, Fetcher
from kms_pubkey_huawei.credentials import resolve_credentials
from tests.huawei.credential_peers import (
    AGENCY_URN,
    ID_TOKEN,
    IDP_ID,
    POD_PATH,
    POD_TOKEN,
    PROVIDER_URN,
    credential_body,
    serve_iam,
    serve_metadata,
    serve_pod_identity,
    serve_sts,
    sts_body,
)
from tests.support.route_server import Reply, RouteServer, serve_routes

PROJECT = "0123456789abcdef0123456789abcdef"
# Not the peers' defaults, so a provider that ignored the answer could not match by luck.
FRACTIONAL = "2098-07-08T09:10:11.250000Z"


@pytest.fixture
def server() -> Iterator[RouteServer]:
    with serve_routes() as peer:
        yield peer


@pytest.fixture
def utc_local_time() -> Iterator[None]:
    """huaweicloudsdkcore reads `expires_at` with `time.mktime`, that is as local time; with the
    local zone set to UTC its number is the true epoch second, comparable with our aware expiry."""
    before = os.environ.get("TZ")
    os.environ["TZ"] = "UTC"
    time.tzset()
    yield
    if before is None:
        del os.environ["TZ"]
    else:
        os.environ["TZ"] = before
    time.tzset()


def ours() -> Credentials:
    found = resolve_credentials(None)  # os.environ, as the official providers read it
    found = found.fetch() if isinstance(found, Fetcher) else found
    assert isinstance(found, Credentials)
    return found


def official_fetch(credentials: Any) -> Any:
    """What a client built on these credentials does before its first request."""
    client = (
        KmsClient.new_builder().with_credentials(credentials).with_endpoints(["http://127.0.0.1:9"]).build()
    )
    credentials.process_sts(client.get_http_client())
    return credentials


def assert_same(official: Any, mine: Credentials, *, temporary: bool) -> None:
    assert (mine.access_key_id, mine.secret, mine.token) == (
        official.ak,
        official.sk,
        official.security_token,
    )
    if temporary:
        assert mine.expiry is not None
        # the official library keeps whole seconds (time.mktime drops the fraction)
        assert int(mine.expiry.timestamp()) == official._expire_at
    else:
        assert mine.expiry is None


def test_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for token in (None, "env-security-token"):
        monkeypatch.setenv("HUAWEICLOUD_SDK_AK", "env-ak")
        monkeypatch.setenv("HUAWEICLOUD_SDK_SK", "env-sk")
        if token:
            monkeypatch.setenv("HUAWEICLOUD_SDK_SECURITY_TOKEN", token)
        official = EnvCredentialProvider.get_basic().get_credentials()
        assert_same(official, ours(), temporary=False)


def test_credentials_file(monkeypatch: pytest.MonkeyPatch, clean_env: Path) -> None:
    """The default path under HOME, then HUAWEICLOUD_SDK_CREDENTIALS_FILE."""
    default = clean_env / ".huaweicloud" / "credentials"
    default.parent.mkdir()
    default.write_text(
        f"[basic]\nak = file-ak\nsk = file-sk\nproject_id = {PROJECT}\n[global]\nak = g\nsk = g\n",
        encoding="utf-8",
    )
    official = ProfileCredentialProvider.get_basic().get_credentials()
    assert_same(official, ours(), temporary=False)
    other = clean_env / "elsewhere"
    other.write_text("[basic]\nak = other-ak\nsk = other-sk\nsecurity_token = file-token\n", encoding="utf-8")
    monkeypatch.setenv("HUAWEICLOUD_SDK_CREDENTIALS_FILE", str(other))
    official = ProfileCredentialProvider.get_basic().get_credentials()
    assert_same(official, ours(), temporary=False)
    assert official.security_token == "file-token"


@pytest.mark.usefixtures("utc_local_time")
@pytest.mark.parametrize("token_status", [200, 404])
def test_metadata(monkeypatch: pytest.MonkeyPatch, server: RouteServer, token_status: int) -> None:
    serve_metadata(server, Reply(200, credential_body(expires_at=FRACTIONAL)), token_status=token_status)
    monkeypatch.setattr(internal.MetadataAccessor, "_METADATA_ENDPOINT", server.url)  # hard-coded there
    monkeypatch.delenv("KMS_PUBKEY_HUAWEI_METADATA_DISABLED")
    monkeypatch.setenv("KMS_PUBKEY_HUAWEI_METADATA_ENDPOINT", server.url)
    official = MetadataCredentialProvider.get_basic().get_credentials()
    mine = ours()
    assert_same(official, mine, temporary=True)
    assert mine.expiry == datetime(2098, 7, 8, 9, 10, 11, 250000, tzinfo=UTC)
    # both asked the same way: (token PUT,) GET, each time
    paths = [(s.method, s.path, s.headers.get("x-metadata-token")) for s in server.seen]
    assert paths[: len(paths) // 2] == paths[len(paths) // 2 :]


def federated(monkeypatch: pytest.MonkeyPatch, server: RouteServer, tmp_path: Path) -> None:
    token_file = tmp_path / "id-token"
    token_file.write_text(ID_TOKEN, encoding="utf-8")
    monkeypatch.setenv("HUAWEICLOUD_SDK_IDP_ID", IDP_ID)
    monkeypatch.setenv("HUAWEICLOUD_SDK_ID_TOKEN_FILE", str(token_file))
    monkeypatch.setenv("HUAWEICLOUD_SDK_PROJECT_ID", PROJECT)
    serve_iam(server, Reply(201, credential_body()))


@pytest.mark.usefixtures("utc_local_time")
def test_federation_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, server: RouteServer, tmp_path: Path
) -> None:
    federated(monkeypatch, server, tmp_path)
    monkeypatch.setenv("HUAWEICLOUD_SDK_IAM_ENDPOINT", server.url)
    official = official_fetch(EnvCredentialProvider.get_basic().get_credentials())
    assert_same(official, ours(), temporary=True)
    requests = [(s.path, s.headers.get("x-idp-id"), s.body) for s in server.seen]
    assert requests[:2] == requests[2:]  # the same two IAM calls, byte for byte


@pytest.mark.usefixtures("utc_local_time")
def test_federation_from_the_file(
    monkeypatch: pytest.MonkeyPatch, server: RouteServer, tmp_path: Path
) -> None:
    federated(monkeypatch, server, tmp_path)
    path = tmp_path / "credentials"
    path.write_text(
        f"[basic]\nidp_id = {IDP_ID}\nid_token_file = {tmp_path / 'id-token'}\niam_endpoint = {server.url}\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("HUAWEICLOUD_SDK_CREDENTIALS_FILE", str(path))
    for name in ("HUAWEICLOUD_SDK_IDP_ID", "HUAWEICLOUD_SDK_ID_TOKEN_FILE"):
        monkeypatch.delenv(name)
    official = official_fetch(ProfileCredentialProvider.get_basic().get_credentials())
    assert_same(official, ours(), temporary=True)
    assert [s.path for s in server.seen] == 2 * [
        "/v3.0/OS-AUTH/id-token/tokens",
        "/v3.0/OS-CREDENTIAL/securitytokens",
    ]


@pytest.mark.usefixtures("utc_local_time")
@pytest.mark.parametrize("from_file", [False, True])
def test_oidc_agency(
    monkeypatch: pytest.MonkeyPatch, server: RouteServer, tmp_path: Path, from_file: bool
) -> None:
    serve_sts(
        server, Reply(200, sts_body(expiration=FRACTIONAL)), duration_seconds=900, policy_ids=["p1", "p2"]
    )
    monkeypatch.setenv("HUAWEICLOUD_OIDC_PROVIDER_URN", PROVIDER_URN)
    monkeypatch.setenv("HUAWEICLOUD_OIDC_AGENCY_URN", AGENCY_URN)
    monkeypatch.setenv("HUAWEICLOUD_OIDC_DURATION_SECONDS", "900")
    monkeypatch.setenv("HUAWEICLOUD_OIDC_POLICY_IDS", "p1,p2")
    monkeypatch.setenv("HUAWEICLOUD_SDK_STS_ENDPOINT", server.url)
    monkeypatch.setenv("HUAWEICLOUD_SDK_PROJECT_ID", PROJECT)
    if from_file:
        (tmp_path / "oidc-token").write_text(ID_TOKEN, encoding="utf-8")
        monkeypatch.setenv("HUAWEICLOUD_OIDC_TOKEN_FILE", str(tmp_path / "oidc-token"))
    else:
        monkeypatch.setenv("HUAWEICLOUD_OIDC_ID_TOKEN", ID_TOKEN)
    official = official_fetch(OidcStsCredentialProvider.get_basic().get_credentials())
    assert_same(official, ours(), temporary=True)
    first, second = (s.body for s in server.seen)
    assert first == second  # the same request body, byte for byte


@pytest.mark.usefixtures("utc_local_time")
def test_pod_identity(monkeypatch: pytest.MonkeyPatch, server: RouteServer, tmp_path: Path) -> None:
    serve_pod_identity(server, Reply(200, credential_body(expires_at=FRACTIONAL)))
    (tmp_path / "pod-token").write_text(POD_TOKEN, encoding="utf-8")
    monkeypatch.setenv("HC_CONTAINER_CREDENTIALS_FULL_URI", server.url + POD_PATH)
    monkeypatch.setenv("HC_CONTAINER_AUTHORIZATION_TOKEN_FILE", str(tmp_path / "pod-token"))
    official = PodIdentityCredentialProvider.get_basic().get_credentials()
    assert_same(official, ours(), temporary=True)
    first, second = ((s.headers.get("authorization"), s.body) for s in server.seen)
    assert first == second


def test_domain_id_goes_to_global_credentials_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """The official environment provider puts HUAWEICLOUD_SDK_DOMAIN_ID on GlobalCredentials and
    never on BasicCredentials, the kind KmsClient takes: why a domain id cannot call KMS."""
    monkeypatch.setenv("HUAWEICLOUD_SDK_AK", "env-ak")
    monkeypatch.setenv("HUAWEICLOUD_SDK_SK", "env-sk")
    monkeypatch.setenv("HUAWEICLOUD_SDK_DOMAIN_ID", "d" * 32)
    basic = EnvCredentialProvider.get_basic().get_credentials()
    assert basic.project_id is None and not hasattr(basic, "domain_id")
    assert EnvCredentialProvider.get_global().get_credentials().domain_id == "d" * 32
    with pytest.raises(TypeError, match="supported credential type is BasicCredentials"):
        KmsClient.new_builder().with_credentials(
            EnvCredentialProvider.get_global().get_credentials()
        ).with_endpoints(["http://127.0.0.1:9"]).build()
