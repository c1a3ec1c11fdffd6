"""The AWS chain's order (botocore's `method` is the oracle), the profile settings the client reads
(endpoint_url, ca_bundle, region, the key ARN's region), and bad input: every malformed answer or
configuration is a `CredentialsError` that names the provider and never carries a secret.

Every peer is a scripted server on 127.0.0.1; `clean_env` disables instance metadata unless a test
points AWS_EC2_METADATA_SERVICE_ENDPOINT at one of them.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import botocore.exceptions
import botocore.session
import pytest

from kms_pubkey import CredentialsError, ValidationError
from kms_pubkey.credentials import Credentials, Fetcher
from kms_pubkey_aws.credentials.chain import resolve_credentials
from kms_pubkey_aws.credentials.config import arn_region, check_key_region, load_config
from kms_pubkey_aws.credentials.sso import token_cache_file
from tests.support.route_server import Reply, RouteServer, serve_routes

SECRET = "s3cr3t-must-not-leak"
TOKEN = "t0ken-must-not-leak"
LATER = (datetime.now(UTC) + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M:%SZ")
PAST = (datetime.now(UTC) - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
ROLE = "arn:aws:iam::123456789012:role/r"


def _write(home: Path, name: str, text: str) -> None:
    folder = home / ".aws"
    folder.mkdir(exist_ok=True)
    (folder / name).write_text(text, encoding="utf-8")


def _resolve(profile: str | None = None) -> Credentials | Fetcher:
    return resolve_credentials(None, load_config(profile))


def _fails(profile: str | None = None) -> str:
    """The CredentialsError of resolving and fetching; it must not carry a secret."""
    with pytest.raises(CredentialsError) as info:
        found = _resolve(profile)
        if isinstance(found, Fetcher):
            found.fetch()
    message = str(info.value)
    assert SECRET not in message and TOKEN not in message
    return message


def _answer(**changes: object) -> str:
    values: dict[str, object] = {
        "AccessKeyId": "ASIAX",
        "SecretAccessKey": SECRET,
        "Token": TOKEN,
        "Expiration": LATER,
    }
    values.update(changes)
    return json.dumps({k: v for k, v in values.items() if v is not None})


@pytest.fixture
def peer(monkeypatch: pytest.MonkeyPatch) -> Iterator[RouteServer]:
    monkeypatch.setenv("AWS_METADATA_SERVICE_TIMEOUT", "0.3")
    with serve_routes() as server:
        yield server


# -- order: the provider botocore picks is the one we pick -------------------------------------------

BOTOCORE_METHOD = {
    "environment": "env",
    "aws sts AssumeRoleWithWebIdentity": "assume-role-with-web-identity",
    "aws sts AssumeRole ": "assume-role",
    "aws sso": "sso",
    "~/.aws/credentials": "shared-credentials-file",
    "aws credential_process": "custom-process",
    "~/.aws/config": "config-file",
    "aws container credentials": "container-role",
    "aws ec2 metadata": "iam-role",
}


def _kind(found: Credentials | Fetcher) -> str:
    name = found.name if isinstance(found, Fetcher) else found.source
    return next(method for prefix, method in BOTOCORE_METHOD.items() if name.startswith(prefix))


KEYS = "aws_access_key_id = AKIDFILE\naws_secret_access_key = file-secret\n"
PROCESS = (
    f'credential_process = {sys.executable} -c "import json; '
    "print(json.dumps(dict(Version=1, AccessKeyId='AKIDP', SecretAccessKey='p')))\"\n"
)
SSO = (
    "sso_start_url = https://start.invalid/\nsso_region = eu-west-1\nsso_account_id = 1\nsso_role_name = R\n"
)
ORDER = {
    # name: (credentials file, config file, variables)
    "role beats web identity": (
        "",
        f"[default]\nrole_arn = {ROLE}\ncredential_source = Environment\n",
        {"AWS_WEB_IDENTITY_TOKEN_FILE": "/nonexistent", "AWS_ROLE_ARN": ROLE},
    ),
    "web identity beats sso": (
        "",
        f"[default]\n{SSO}",
        {"AWS_WEB_IDENTITY_TOKEN_FILE": "/x", "AWS_ROLE_ARN": ROLE},
    ),
    "sso beats the credentials file": (f"[default]\n{KEYS}", f"[default]\n{SSO}", {}),
    "credentials file beats process": (f"[default]\n{KEYS}", f"[default]\n{PROCESS}", {}),
    "process beats the config file": ("", f"[default]\n{PROCESS}{KEYS}", {}),
    "profile beats container": ("", f"[default]\n{KEYS}", {"AWS_CONTAINER_CREDENTIALS_FULL_URI": "{url}/c"}),
    "container beats metadata": (
        "",
        "[default]\nregion = eu-west-1\n",
        {"AWS_CONTAINER_CREDENTIALS_FULL_URI": "{url}/c"},
    ),
    "metadata is last": ("", "[default]\nregion = eu-west-1\n", {}),
}


@pytest.mark.parametrize("case", ORDER, ids=list(ORDER))
def test_order_is_botocores(case: str, clean_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    credentials_file, config_file, variables = ORDER[case]
    _write(clean_env, "credentials", credentials_file)
    _write(clean_env, "config", config_file)
    with serve_routes() as server:
        server.route("GET", "/c", Reply(200, _answer()))
        server.route("PUT", "/latest/api/token", Reply(200, "tok"))
        server.route("GET", "/latest/meta-data/iam/security-credentials/", Reply(200, "r"))
        server.route("GET", "/latest/meta-data/iam/security-credentials/r", Reply(200, _answer()))
        monkeypatch.delenv("AWS_EC2_METADATA_DISABLED")
        monkeypatch.setenv("AWS_EC2_METADATA_SERVICE_ENDPOINT", server.url)
        monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIDSOURCE")  # the credential_source only
        monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "source-secret")
        for name, value in variables.items():
            monkeypatch.setenv(name, value.replace("{url}", server.url))
        ours = _kind(resolve_credentials(None, load_config("default")))
        assert not server.seen  # resolving fetched nothing
        theirs = botocore.session.Session(profile="default").get_credentials()
    assert theirs is not None
    assert ours == theirs.method


def test_named_profile_skips_environment_web_identity(
    clean_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _write(clean_env, "credentials", f"[p]\n{KEYS}")
    monkeypatch.setenv("AWS_WEB_IDENTITY_TOKEN_FILE", "/x")
    monkeypatch.setenv("AWS_ROLE_ARN", ROLE)
    assert _kind(_resolve("p")) == "shared-credentials-file"
    assert _kind(_resolve()) == "assume-role-with-web-identity"  # AWS_PROFILE-less: the variables count


def test_self_source_with_keys_is_not_a_cycle(clean_env: Path) -> None:
    _write(clean_env, "credentials", f"[a]\n{KEYS}role_arn = {ROLE}\nsource_profile = a\n")
    found = _resolve("a")
    assert isinstance(found, Fetcher) and found.name == "aws sts AssumeRole (profile 'a')"


# -- settings the client reads from the profile ------------------------------------------------------


def _botocore_kms_endpoint(profile: str | None) -> str:
    client = botocore.session.Session(profile=profile).create_client(
        "kms", region_name="us-east-1", aws_access_key_id="a", aws_secret_access_key="b"
    )
    return str(client.meta.endpoint_url)


ENDPOINTS = {
    "profile endpoint_url": ({}, "http://127.0.0.1:1001"),
    "services section": ({}, "http://127.0.0.1:1002"),
    "AWS_ENDPOINT_URL": ({"AWS_ENDPOINT_URL": "http://127.0.0.1:1003"}, "http://127.0.0.1:1003"),
    "AWS_ENDPOINT_URL_KMS": (
        {"AWS_ENDPOINT_URL": "http://127.0.0.1:1003", "AWS_ENDPOINT_URL_KMS": "http://127.0.0.1:1004"},
        "http://127.0.0.1:1004",
    ),
}


@pytest.mark.parametrize("case", ENDPOINTS, ids=list(ENDPOINTS))
def test_endpoint_url_as_botocore(case: str, clean_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    variables, expected = ENDPOINTS[case]
    services = "services = mine\n" if case != "profile endpoint_url" else ""
    _write(
        clean_env,
        "config",
        f"[profile p]\nendpoint_url = http://127.0.0.1:1001\n{services}"
        "[services mine]\nkms =\n  endpoint_url = http://127.0.0.1:1002\n",
    )
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    assert load_config("p").endpoint_url("kms") == expected
    assert _botocore_kms_endpoint("p") == expected
    monkeypatch.setenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true")
    assert load_config("p").endpoint_url("kms") is None
    assert _botocore_kms_endpoint("p") == "https://kms.us-east-1.amazonaws.com"


def test_ca_bundle_and_region_from_profile(clean_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _write(clean_env, "config", "[profile p]\nca_bundle = /etc/profile-ca.pem\nregion = eu-north-1\n")
    session = botocore.session.Session(profile="p")
    assert load_config("p").ca_bundle() == session.get_config_variable("ca_bundle") == "/etc/profile-ca.pem"
    assert load_config("p").region() == session.get_config_variable("region") == "eu-north-1"
    monkeypatch.setenv("AWS_CA_BUNDLE", "/etc/env-ca.pem")
    session = botocore.session.Session(profile="p")
    assert load_config("p").ca_bundle() == session.get_config_variable("ca_bundle") == "/etc/env-ca.pem"
    assert load_config("p").region("us-west-2") == "us-west-2"


@pytest.mark.parametrize("via", ["argument", "AWS_PROFILE"])
def test_unknown_profile_names_it(clean_env: Path, monkeypatch: pytest.MonkeyPatch, via: str) -> None:
    _write(clean_env, "config", "[profile other]\nregion = eu-west-1\n")
    if via == "AWS_PROFILE":
        monkeypatch.setenv("AWS_PROFILE", "missing-one")
    with pytest.raises(ValidationError, match="'missing-one'"):
        load_config("missing-one" if via == "argument" else None)
    with pytest.raises(botocore.exceptions.ProfileNotFound):
        botocore.session.Session(profile="missing-one" if via == "argument" else None).get_scoped_config()


def test_region_from_key_arn() -> None:
    arn = "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    assert arn_region(arn) == "eu-west-1"
    assert arn_region("arn:aws-cn:kms:cn-north-1:111122223333:alias/a") == "cn-north-1"
    assert arn_region("1234abcd-12ab-34cd-56ef-1234567890ab") is None
    assert arn_region("alias/x") is None
    check_key_region(arn, "eu-west-1")
    check_key_region("alias/x", "us-east-1")
    with pytest.raises(ValidationError, match="'eu-west-1'.*'us-east-1'"):
        check_key_region(arn, "us-east-1")


# -- bad input ---------------------------------------------------------------------------------------

BAD_ANSWERS = {
    "not JSON": (Reply(200, "<html>" + SECRET), "not JSON"),
    "missing Token": (Reply(200, _answer(Token=None)), "has no Token"),
    "past expiry": (Reply(200, _answer(Expiration=PAST)), "expired"),
    "expiry not a time": (Reply(200, _answer(Expiration="soon")), "expiry is not a time"),
    "HTTP 500": (Reply(500, SECRET), "HTTP 500"),
    "timeout": (Reply(200, _answer(), delay=1.0), "no answer within"),
}


@pytest.mark.parametrize("case", BAD_ANSWERS, ids=list(BAD_ANSWERS))
def test_container_bad_answers(case: str, peer: RouteServer, monkeypatch: pytest.MonkeyPatch) -> None:
    reply, expected = BAD_ANSWERS[case]
    peer.route("GET", "/c", reply)
    monkeypatch.setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", f"{peer.url}/c")
    message = _fails()
    assert message.startswith("aws container credentials: ") and expected in message


@pytest.mark.parametrize("case", BAD_ANSWERS, ids=list(BAD_ANSWERS))
def test_imds_bad_answers(case: str, peer: RouteServer, monkeypatch: pytest.MonkeyPatch) -> None:
    reply, expected = BAD_ANSWERS[case]
    peer.route("PUT", "/latest/api/token", Reply(200, "tok"))
    peer.route("GET", "/latest/meta-data/iam/security-credentials/", Reply(200, "r"))
    peer.route("GET", "/latest/meta-data/iam/security-credentials/r", reply)
    monkeypatch.delenv("AWS_EC2_METADATA_DISABLED")
    monkeypatch.setenv("AWS_EC2_METADATA_SERVICE_ENDPOINT", peer.url)
    message = _fails()
    assert message.startswith("aws ec2 metadata") and expected in message
    assert peer.count("GET", "/latest/meta-data/iam/security-credentials/r") == 2  # one retry


def test_imds_falls_back_to_v1_unless_disabled(peer: RouteServer, monkeypatch: pytest.MonkeyPatch) -> None:
    peer.route("PUT", "/latest/api/token", Reply(404))
    peer.route("GET", "/latest/meta-data/iam/security-credentials/", Reply(200, "r"))
    peer.route("GET", "/latest/meta-data/iam/security-credentials/r", Reply(200, _answer()))
    monkeypatch.delenv("AWS_EC2_METADATA_DISABLED")
    monkeypatch.setenv("AWS_EC2_METADATA_SERVICE_ENDPOINT", peer.url)
    found = _resolve()
    assert isinstance(found, Fetcher) and found.fetch().access_key_id == "ASIAX"
    assert all("x-aws-ec2-metadata-token" not in s.headers for s in peer.seen if s.method == "GET")
    monkeypatch.setenv("AWS_EC2_METADATA_V1_DISABLED", "true")
    assert "IMDSv1 is disabled" in _fails()


@pytest.mark.parametrize(
    "host", ["http://10.0.0.1/creds", "http://example.invalid/creds", "ftp://127.0.0.1/c"]
)
def test_container_host_not_allowed(host: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", host)
    assert "is not allowed" in _fails()


def test_container_token_with_line_break(peer: RouteServer, monkeypatch: pytest.MonkeyPatch) -> None:
    peer.route("GET", "/c", Reply(200, _answer()))
    monkeypatch.setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", f"{peer.url}/c")
    monkeypatch.setenv("AWS_CONTAINER_AUTHORIZATION_TOKEN", TOKEN + "\r\nX-Evil: 1")
    assert "line break" in _fails()
    assert not peer.seen


def _sts_error(code: str) -> Reply:
    body = (
        f"<ErrorResponse><Error><Type>Sender</Type><Code>{code}</Code><Message>{SECRET}</Message></Error>"
        "<RequestId>r-1</RequestId></ErrorResponse>"
    )
    return Reply(403, body, {"Content-Type": "text/xml"})


STS_ANSWERS = {
    "error code": (_sts_error("AccessDenied"), "STS answered HTTP 403 AccessDenied"),
    "no session token": (
        Reply(
            200,
            f"<X><AccessKeyId>A</AccessKeyId><SecretAccessKey>{SECRET}</SecretAccessKey>"
            f"<Expiration>{LATER}</Expiration></X>",
        ),
        "has no SessionToken",
    ),
    "not XML": (Reply(200, "{}"), "has no AccessKeyId"),
    "past expiry": (
        Reply(
            200,
            f"<X><AccessKeyId>A</AccessKeyId><SecretAccessKey>{SECRET}</SecretAccessKey>"
            f"<SessionToken>{TOKEN}</SessionToken><Expiration>{PAST}</Expiration></X>",
        ),
        "expired",
    ),
}


@pytest.mark.parametrize("case", STS_ANSWERS, ids=list(STS_ANSWERS))
@pytest.mark.parametrize("provider", ["AssumeRole", "AssumeRoleWithWebIdentity"])
def test_sts_bad_answers(
    case: str,
    provider: str,
    peer: RouteServer,
    clean_env: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    reply, expected = STS_ANSWERS[case]
    peer.route("POST", "/", reply)
    monkeypatch.setenv("AWS_ENDPOINT_URL_STS", peer.url)
    if provider == "AssumeRole":
        _write(
            clean_env, "credentials", f"[base]\naws_access_key_id = AKIDB\naws_secret_access_key = {SECRET}\n"
        )
        _write(clean_env, "config", f"[default]\nrole_arn = {ROLE}\nsource_profile = base\n")
    else:
        (tmp_path / "t").write_text(TOKEN, encoding="utf-8")
        monkeypatch.setenv("AWS_WEB_IDENTITY_TOKEN_FILE", str(tmp_path / "t"))
        monkeypatch.setenv("AWS_ROLE_ARN", ROLE)
    message = _fails()
    assert message.startswith(f"aws sts {provider}") and expected in message


def _process(clean_env: Path, tmp_path: Path, code: str) -> None:
    script = tmp_path / "p.py"
    script.write_text(code, encoding="utf-8")
    _write(clean_env, "config", f"[default]\ncredential_process = {sys.executable} {script}\n")


PROCESS_CASES = {
    "exits non-zero": (f"import sys; print('{SECRET}'); sys.exit(3)", "exited with status 3"),
    "prints garbage": (f"print('{SECRET} is not json')", "not JSON"),
    "wrong version": (
        f'print(\'{{"Version": 2, "AccessKeyId": "A", "SecretAccessKey": "{SECRET}"}}\')',
        "Version must be 1",
    ),
    "no secret": ('print(\'{"Version": 1, "AccessKeyId": "A"}\')', "has no SecretAccessKey"),
    "past expiry": (
        f'print(\'{{"Version": 1, "AccessKeyId": "A", "SecretAccessKey": "{SECRET}", '
        f'"Expiration": "{PAST}"}}\')',
        "expired",
    ),
}


@pytest.mark.parametrize("case", PROCESS_CASES, ids=list(PROCESS_CASES))
def test_credential_process_bad_output(case: str, clean_env: Path, tmp_path: Path) -> None:
    code, expected = PROCESS_CASES[case]
    _process(clean_env, tmp_path, code)
    message = _fails()
    assert message.startswith("aws credential_process (profile 'default')") and expected in message


def test_credential_process_without_expiry_is_long_lived(clean_env: Path, tmp_path: Path) -> None:
    _process(clean_env, tmp_path, 'print(\'{"Version": 1, "AccessKeyId": "AKIDP", "SecretAccessKey": "x"}\')')
    found = _resolve()
    assert isinstance(found, Fetcher)
    creds = found.fetch()
    assert (creds.access_key_id, creds.secret, creds.token, creds.expiry) == ("AKIDP", "x", None, None)


PROFILE_CASES: dict[str, tuple[str, str]] = {
    "source_profile cycle": (
        f"[profile a]\nrole_arn = {ROLE}\nsource_profile = b\n"
        f"[profile b]\nrole_arn = {ROLE}\nsource_profile = a\n",
        "source_profile cycle a -> b -> a",
    ),
    "self source without keys": (
        f"[profile a]\nrole_arn = {ROLE}\nsource_profile = a\n",
        "source_profile cycle a -> a",
    ),
    "missing source profile": (
        f"[profile a]\nrole_arn = {ROLE}\nsource_profile = gone\n",
        "'gone' does not exist",
    ),
    "no source at all": (
        f"[profile a]\nrole_arn = {ROLE}\n",
        "exactly one of source_profile and credential_source",
    ),
    "both sources": (
        f"[profile a]\nrole_arn = {ROLE}\nsource_profile = a\ncredential_source = Environment\n",
        "exactly one of",
    ),
    "unknown credential_source": (
        f"[profile a]\nrole_arn = {ROLE}\ncredential_source = Moon\n",
        "'Moon' is not one of",
    ),
    "empty credential_source": (
        f"[profile a]\nrole_arn = {ROLE}\ncredential_source = EcsContainer\n",
        "has no credentials",
    ),
    "mfa": (
        f"[profile a]\nrole_arn = {ROLE}\ncredential_source = Environment\nmfa_serial = m\n",
        "mfa_serial",
    ),
    "source profile without credentials": (
        f"[profile a]\nrole_arn = {ROLE}\nsource_profile = b\n[profile b]\nregion = eu-west-1\n",
        "'b' has no credentials",
    ),
    "sso missing keys": (
        "[profile a]\nsso_account_id = 1\nsso_role_name = R\n",
        "missing sso_start_url, sso_region",
    ),
    "sso session missing": (
        "[profile a]\nsso_session = nope\nsso_account_id = 1\nsso_role_name = R\n",
        "no [sso-session nope]",
    ),
}


@pytest.mark.parametrize("case", PROFILE_CASES, ids=list(PROFILE_CASES))
def test_bad_profiles(case: str, clean_env: Path) -> None:
    config, expected = PROFILE_CASES[case]
    _write(clean_env, "config", config)
    message = _fails("a")
    assert message.startswith("aws ") and "(profile '" in message and expected in message


def test_web_identity_without_role(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_WEB_IDENTITY_TOKEN_FILE", str(tmp_path / "t"))
    assert "no AWS_ROLE_ARN or role_arn" in _fails()


def test_web_identity_token_file_missing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_WEB_IDENTITY_TOKEN_FILE", str(tmp_path / "absent"))
    monkeypatch.setenv("AWS_ROLE_ARN", ROLE)
    assert _fails().startswith("aws sts AssumeRoleWithWebIdentity: cannot read the token file")


SSO_CONFIG = (
    "[profile a]\nsso_start_url = https://s.invalid/\nsso_region = eu-west-1\nsso_account_id = 1\n"
    "sso_role_name = R\n"
)


def _sso_cache(expires: str) -> None:
    cache = token_cache_file("https://s.invalid/", None)
    cache.parent.mkdir(parents=True, exist_ok=True)
    cache.write_text(json.dumps({"accessToken": TOKEN, "expiresAt": expires}), encoding="utf-8")


SSO_CASES: dict[str, tuple[Callable[[], None], Reply, str]] = {
    "no cached token": (lambda: None, Reply(200, "{}"), "no cached SSO token"),
    "expired token": (lambda: _sso_cache(PAST), Reply(200, "{}"), "the cached SSO token has expired"),
    "token refused": (lambda: _sso_cache(LATER), Reply(401, SECRET), "was refused (HTTP 401)"),
    "no roleCredentials": (lambda: _sso_cache(LATER), Reply(200, "{}"), "has no roleCredentials"),
}


@pytest.mark.parametrize("case", SSO_CASES, ids=list(SSO_CASES))
def test_sso_bad_input(
    case: str, peer: RouteServer, clean_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    prepare, reply, expected = SSO_CASES[case]
    _write(clean_env, "config", SSO_CONFIG)
    prepare()
    peer.route("GET", "/federation/credentials", reply)
    monkeypatch.setenv("AWS_ENDPOINT_URL_SSO", peer.url)
    message = _fails("a")
    assert message.startswith("aws sso (profile 'a')") and expected in message


def test_no_secret_in_reprs(clean_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _write(
        clean_env, "credentials", f"[default]\naws_access_key_id = AKIDR\naws_secret_access_key = {SECRET}\n"
    )
    _write(clean_env, "config", f"[profile r]\nrole_arn = {ROLE}\nsource_profile = default\n")
    monkeypatch.setenv("AWS_SESSION_TOKEN", TOKEN)
    for shown in (repr(load_config()), repr(_resolve()), repr(_resolve("r")), repr(load_config("r"))):
        assert SECRET not in shown and TOKEN not in shown


def test_bad_metadata_endpoint(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AWS_EC2_METADATA_DISABLED")
    monkeypatch.setenv("AWS_EC2_METADATA_SERVICE_ENDPOINT", "not a url")
    assert _fails().startswith("aws ec2 metadata")
