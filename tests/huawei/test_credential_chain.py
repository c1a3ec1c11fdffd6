"""The Huawei chain's providers against real local peers: the order, the ECS metadata service,
IdP id-token federation through IAM, a domain id, and every malformed answer.

Expected values come from tests/huawei/credential_peers.py (the answers the peers give) and from
huaweicloudsdkcore's source for paths, headers and bodies; the oracle test compares with the
official providers themselves.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import kms_pubkey
from kms_pubkey.credentials import Credentials, Fetcher, from_arguments
from kms_pubkey_huawei import HuaweiKmsClient
from kms_pubkey_huawei.credentials import ARGUMENT_NAMES, IamToken, resolve_credentials, resolve_project_id
from kms_pubkey_huawei.credentials.temporary import ecs_metadata
from tests.huawei.credential_peers import (
    AGENCY_URN,
    AK,
    EXPIRY,
    ID_TOKEN,
    IDP_ID,
    METADATA_TOKEN,
    POD_PATH,
    POD_TOKEN,
    PROVIDER_URN,
    SECRETS,
    SK,
    TOKEN,
    credential_body,
    serve_iam,
    serve_metadata,
    serve_pod_identity,
    serve_sts,
    sts_body,
)
from tests.support.route_server import Reply, RouteServer, serve_routes

PROJECT = "0123456789abcdef0123456789abcdef"
METADATA = "huawei ecs metadata"
FEDERATION = "huawei iam id-token federation (idp my-oidc-idp)"
OIDC = f"huawei sts assume-agency-with-oidc ({AGENCY_URN})"
POD = "huawei pod identity"


@pytest.fixture
def server() -> Iterator[RouteServer]:
    with serve_routes() as peer:
        yield peer


def on_metadata(server: RouteServer) -> dict[str, str]:
    return {"KMS_PUBKEY_HUAWEI_METADATA_ENDPOINT": server.url}


def token_file(tmp_path: Path, text: str = ID_TOKEN) -> str:
    path = tmp_path / "id-token"
    path.write_text(text + "\n", encoding="utf-8")
    return str(path)


def federated_env(server: RouteServer, tmp_path: Path) -> dict[str, str]:
    return {
        "HUAWEICLOUD_SDK_IDP_ID": IDP_ID,
        "HUAWEICLOUD_SDK_ID_TOKEN_FILE": token_file(tmp_path),
        "HUAWEICLOUD_SDK_IAM_ENDPOINT": server.url,
    }


def oidc_env(server: RouteServer, **more: str) -> dict[str, str]:
    return {
        "HUAWEICLOUD_OIDC_PROVIDER_URN": PROVIDER_URN,
        "HUAWEICLOUD_OIDC_AGENCY_URN": AGENCY_URN,
        "HUAWEICLOUD_OIDC_ID_TOKEN": ID_TOKEN,
        "HUAWEICLOUD_SDK_STS_ENDPOINT": server.url,
        **more,
    }


def pod_env(server: RouteServer, tmp_path: Path) -> dict[str, str]:
    path = tmp_path / "pod-token"
    path.write_text(POD_TOKEN, encoding="utf-8")
    return {
        "HC_CONTAINER_CREDENTIALS_FULL_URI": server.url + POD_PATH,
        "HC_CONTAINER_AUTHORIZATION_TOKEN_FILE": str(path),
    }


def fetched(found: Credentials | Fetcher | IamToken) -> Credentials:
    assert isinstance(found, Fetcher)
    return found.fetch()


# -- order ---------------------------------------------------------------------------------------


def test_order_arguments_environment_file_metadata(tmp_path: Path, server: RouteServer) -> None:
    path = tmp_path / "credentials"
    path.write_text("[basic]\nak = fileak\nsk = filesk\nsecurity_token = filetoken\n", encoding="utf-8")
    file_env = {"HUAWEICLOUD_SDK_CREDENTIALS_FILE": str(path), **on_metadata(server)}
    env = {**file_env, "HUAWEICLOUD_SDK_AK": "envak", "HUAWEICLOUD_SDK_SK": "envsk"}
    explicit = from_arguments("argak", "argsk", None, ARGUMENT_NAMES)
    found = resolve_credentials(explicit, None, env)
    assert isinstance(found, Credentials) and (found.access_key_id, found.source) == ("argak", "arguments")
    found = resolve_credentials(None, None, env)
    assert isinstance(found, Credentials) and (found.access_key_id, found.source) == ("envak", "environment")
    found = resolve_credentials(None, None, file_env)
    assert isinstance(found, Credentials)
    assert (found.access_key_id, found.secret, found.token) == ("fileak", "filesk", "filetoken")
    found = resolve_credentials(None, None, on_metadata(server))
    assert isinstance(found, Fetcher) and found.name == METADATA
    assert server.seen == []  # nothing is fetched while resolving
    assert isinstance(resolve_credentials(None, "iam-token", env), IamToken)


def test_federation_comes_before_a_pair_in_the_same_place(tmp_path: Path, server: RouteServer) -> None:
    env = {**federated_env(server, tmp_path), "HUAWEICLOUD_SDK_AK": "envak", "HUAWEICLOUD_SDK_SK": "envsk"}
    found = resolve_credentials(None, None, env)
    assert isinstance(found, Fetcher) and found.name == FEDERATION
    path = tmp_path / "credentials"
    path.write_text(
        f"[basic]\nak = fileak\nsk = filesk\nidp_id = {IDP_ID}\nid_token_file = {token_file(tmp_path)}\n"
        f"iam_endpoint = {server.url}\n",
        encoding="utf-8",
    )
    found = resolve_credentials(None, None, {"HUAWEICLOUD_SDK_CREDENTIALS_FILE": str(path)})
    assert isinstance(found, Fetcher) and found.name == FEDERATION
    assert server.seen == []


def test_oidc_agency_comes_first_and_pod_identity_before_metadata(
    server: RouteServer, tmp_path: Path
) -> None:
    """huaweicloudsdkcore tries OIDC STS before the environment; it tries metadata before pod
    identity, but ours cannot try metadata (nothing is fetched while resolving), so a configured
    pod identity wins over the metadata fallback."""
    env = {**oidc_env(server), "HUAWEICLOUD_SDK_AK": "envak", "HUAWEICLOUD_SDK_SK": "envsk"}
    found = resolve_credentials(None, None, {**env, **pod_env(server, tmp_path)})
    assert isinstance(found, Fetcher) and found.name == OIDC
    found = resolve_credentials(None, None, {**pod_env(server, tmp_path), **on_metadata(server)})
    assert isinstance(found, Fetcher) and found.name == POD
    assert server.seen == []


def test_metadata_switched_off_keeps_the_no_credentials_error(server: RouteServer) -> None:
    for value in ("true", "TRUE", "1"):
        env = {**on_metadata(server), "KMS_PUBKEY_HUAWEI_METADATA_DISABLED": value}
        with pytest.raises(kms_pubkey.ValidationError, match="no Huawei Cloud credentials"):
            resolve_credentials(None, None, env)
    assert server.seen == []


@pytest.mark.parametrize(
    ("env", "names"),
    [
        ({"HUAWEICLOUD_SDK_IDP_ID": IDP_ID}, "HUAWEICLOUD_SDK_IDP_ID and HUAWEICLOUD_SDK_ID_TOKEN_FILE"),
        ({"HUAWEICLOUD_SDK_ID_TOKEN_FILE": "/t"}, "HUAWEICLOUD_SDK_IDP_ID and HUAWEICLOUD_SDK_ID_TOKEN_FILE"),
        ({"KMS_PUBKEY_HUAWEI_METADATA_ENDPOINT": "169.254.169.254"}, "KMS_PUBKEY_HUAWEI_METADATA_ENDPOINT"),
        (
            {
                "HUAWEICLOUD_SDK_IDP_ID": IDP_ID,
                "HUAWEICLOUD_SDK_ID_TOKEN_FILE": "/t",
                "HUAWEICLOUD_SDK_IAM_ENDPOINT": "iam.local",
            },
            "HUAWEICLOUD_SDK_IAM_ENDPOINT",
        ),
    ],
)
def test_half_or_malformed_settings_are_validation_errors(env: dict[str, str], names: str) -> None:
    with pytest.raises(kms_pubkey.ValidationError, match=names):
        resolve_credentials(None, None, env)


@pytest.mark.parametrize(
    ("env", "says"),
    [
        ({"HUAWEICLOUD_OIDC_PROVIDER_URN": PROVIDER_URN}, "HUAWEICLOUD_OIDC_AGENCY_URN"),
        (
            {"HUAWEICLOUD_OIDC_PROVIDER_URN": PROVIDER_URN, "HUAWEICLOUD_OIDC_AGENCY_URN": AGENCY_URN},
            "set HUAWEICLOUD_OIDC_ID_TOKEN or HUAWEICLOUD_OIDC_TOKEN_FILE",
        ),
        (
            {"HC_CONTAINER_CREDENTIALS_FULL_URI": "http://127.0.0.1:9/x"},
            "HC_CONTAINER_AUTHORIZATION_TOKEN_FILE",
        ),
        (
            {
                "HC_CONTAINER_CREDENTIALS_FULL_URI": "127.0.0.1:9",
                "HC_CONTAINER_AUTHORIZATION_TOKEN_FILE": "/t",
            },
            "HC_CONTAINER_CREDENTIALS_FULL_URI must be an http",
        ),
    ],
)
def test_half_oidc_or_pod_settings(env: dict[str, str], says: str) -> None:
    with pytest.raises(kms_pubkey.ValidationError, match=says):
        resolve_credentials(None, None, env)


def test_oidc_duration_must_be_a_number(server: RouteServer) -> None:
    with pytest.raises(kms_pubkey.ValidationError, match="HUAWEICLOUD_OIDC_DURATION_SECONDS"):
        resolve_credentials(None, None, oidc_env(server, HUAWEICLOUD_OIDC_DURATION_SECONDS="an hour"))


def test_half_pair_in_the_file_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "credentials"
    for body, names in (("ak = a\n", "ak and sk"), (f"idp_id = {IDP_ID}\n", "idp_id and id_token_file")):
        path.write_text(f"[basic]\n{body}", encoding="utf-8")
        with pytest.raises(kms_pubkey.ValidationError, match=f"{names} in the \\[basic\\] section of {path}"):
            resolve_credentials(None, None, {"HUAWEICLOUD_SDK_CREDENTIALS_FILE": str(path)})


# -- the ECS metadata service ---------------------------------------------------------------------


def test_metadata_with_a_session_token(server: RouteServer) -> None:
    serve_metadata(server, Reply(200, credential_body()))
    got = fetched(resolve_credentials(None, None, on_metadata(server)))
    assert (got.access_key_id, got.secret, got.token, got.expiry) == (AK, SK, TOKEN, EXPIRY)
    put, get = server.seen
    assert (put.method, put.path, put.headers["x-metadata-token-ttl-seconds"]) == (
        "PUT",
        "/meta-data/latest/api/token",
        "21600",
    )
    assert (get.method, get.path, get.headers["x-metadata-token"]) == (
        "GET",
        "/openstack/latest/securitykey",
        METADATA_TOKEN,
    )


@pytest.mark.parametrize("status", [404, 405, 503])
def test_metadata_without_a_token_service(server: RouteServer, status: int) -> None:
    serve_metadata(server, Reply(200, credential_body()), token_status=status)
    got = fetched(resolve_credentials(None, None, on_metadata(server)))
    assert (got.access_key_id, got.secret, got.token) == (AK, SK, TOKEN)
    assert "x-metadata-token" not in server.seen[-1].headers


def test_each_fetch_asks_again(server: RouteServer) -> None:
    serve_metadata(server, Reply(200, credential_body()))
    fetcher = resolve_credentials(None, None, on_metadata(server))
    assert isinstance(fetcher, Fetcher)
    fetcher.fetch()
    fetcher.fetch()
    assert server.count("GET", "/openstack/latest/securitykey") == 2


# -- IdP federation through IAM -----------------------------------------------------------------


def test_federation_from_the_environment(server: RouteServer, tmp_path: Path) -> None:
    serve_iam(server, Reply(201, credential_body()))
    got = fetched(resolve_credentials(None, None, federated_env(server, tmp_path)))
    assert (got.access_key_id, got.secret, got.token, got.expiry) == (AK, SK, TOKEN, EXPIRY)
    assert [s.path for s in server.seen] == [
        "/v3.0/OS-AUTH/id-token/tokens",
        "/v3.0/OS-CREDENTIAL/securitytokens",
    ]
    assert "x-auth-token" not in server.seen[1].headers  # huaweicloudsdkcore sends the token in the body only


def test_federation_from_the_file_uses_its_iam_endpoint(server: RouteServer, tmp_path: Path) -> None:
    serve_iam(server, Reply(201, credential_body()))
    path = tmp_path / "credentials"
    path.write_text(
        f"[basic]\nidp_id = {IDP_ID}\nid_token_file = {token_file(tmp_path)}\niam_endpoint = {server.url}\n",
        encoding="utf-8",
    )
    env = {
        "HUAWEICLOUD_SDK_CREDENTIALS_FILE": str(path),
        "HUAWEICLOUD_SDK_IAM_ENDPOINT": "http://127.0.0.1:9",
    }
    got = fetched(resolve_credentials(None, None, env))
    assert (got.access_key_id, got.secret, got.token, got.expiry) == (AK, SK, TOKEN, EXPIRY)


def test_federation_reads_the_token_file_on_every_fetch(server: RouteServer, tmp_path: Path) -> None:
    serve_iam(server, Reply(201, credential_body()))
    env = federated_env(server, tmp_path)
    fetcher = resolve_credentials(None, None, env)
    assert isinstance(fetcher, Fetcher)
    Path(env["HUAWEICLOUD_SDK_ID_TOKEN_FILE"]).write_text("rotated-away", encoding="utf-8")
    with pytest.raises(kms_pubkey.CredentialsError, match="HTTP 401"):
        fetcher.fetch()


# -- OIDC agency (STS) and pod identity -------------------------------------------------------------


def test_oidc_agency_with_the_token_in_a_variable(server: RouteServer) -> None:
    serve_sts(server, Reply(200, sts_body()))
    got = fetched(resolve_credentials(None, None, oidc_env(server)))
    assert (got.access_key_id, got.secret, got.token, got.expiry) == (AK, SK, TOKEN, EXPIRY)


def test_oidc_agency_with_a_token_file_and_every_setting(server: RouteServer, tmp_path: Path) -> None:
    serve_sts(
        server,
        Reply(200, sts_body()),
        agency_session_name="kms-reader",
        duration_seconds=900,
        policy='{"Version": "5.0"}',
        policy_ids=["p1", "p2"],
    )
    env = oidc_env(
        server,
        HUAWEICLOUD_OIDC_ID_TOKEN="",
        HUAWEICLOUD_OIDC_TOKEN_FILE=token_file(tmp_path),
        HUAWEICLOUD_OIDC_SESSION_NAME="kms-reader",
        HUAWEICLOUD_OIDC_DURATION_SECONDS="900",
        HUAWEICLOUD_OIDC_POLICY='{"Version": "5.0"}',
        HUAWEICLOUD_OIDC_POLICY_IDS="p1, p2,",
    )
    got = fetched(resolve_credentials(None, None, env))
    assert (got.access_key_id, got.secret, got.token, got.expiry) == (AK, SK, TOKEN, EXPIRY)


def test_pod_identity(server: RouteServer, tmp_path: Path) -> None:
    serve_pod_identity(server, Reply(200, credential_body()))
    got = fetched(resolve_credentials(None, None, pod_env(server, tmp_path)))
    assert (got.access_key_id, got.secret, got.token, got.expiry) == (AK, SK, TOKEN, EXPIRY)
    assert server.seen[0].headers["content-type"] == "application/json"


# -- bad input -----------------------------------------------------------------------------------

PAST = credential_body(expires_at="2001-01-02T03:04:05.000000Z")
BAD_ANSWERS = [
    pytest.param(Reply(200, "not json " + SK), "not JSON", id="non-json"),
    pytest.param(Reply(200, '["a list"]'), "not a JSON object", id="not-an-object"),
    pytest.param(Reply(200, '{"credential": "' + SK + '"}'), "not a JSON object", id="credential-not-object"),
    pytest.param(Reply(200, credential_body(access="")), "no access", id="no-access"),
    pytest.param(Reply(200, credential_body(secret="")), "no secret", id="no-secret"),
    pytest.param(Reply(200, credential_body(token="")), "no securitytoken", id="no-token"),
    pytest.param(Reply(200, credential_body(expires_at="")), "no expires_at", id="no-expiry"),
    pytest.param(Reply(200, credential_body(expires_at="soon")), "expiry is not a time", id="bad-expiry"),
    pytest.param(Reply(200, PAST), "expired at 2001-01-02T03:04:05", id="past-expiry"),
    pytest.param(Reply(500, credential_body()), "HTTP 500", id="http-500"),
]


def assert_clean(caught: pytest.ExceptionInfo[kms_pubkey.CredentialsError], provider: str) -> None:
    message = str(caught.value)
    assert message.startswith(provider + ":")
    for secret in SECRETS:
        assert secret not in message and secret not in repr(caught.value)


@pytest.mark.parametrize(("answer", "says"), BAD_ANSWERS)
def test_bad_metadata_answers(server: RouteServer, answer: Reply, says: str) -> None:
    serve_metadata(server, answer)
    with pytest.raises(kms_pubkey.CredentialsError, match=says) as caught:
        fetched(resolve_credentials(None, None, on_metadata(server)))
    assert_clean(caught, METADATA)


@pytest.mark.parametrize(("answer", "says"), BAD_ANSWERS)
def test_bad_iam_answers(server: RouteServer, tmp_path: Path, answer: Reply, says: str) -> None:
    serve_iam(server, Reply(201, answer.body) if answer.status == 200 else answer)
    with pytest.raises(kms_pubkey.CredentialsError, match=says) as caught:
        fetched(resolve_credentials(None, None, federated_env(server, tmp_path)))
    assert_clean(caught, FEDERATION)


@pytest.mark.parametrize(("answer", "says"), BAD_ANSWERS)
def test_bad_sts_answers(server: RouteServer, answer: Reply, says: str) -> None:
    serve_sts(server, answer)
    with pytest.raises(kms_pubkey.CredentialsError, match=says) as caught:
        fetched(resolve_credentials(None, None, oidc_env(server)))
    assert_clean(caught, OIDC)


@pytest.mark.parametrize(("answer", "says"), BAD_ANSWERS)
def test_bad_pod_identity_answers(server: RouteServer, tmp_path: Path, answer: Reply, says: str) -> None:
    serve_pod_identity(server, answer)
    with pytest.raises(kms_pubkey.CredentialsError, match=says) as caught:
        fetched(resolve_credentials(None, None, pod_env(server, tmp_path)))
    assert_clean(caught, POD)


def test_metadata_timeout(server: RouteServer) -> None:
    serve_metadata(server, Reply(200, credential_body(), delay=2.0))
    with pytest.raises(kms_pubkey.CredentialsError, match="no answer within 0.2 s") as caught:
        ecs_metadata(server.url, timeout=0.2).fetch()
    assert_clean(caught, METADATA)


def test_metadata_refusals(server: RouteServer) -> None:
    server.route("PUT", "/meta-data/latest/api/token", Reply(403, "forbidden"))
    with pytest.raises(kms_pubkey.CredentialsError, match="HTTP 403") as caught:
        ecs_metadata(server.url).fetch()
    assert_clean(caught, METADATA)
    server.route("PUT", "/meta-data/latest/api/token", Reply(404))
    server.route(
        "GET", "/openstack/latest/securitykey", Reply(401, "Please configure Cloud Service Agency first")
    )
    with pytest.raises(kms_pubkey.CredentialsError, match="no cloud service agency") as caught:
        ecs_metadata(server.url).fetch()
    assert_clean(caught, METADATA)


def test_no_metadata_service_at_all() -> None:
    with pytest.raises(kms_pubkey.CredentialsError, match="cannot reach it") as caught:
        ecs_metadata("http://127.0.0.1:9", timeout=0.5).fetch()
    assert_clean(caught, METADATA)


def test_iam_refusals(server: RouteServer, tmp_path: Path) -> None:
    serve_iam(server, Reply(201, credential_body()), subject_token=None)
    with pytest.raises(kms_pubkey.CredentialsError, match="without an X-Subject-Token") as caught:
        fetched(resolve_credentials(None, None, federated_env(server, tmp_path)))
    assert_clean(caught, FEDERATION)
    env = {**federated_env(server, tmp_path), "HUAWEICLOUD_SDK_IDP_ID": "another-idp"}
    with pytest.raises(kms_pubkey.CredentialsError, match="HTTP 400") as caught:
        fetched(resolve_credentials(None, None, env))
    assert str(caught.value).startswith("huawei iam id-token federation (idp another-idp): ")


@pytest.mark.parametrize("text", [None, "  "], ids=["missing", "empty"])
def test_bad_token_file(server: RouteServer, tmp_path: Path, text: str | None) -> None:
    env = federated_env(server, tmp_path)
    path = Path(env["HUAWEICLOUD_SDK_ID_TOKEN_FILE"])
    if text is None:
        path.unlink()
    else:
        path.write_text(text, encoding="utf-8")
    with pytest.raises(kms_pubkey.CredentialsError, match="token file") as caught:
        fetched(resolve_credentials(None, None, env))
    assert_clean(caught, FEDERATION)
    assert server.seen == []


# -- a domain id ----------------------------------------------------------------------------------


def test_a_domain_id_cannot_replace_the_project_id(tmp_path: Path) -> None:
    """KMS is project-level: huaweicloudsdkcore's KMS client takes BasicCredentials only."""
    with pytest.raises(kms_pubkey.ValidationError, match="project-level service") as caught:
        resolve_project_id(None, {"HUAWEICLOUD_SDK_DOMAIN_ID": "d" * 32})
    assert "project_id=" in str(caught.value)
    path = tmp_path / "credentials"
    path.write_text(f"[global]\nak = a\nsk = s\ndomain_id = {'d' * 32}\n", encoding="utf-8")
    with pytest.raises(kms_pubkey.ValidationError, match="project-level service"):
        resolve_project_id(None, {"HUAWEICLOUD_SDK_CREDENTIALS_FILE": str(path)})
    both = {"HUAWEICLOUD_SDK_DOMAIN_ID": "d" * 32, "HUAWEICLOUD_SDK_PROJECT_ID": PROJECT}
    assert resolve_project_id(None, both) == PROJECT


# -- with the emulator ------------------------------------------------------------------------------


def emulator_key(emulator: Any, credentials: Credentials, *, with_token: bool) -> kms_pubkey.PublicKey:
    c = emulator.config
    key = emulator.keys_for("huawei")[0]
    auth: dict[str, Any] = {"access_key": credentials.access_key_id, "secret_key": credentials.secret}
    if with_token:
        auth["security_token"] = credentials.token
    with HuaweiKmsClient(project_id=c.huawei_project_id, endpoint=emulator.url, max_retries=0, **auth) as kms:
        got = kms.get_public_key(key.key_id)
    assert got.der == key.public_der
    return got


@pytest.mark.integration
@pytest.mark.parametrize("peer", ["metadata", "federation", "oidc", "pod"])
def test_fetched_credentials_fetch_a_key(
    emulator: Any, server: RouteServer, tmp_path: Path, peer: str
) -> None:
    """The emulator issues no temporary credentials, so it refuses every security token: the pair
    alone fetches the key, and the same call with the token is refused, which shows it is sent."""
    c = emulator.config
    body = credential_body(access=c.access_key_id, secret=c.secret_access_key)
    if peer == "metadata":
        serve_metadata(server, Reply(200, body))
        env = on_metadata(server)
    elif peer == "federation":
        serve_iam(server, Reply(201, body))
        env = federated_env(server, tmp_path)
    elif peer == "oidc":
        serve_sts(server, Reply(200, sts_body(access=c.access_key_id, secret=c.secret_access_key)))
        env = oidc_env(server)
    else:
        serve_pod_identity(server, Reply(200, body))
        env = pod_env(server, tmp_path)
    got = fetched(resolve_credentials(None, None, env))
    assert (got.access_key_id, got.token) == (c.access_key_id, TOKEN)
    emulator_key(emulator, got, with_token=False)
    with pytest.raises(kms_pubkey.AuthError, match="security token"):
        emulator_key(emulator, got, with_token=True)


@pytest.mark.integration
def test_client_with_a_domain_id_and_a_project_id(emulator: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    c = emulator.config
    monkeypatch.setenv("HUAWEICLOUD_SDK_DOMAIN_ID", "d" * 32)
    monkeypatch.setenv("HUAWEICLOUD_SDK_PROJECT_ID", c.huawei_project_id)
    key = emulator.keys_for("huawei")[0]
    with HuaweiKmsClient(
        endpoint=emulator.url, access_key=c.access_key_id, secret_key=c.secret_access_key
    ) as kms:
        assert kms.get_public_key(key.key_id).der == key.public_der
    monkeypatch.delenv("HUAWEICLOUD_SDK_PROJECT_ID")
    with pytest.raises(kms_pubkey.ValidationError, match="project-level service"):
        HuaweiKmsClient(endpoint=emulator.url, access_key=c.access_key_id, secret_key=c.secret_access_key)


@pytest.mark.integration
def test_a_client_without_arguments_uses_the_metadata_service(
    emulator: Any, server: RouteServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    c = emulator.config
    serve_metadata(server, Reply(200, credential_body(access=c.access_key_id, secret=c.secret_access_key)))
    monkeypatch.delenv("KMS_PUBKEY_HUAWEI_METADATA_DISABLED")
    monkeypatch.setenv("KMS_PUBKEY_HUAWEI_METADATA_ENDPOINT", server.url)
    key = emulator.keys_for("huawei")[0]
    with (
        HuaweiKmsClient(project_id=c.huawei_project_id, endpoint=emulator.url, max_retries=0) as kms,
        pytest.raises(kms_pubkey.AuthError, match="security token"),
    ):
        kms.get_public_key(key.key_id)
    assert server.count("GET", "/openstack/latest/securitykey") == 1
