"""The Alibaba credential chain against real local peers: an STS stand-in that checks the RPC
signature of AssumeRole, the ECS metadata service in hardened mode, a credentials URI. The
credentials each provider gets then fetch a key from the emulator, as explicit arguments.

Every test that could reach the metadata service points it at 127.0.0.1 (the autouse `clean_env`
also disables it); STS and the credentials URI are always a local route server here.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kms_pubkey import CredentialsError, ValidationError
from kms_pubkey.credentials import Credentials, Fetcher
from kms_pubkey_alibaba import AlibabaKmsClient
from kms_pubkey_alibaba.credentials import metadata, resolve_credentials, sts
from kms_pubkey_emulator.vendors.alibaba import sts_credentials
from tests.alibaba.credential_peers import (
    BASE,
    EXPIRATION,
    HOP,
    HOP_ROLE,
    METADATA_TOKEN,
    OIDC_PROVIDER,
    OIDC_TOKEN,
    ROLE,
    ROLE_PATH,
    TOKEN_PATH,
    Keys,
    Sts,
    metadata_calls,
    serve_metadata,
    serve_sts,
    success,
)
from tests.support.route_server import Reply, serve_routes

SECRETS = (BASE.secret, HOP.secret, "hop-token-77e2", OIDC_TOKEN, METADATA_TOKEN)


@pytest.fixture
def emulator_sts(emulator) -> Keys:
    """The temporary keys the emulator accepts: what every stand-in hands out for ROLE."""
    key_id, token = sts_credentials(emulator.config.access_key_id)
    return Keys(key_id, emulator.config.secret_access_key, token)


def fetch_key_with(emulator, creds: Credentials, version: str = "v3") -> None:
    key = emulator.key("alibaba", "EC_P256")
    with AlibabaKmsClient(
        endpoint=emulator.url,
        access_key_id=creds.access_key_id,
        access_key_secret=creds.secret,
        security_token=creds.token,
        signature_version=version,
        max_retries=0,
    ) as client:
        assert client.get_public_key(key.key_id, key.key_version_id).der == key.public_der


def config_file(home: Path, profiles: list[dict[str, object]], current: str) -> Path:
    path = home / ".aliyun" / "config.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"current": current, "profiles": profiles}))
    return path


def fetched(found: Credentials | Fetcher) -> Credentials:
    assert isinstance(found, Fetcher), found
    return found.fetch()


def assert_clean(error: BaseException, provider: str) -> None:
    message = str(error)
    assert provider in message
    assert not any(secret in message for secret in SECRETS), message


# -- order and selection ----------------------------------------------------------------------


def test_first_configured_provider_wins(tmp_path, clean_env):
    token_file = tmp_path / "token"
    token_file.write_text(OIDC_TOKEN)
    config_file(
        clean_env, [{"name": "p", "mode": "AK", "access_key_id": "fileAK", "access_key_secret": "s"}], "p"
    )
    env = {
        "ALIBABA_CLOUD_ACCESS_KEY_ID": "envAK",
        "ALIBABA_CLOUD_ACCESS_KEY_SECRET": "envSK",
        "ALIBABA_CLOUD_ROLE_ARN": ROLE,
        "ALIBABA_CLOUD_OIDC_PROVIDER_ARN": OIDC_PROVIDER,
        "ALIBABA_CLOUD_OIDC_TOKEN_FILE": str(token_file),
        "ALIBABA_CLOUD_ECS_METADATA": "role",
        "ALIBABA_CLOUD_ECS_METADATA_ENDPOINT": "http://127.0.0.1:9",
        "ALIBABA_CLOUD_CREDENTIALS_URI": "http://127.0.0.1:9/creds",
    }
    seen = []
    for drop in (
        [],
        ["ALIBABA_CLOUD_ACCESS_KEY_ID", "ALIBABA_CLOUD_ACCESS_KEY_SECRET"],
        ["ALIBABA_CLOUD_ROLE_ARN"],
    ):
        for name in drop:
            env.pop(name)
        found = resolve_credentials(None, environ=env)
        seen.append(found.name if isinstance(found, Fetcher) else found.access_key_id)
    (clean_env / ".aliyun" / "config.json").unlink()
    seen.append(resolve_credentials(None, environ=env).name)  # type: ignore[union-attr]
    env.pop("ALIBABA_CLOUD_ECS_METADATA")
    seen.append(resolve_credentials(None, environ=env).name)  # type: ignore[union-attr]
    assert seen == [
        "envAK",
        "alibaba sts AssumeRoleWithOIDC",
        "fileAK",
        "alibaba ecs metadata",
        "alibaba credentials uri",
    ]
    explicit = Credentials("argAK", "argSK", None, "arguments")
    assert resolve_credentials(explicit, environ=env) is explicit


def test_a_named_profile_skips_the_environment(clean_env):
    config_file(
        clean_env, [{"name": "p", "mode": "AK", "access_key_id": "fileAK", "access_key_secret": "s"}], "x"
    )
    env = {
        "ALIBABA_CLOUD_ACCESS_KEY_ID": "envAK",
        "ALIBABA_CLOUD_ACCESS_KEY_SECRET": "envSK",
        "ALIBABA_CLOUD_CREDENTIALS_URI": "http://127.0.0.1:9/creds",
    }
    assert resolve_credentials(None, profile="p", environ=env).access_key_id == "fileAK"  # type: ignore[union-attr]
    with pytest.raises(ValidationError, match="'q' is not in"):
        resolve_credentials(None, profile="q", environ=env)


@pytest.mark.parametrize(
    "env",
    [
        {},
        # Our endpoint override alone does not turn the metadata service on ...
        {"ALIBABA_CLOUD_ECS_METADATA_ENDPOINT": "http://127.0.0.1:9"},
        # ... and the official library's switch turns it off.
        {"ALIBABA_CLOUD_ECS_METADATA": "role", "ALIBABA_CLOUD_ECS_METADATA_DISABLED": "TRUE"},
        # OIDC needs all three of its variables, as in the official library.
        {"ALIBABA_CLOUD_ROLE_ARN": ROLE, "ALIBABA_CLOUD_OIDC_PROVIDER_ARN": OIDC_PROVIDER},
        # A config.json the official library is told to ignore.
        {"ALIBABA_CLOUD_CLI_PROFILE_DISABLED": "true"},
    ],
)
def test_nothing_configured_is_the_usual_error(env, clean_env):
    config_file(clean_env, [{"name": "p", "mode": "AK", "access_key_id": "a", "access_key_secret": "b"}], "p")
    if "ALIBABA_CLOUD_CLI_PROFILE_DISABLED" not in env:
        (clean_env / ".aliyun" / "config.json").unlink()
    with pytest.raises(ValidationError, match="^no Alibaba Cloud credentials"):
        resolve_credentials(None, environ=env)


def test_nothing_is_fetched_while_resolving(clean_env):
    """A remote winner is a Fetcher: the chain sends nothing until it is asked to fetch."""
    with serve_routes() as server:
        env = {"ALIBABA_CLOUD_ECS_METADATA": "", "ALIBABA_CLOUD_ECS_METADATA_ENDPOINT": server.url}
        found = resolve_credentials(None, environ=env)
        assert isinstance(found, Fetcher)
        assert server.seen == []


# -- STS: RamRoleArn, ChainableRamRoleArn, OIDC -----------------------------------------------


@pytest.mark.integration
@pytest.mark.parametrize("version", ["v3", "v1"])
def test_ram_role_arn_profile_assumes_the_role_and_fetches_a_key(emulator, emulator_sts, clean_env, version):
    profile = {
        "name": "role",
        "mode": "RamRoleArn",
        "access_key_id": BASE.access_key_id,
        "access_key_secret": BASE.secret,
        "ram_role_arn": ROLE,
        "ram_session_name": "verifier",
        "expired_seconds": 1800,
        "external_id": "ext-1",
    }
    config_file(clean_env, [profile], "role")
    with serve_routes() as server:
        stand_in = Sts(known={BASE.access_key_id: BASE})
        stand_in.issue(ROLE, emulator_sts)
        serve_sts(server, stand_in)
        found = resolve_credentials(None, environ={"ALIBABA_CLOUD_STS_ENDPOINT": server.url})
        assert found.name == "alibaba sts AssumeRole (profile 'role')"  # type: ignore[union-attr]
        creds = fetched(found)
    (asked,) = stand_in.asked
    assert {
        k: asked[k] for k in ("RoleArn", "RoleSessionName", "DurationSeconds", "ExternalId", "Version")
    } == {
        "RoleArn": ROLE,
        "RoleSessionName": "verifier",
        "DurationSeconds": "1800",
        "ExternalId": "ext-1",
        "Version": "2015-04-01",
    }
    assert (creds.access_key_id, creds.secret, creds.token, creds.expiry) == (
        emulator_sts.access_key_id,
        emulator_sts.secret,
        emulator_sts.token,
        EXPIRATION,
    )
    # The source's secret never travels; the signature proves it.
    assert BASE.secret not in json.dumps(asked)
    fetch_key_with(emulator, creds, version)


@pytest.mark.integration
def test_chainable_ram_role_arn_signs_each_hop_with_the_previous_one(emulator, emulator_sts, clean_env):
    profiles = [
        {"name": "base", "mode": "AK", "access_key_id": BASE.access_key_id, "access_key_secret": BASE.secret},
        {"name": "hop", "mode": "ChainableRamRoleArn", "source_profile": "base", "ram_role_arn": HOP_ROLE},
        {"name": "final", "mode": "ChainableRamRoleArn", "source_profile": "hop", "ram_role_arn": ROLE},
    ]
    config_file(clean_env, profiles, "final")
    with serve_routes() as server:
        stand_in = Sts(known={BASE.access_key_id: BASE})
        stand_in.issue(HOP_ROLE, HOP)
        stand_in.issue(ROLE, emulator_sts)
        serve_sts(server, stand_in)
        creds = fetched(resolve_credentials(None, environ={"ALIBABA_CLOUD_STS_ENDPOINT": server.url}))
        # A wrong source secret is refused by the stand-in's signature check.
        stand_in.known[BASE.access_key_id] = Keys(BASE.access_key_id, "another-secret")
        with pytest.raises(CredentialsError) as caught:
            fetched(resolve_credentials(None, environ={"ALIBABA_CLOUD_STS_ENDPOINT": server.url}))
    assert [(a["AccessKeyId"], a["RoleArn"], a.get("SecurityToken")) for a in stand_in.asked[:2]] == [
        (BASE.access_key_id, HOP_ROLE, None),
        (HOP.access_key_id, ROLE, HOP.token),
    ]
    assert str(caught.value) == "alibaba sts AssumeRole (profile 'hop'): answered HTTP 400"
    assert creds.access_key_id == emulator_sts.access_key_id
    fetch_key_with(emulator, creds, "v1")


@pytest.mark.integration
def test_oidc_reads_the_token_file_on_every_fetch(emulator, emulator_sts, tmp_path):
    token_file = tmp_path / "token"
    token_file.write_text(OIDC_TOKEN + "\n")
    with serve_routes() as server:
        stand_in = Sts(oidc={(OIDC_PROVIDER, OIDC_TOKEN), (OIDC_PROVIDER, "rotated")})
        stand_in.issue(ROLE, emulator_sts)
        serve_sts(server, stand_in)
        env = {
            "ALIBABA_CLOUD_ROLE_ARN": ROLE,
            "ALIBABA_CLOUD_OIDC_PROVIDER_ARN": OIDC_PROVIDER,
            "ALIBABA_CLOUD_OIDC_TOKEN_FILE": str(token_file),
            "ALIBABA_CLOUD_ROLE_SESSION_NAME": "pod-1",
            "ALIBABA_CLOUD_STS_ENDPOINT": server.url,
        }
        fetcher = resolve_credentials(None, environ=env)
        creds = fetched(fetcher)
        token_file.write_text("rotated")
        fetched(fetcher)
    assert [(a["OIDCToken"], a["RoleSessionName"], a["RoleArn"]) for a in stand_in.asked] == [
        (OIDC_TOKEN, "pod-1", ROLE),
        ("rotated", "pod-1", ROLE),
    ]
    assert (creds.access_key_id, creds.token, creds.expiry) == (
        emulator_sts.access_key_id,
        emulator_sts.token,
        EXPIRATION,
    )
    fetch_key_with(emulator, creds)


def test_oidc_token_file_missing_or_empty(tmp_path):
    role = sts.Role(ROLE, "s", "http://127.0.0.1:9")
    with pytest.raises(CredentialsError, match="cannot read the token file") as caught:
        sts.assume_role_with_oidc(role, OIDC_PROVIDER, str(tmp_path / "absent")).fetch()
    assert_clean(caught.value, "alibaba sts AssumeRoleWithOIDC")
    (tmp_path / "empty").write_text("\n")
    with pytest.raises(CredentialsError, match="is empty"):
        sts.assume_role_with_oidc(role, OIDC_PROVIDER, str(tmp_path / "empty")).fetch()


def test_sts_endpoint_choice():
    assert sts.sts_endpoint({}) == "https://sts.aliyuncs.com"
    env = {"ALIBABA_CLOUD_STS_REGION": "cn-beijing", "ALIBABA_CLOUD_VPC_ENDPOINT_ENABLED": "true"}
    assert sts.sts_endpoint(env) == "https://sts-vpc.cn-beijing.aliyuncs.com"
    assert sts.sts_endpoint(env, region="cn-shanghai", vpc=False) == "https://sts.cn-shanghai.aliyuncs.com"
    assert (
        sts.sts_endpoint({**env, "ALIBABA_CLOUD_STS_ENDPOINT": "sts.internal:8443/"})
        == "https://sts.internal:8443"
    )
    assert sts.sts_endpoint({"ALIBABA_CLOUD_STS_ENDPOINT": "http://127.0.0.1:1"}) == "http://127.0.0.1:1"


# -- config.json: cycles, missing pieces ------------------------------------------------------


@pytest.mark.parametrize(
    ("profiles", "current", "expected"),
    [
        (
            [
                {"name": "a", "mode": "ChainableRamRoleArn", "source_profile": "b", "ram_role_arn": ROLE},
                {"name": "b", "mode": "ChainableRamRoleArn", "source_profile": "a", "ram_role_arn": ROLE},
            ],
            "a",
            "source_profile cycle a -> b -> a",
        ),
        (
            [{"name": "self", "mode": "ChainableRamRoleArn", "source_profile": "self", "ram_role_arn": ROLE}],
            "self",
            "source_profile cycle self -> self",
        ),
    ],
)
def test_source_profile_cycles_are_refused(profiles, current, expected, clean_env):
    path = config_file(clean_env, profiles, current)
    with pytest.raises(CredentialsError) as caught:
        resolve_credentials(None, environ={})
    assert str(caught.value) == f"alibaba config.json ({path}): {expected}"


@pytest.mark.parametrize(
    ("profile", "message"),
    [
        ({"mode": "ChainableRamRoleArn", "source_profile": "gone", "ram_role_arn": ROLE}, "'gone' is not in"),
        ({"mode": "ChainableRamRoleArn", "ram_role_arn": ROLE}, "has no source_profile"),
        (
            {"mode": "RamRoleArn", "access_key_id": "a", "access_key_secret": BASE.secret},
            "has no ram_role_arn",
        ),
        ({"mode": "RamRoleArn", "access_key_id": "a", "ram_role_arn": ROLE}, "has no access_key_secret"),
        (
            {
                "mode": "RamRoleArn",
                "access_key_id": "a",
                "access_key_secret": "b",
                "ram_role_arn": ROLE,
                "expired_seconds": 60,
            },
            "at least 900",
        ),
        ({"mode": "StsToken", "access_key_id": "a", "access_key_secret": BASE.secret}, "has no sts_token"),
        (
            {"mode": "OIDC", "ram_role_arn": ROLE, "oidc_provider_arn": OIDC_PROVIDER},
            "has no oidc_token_file",
        ),
        ({"mode": "CloudSSO"}, "mode 'CloudSSO' is not supported"),
    ],
)
def test_incomplete_profiles_are_validation_errors(profile, message, clean_env):
    config_file(clean_env, [{"name": "p", **profile}], "p")
    with pytest.raises(ValidationError, match=message) as caught:
        resolve_credentials(None, environ={})
    assert BASE.secret not in str(caught.value)


def test_ecs_ram_role_profile_respects_the_disabled_switch(clean_env):
    config_file(clean_env, [{"name": "p", "mode": "EcsRamRole", "ram_role_name": "r"}], "p")
    with pytest.raises(ValidationError, match="ALIBABA_CLOUD_ECS_METADATA_DISABLED"):
        resolve_credentials(None, environ={"ALIBABA_CLOUD_ECS_METADATA_DISABLED": "true"})
    found = resolve_credentials(None, environ={"ALIBABA_CLOUD_ECS_METADATA_ENDPOINT": "http://127.0.0.1:9"})
    assert isinstance(found, Fetcher) and found.name == "alibaba ecs metadata"


# -- ECS metadata, hardened mode --------------------------------------------------------------


@pytest.mark.integration
def test_ecs_metadata_hardened_mode_then_a_key(emulator, emulator_sts):
    with serve_routes() as server:
        serve_metadata(server, "kms-reader", emulator_sts)
        env = {"ALIBABA_CLOUD_ECS_METADATA": "", "ALIBABA_CLOUD_ECS_METADATA_ENDPOINT": server.url}
        creds = fetched(resolve_credentials(None, environ=env))
        calls = metadata_calls(server)
        ttl = server.seen[0].headers.get("x-aliyun-ecs-metadata-token-ttl-seconds")
    assert calls == [
        ("PUT", TOKEN_PATH, False),
        ("GET", ROLE_PATH, True),
        ("GET", ROLE_PATH + "kms-reader", True),
    ]
    assert ttl == "21600"
    assert (creds.access_key_id, creds.secret, creds.token, creds.expiry) == (
        emulator_sts.access_key_id,
        emulator_sts.secret,
        emulator_sts.token,
        EXPIRATION,
    )
    fetch_key_with(emulator, creds)


def test_ecs_metadata_with_a_named_role_skips_the_role_lookup():
    with serve_routes() as server:
        serve_metadata(server, "named", HOP)
        env = {"ALIBABA_CLOUD_ECS_METADATA": "named", "ALIBABA_CLOUD_ECS_METADATA_ENDPOINT": server.url + "/"}
        creds = fetched(resolve_credentials(None, environ=env))
        calls = metadata_calls(server)
    assert calls == [("PUT", TOKEN_PATH, False), ("GET", ROLE_PATH + "named", True)]
    assert (creds.access_key_id, creds.token) == (HOP.access_key_id, HOP.token)


def test_ecs_metadata_without_tokens_falls_back_unless_imdsv1_is_disabled():
    with serve_routes() as server:
        serve_metadata(server, "r", HOP, token_required=False)
        server.route("PUT", TOKEN_PATH, Reply(404, "no tokens here"))
        env = {"ALIBABA_CLOUD_ECS_METADATA": "", "ALIBABA_CLOUD_ECS_METADATA_ENDPOINT": server.url}
        creds = fetched(resolve_credentials(None, environ=env))
        fallback = metadata_calls(server)
        server.seen.clear()
        with pytest.raises(CredentialsError) as caught:
            fetched(resolve_credentials(None, environ={**env, "ALIBABA_CLOUD_IMDSV1_DISABLED": "true"}))
        hardened = metadata_calls(server)
    assert creds.access_key_id == HOP.access_key_id
    assert fallback == [
        ("PUT", TOKEN_PATH, False),
        ("GET", ROLE_PATH, False),
        ("GET", ROLE_PATH + "r", False),
    ]
    assert hardened == [("PUT", TOKEN_PATH, False)]
    assert str(caught.value) == "alibaba ecs metadata: answered HTTP 404"


def test_ecs_metadata_get_with_a_token_refused_falls_back_to_v1():
    """As the official library does: a GET refused with a token is asked again without one."""
    with serve_routes() as server:
        serve_metadata(server, "r", HOP, token_required=False)
        server.route(
            "GET",
            ROLE_PATH + "r",
            lambda seen: Reply(401, "") if "x-aliyun-ecs-metadata-token" in seen.headers else success(HOP),
        )
        env = {"ALIBABA_CLOUD_ECS_METADATA": "r", "ALIBABA_CLOUD_ECS_METADATA_ENDPOINT": server.url}
        creds = fetched(resolve_credentials(None, environ=env))
        calls = metadata_calls(server)
    assert creds.secret == HOP.secret
    assert calls == [
        ("PUT", TOKEN_PATH, False),
        ("GET", ROLE_PATH + "r", True),
        ("GET", ROLE_PATH + "r", False),
    ]


def test_ecs_ram_role_profile_without_a_name_takes_the_variable_s(clean_env):
    """As the official library does: the profile's ram_role_name, else ALIBABA_CLOUD_ECS_METADATA."""
    config_file(clean_env, [{"name": "p", "mode": "EcsRamRole"}], "p")
    with serve_routes() as server:
        serve_metadata(server, "from-env", HOP)
        env = {"ALIBABA_CLOUD_ECS_METADATA": "from-env", "ALIBABA_CLOUD_ECS_METADATA_ENDPOINT": server.url}
        creds = fetched(resolve_credentials(None, environ=env))
        calls = metadata_calls(server)
    assert calls == [("PUT", TOKEN_PATH, False), ("GET", ROLE_PATH + "from-env", True)]
    assert creds.access_key_id == HOP.access_key_id


def test_ecs_metadata_with_no_role_attached():
    with serve_routes() as server:
        server.route("PUT", TOKEN_PATH, Reply(200, METADATA_TOKEN))
        server.route("GET", ROLE_PATH, Reply(200, ""))
        with pytest.raises(CredentialsError, match="no RAM role is attached"):
            metadata.ecs_ram_role({"ALIBABA_CLOUD_ECS_METADATA_ENDPOINT": server.url}, None).fetch()


# -- credentials URI --------------------------------------------------------------------------


@pytest.mark.integration
def test_credentials_uri_then_a_key(emulator, emulator_sts):
    with serve_routes() as server:
        server.route("GET", "/creds", success(emulator_sts))
        uri = f"{server.url}/creds?client=kms-pubkey"
        creds = fetched(resolve_credentials(None, environ={"ALIBABA_CLOUD_CREDENTIALS_URI": uri}))
        (seen,) = server.seen
    assert seen.path == "/creds?client=kms-pubkey"
    assert (creds.access_key_id, creds.secret, creds.token, creds.expiry) == (
        emulator_sts.access_key_id,
        emulator_sts.secret,
        emulator_sts.token,
        EXPIRATION,
    )
    fetch_key_with(emulator, creds, "v1")


# -- bad answers ------------------------------------------------------------------------------

BAD_ANSWERS = {
    "not JSON": Reply(200, "<html>" + HOP.secret),
    "not an object": Reply(200, "[1, 2]"),
    "HTTP 500": Reply(500, json.dumps({"Code": "InternalError", "AccessKeySecret": HOP.secret})),
    "missing secret": Reply(200, json.dumps({"Code": "Success", **{**HOP.fields(), "AccessKeySecret": ""}})),
    "missing token": Reply(200, json.dumps({"Code": "Success", **{**HOP.fields(), "SecurityToken": None}})),
    "past expiry": Reply(200, json.dumps({"Code": "Success", **HOP.fields("2020-01-01T00:00:00Z")})),
    "unreadable expiry": Reply(200, json.dumps({"Code": "Success", **HOP.fields("soon")})),
    "timeout": Reply(200, json.dumps({"Code": "Success", **HOP.fields()}), delay=2.0),
}
EXPECTED = {
    "not JSON": "the answer is not JSON",
    "not an object": "the answer is not a JSON object",
    "HTTP 500": "answered HTTP 500",
    "missing secret": "the answer has no AccessKeySecret",
    "missing token": "the answer has no SecurityToken",
    "past expiry": "the credentials it gave expired at 2020-01-01T00:00:00+00:00",
    "unreadable expiry": "the answer's expiry is not a time",
    "timeout": "no answer within 0.3 s",
}


def _sts_wrapped(reply: Reply) -> Reply:
    """The same fault, as STS would carry it (`Credentials` inside the answer)."""
    try:
        inner = json.loads(reply.body)
    except ValueError:
        return reply
    if not isinstance(inner, dict) or reply.status != 200:
        return reply
    return Reply(reply.status, json.dumps({"RequestId": "r", "Credentials": inner}), delay=reply.delay)


@pytest.mark.parametrize("fault", list(BAD_ANSWERS))
@pytest.mark.parametrize(
    "provider", ["alibaba ecs metadata", "alibaba credentials uri", "alibaba sts AssumeRole"]
)
def test_bad_answers_are_credentials_errors(provider, fault):
    reply = BAD_ANSWERS[fault]
    with serve_routes() as server:
        if provider == "alibaba ecs metadata":
            server.route("PUT", TOKEN_PATH, Reply(200, METADATA_TOKEN))
            server.route("GET", ROLE_PATH + "r", reply)
            env = {"ALIBABA_CLOUD_ECS_METADATA_ENDPOINT": server.url, "ALIBABA_CLOUD_IMDSV1_DISABLED": "true"}
            fetcher = metadata.ecs_ram_role(env, "r", timeout=0.3)
        elif provider == "alibaba credentials uri":
            server.route("GET", "/c", reply)
            fetcher = metadata.credentials_uri(f"{server.url}/c", timeout=0.3)
        else:
            server.route("POST", "/", _sts_wrapped(reply))
            role = sts.Role(ROLE, "s", server.url)
            fetcher = sts.assume_role(
                role, Credentials(BASE.access_key_id, BASE.secret), provider, timeout=0.3
            )
        with pytest.raises(CredentialsError) as caught:
            fetcher.fetch()
    assert str(caught.value) == f"{provider}: {EXPECTED[fault]}"
    assert_clean(caught.value, provider)


@pytest.mark.parametrize(
    ("provider", "body", "expected"),
    [
        ("alibaba ecs metadata", {"Code": "Failed", **HOP.fields()}, "the answer's Code is not Success"),
        ("alibaba credentials uri", {**HOP.fields()}, "the answer's Code is not Success"),
        ("alibaba sts AssumeRole", {"RequestId": "r", **HOP.fields()}, "the answer has no Credentials"),
    ],
)
def test_answers_without_success_or_credentials(provider, body, expected):
    with serve_routes() as server:
        reply = Reply(200, json.dumps(body))
        server.route("PUT", TOKEN_PATH, Reply(200, METADATA_TOKEN))
        server.route("GET", ROLE_PATH + "r", reply)
        server.route("GET", "/c", reply)
        server.route("POST", "/", reply)
        fetcher = {
            "alibaba ecs metadata": metadata.ecs_ram_role(
                {"ALIBABA_CLOUD_ECS_METADATA_ENDPOINT": server.url}, "r"
            ),
            "alibaba credentials uri": metadata.credentials_uri(f"{server.url}/c"),
            "alibaba sts AssumeRole": sts.assume_role(sts.Role(ROLE, "s", server.url), BASE_CREDS, provider),
        }[provider]
        with pytest.raises(CredentialsError) as caught:
            fetcher.fetch()
    assert str(caught.value) == f"{provider}: {expected}"
    assert_clean(caught.value, provider)


BASE_CREDS = Credentials(BASE.access_key_id, BASE.secret)


def test_unreachable_peer():
    with serve_routes() as server:
        url = server.url
    with pytest.raises(
        CredentialsError, match=r"^alibaba credentials uri: cannot reach it \(ConnectError\)$"
    ):
        metadata.credentials_uri(f"{url}/c", timeout=0.5).fetch()
