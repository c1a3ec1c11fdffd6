"""The Huawei credential chain: explicit arguments, environment, then ~/.huaweicloud/credentials.

Two kinds of credentials reach KMS: an access key pair (AK/SK, with a security token when
temporary) that signs each request, or an IAM token sent in `X-Auth-Token`.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path

import attrs

from kms_pubkey.credentials import Credentials, first_env, from_arguments, from_environment, read_ini
from kms_pubkey.errors import ValidationError

AK_ENV = ("HUAWEICLOUD_SDK_AK", "CLOUD_SDK_AK")
SK_ENV = ("HUAWEICLOUD_SDK_SK", "CLOUD_SDK_SK")
SECURITY_TOKEN_ENV = "HUAWEICLOUD_SDK_SECURITY_TOKEN"
PROJECT_ID_ENV = "HUAWEICLOUD_SDK_PROJECT_ID"
CREDENTIALS_FILE_ENV = "HUAWEICLOUD_SDK_CREDENTIALS_FILE"
FILE_SECTION = "basic"  # the section huaweicloudsdkcore's profile provider reads for regional services
_PROJECT_ID = re.compile(r"[0-9A-Za-z]{32}")


@attrs.frozen
class IamToken:
    """An IAM token for `X-Auth-Token`; it never appears in a repr or a message."""

    token: str = attrs.field(repr=False)
    source: str = "arguments"


def credentials_file(env: Mapping[str, str]) -> Path:
    return Path(env.get(CREDENTIALS_FILE_ENV) or Path.home() / ".huaweicloud" / "credentials").expanduser()


def _file_values(env: Mapping[str, str]) -> dict[str, str]:
    parser = read_ini(credentials_file(env))
    if parser is None or not parser.has_section(FILE_SECTION):
        return {}
    return {k: v for k, v in parser.items(FILE_SECTION) if v}


def resolve_auth(
    access_key: str | None = None,
    secret_key: str | None = None,
    security_token: str | None = None,
    auth_token: str | None = None,
    environ: Mapping[str, str] | None = None,
) -> Credentials | IamToken:
    """First complete source wins; a half-given pair is an error, not a fall-through."""
    env = os.environ if environ is None else environ
    if auth_token is not None:
        if access_key or secret_key or security_token:
            raise ValidationError("pass either auth_token or access_key/secret_key, not both")
        if not isinstance(auth_token, str) or not auth_token.strip():
            raise ValidationError("auth_token must be a non-empty IAM token")
        return IamToken(auth_token)
    found = from_arguments(
        access_key, secret_key, security_token, ("access_key", "secret_key", "security_token")
    )
    found = found or from_environment(env, tuple(zip(AK_ENV, SK_ENV, strict=True)), SECURITY_TOKEN_ENV)
    if found is not None:
        return found
    values = _file_values(env)
    if values.get("ak") and values.get("sk"):
        source = "~/.huaweicloud/credentials"
        return Credentials(values["ak"], values["sk"], values.get("security_token"), source)
    raise ValidationError(
        "no Huawei Cloud credentials: {arguments}set HUAWEICLOUD_SDK_AK and HUAWEICLOUD_SDK_SK "
        "(or CLOUD_SDK_AK and CLOUD_SDK_SK), or add ak and sk to the [basic] section of "
        "~/.huaweicloud/credentials",
        arguments="pass access_key/secret_key or auth_token, ",
    )


def check_project_id(project_id: object) -> str:
    if not isinstance(project_id, str) or not _PROJECT_ID.fullmatch(project_id):
        raise ValidationError("project_id must be 32 characters (letters and digits), as IAM returns it")
    return project_id


def resolve_project_id(project_id: str | None, environ: Mapping[str, str] | None = None) -> str:
    env = os.environ if environ is None else environ
    value = project_id or first_env((PROJECT_ID_ENV,), env) or _file_values(env).get("project_id")
    if not value:
        raise ValidationError(
            "no Huawei Cloud project id: pass {project_id}, or set HUAWEICLOUD_SDK_PROJECT_ID",
            parameters=("project_id",),
        )
    return check_project_id(value)
