"""The chain itself: the first configured provider wins, as in huaweicloudsdkcore's
`CredentialProviderChain` (environment, profile file, metadata). A half-given pair is an error,
not a fall-through."""

from __future__ import annotations

import os
from collections.abc import Mapping

import attrs

from kms_pubkey.credentials import Credentials, Fetcher, from_arguments, from_environment
from kms_pubkey.errors import ValidationError
from kms_pubkey_huawei.credentials.config_file import credentials_file, file_section
from kms_pubkey_huawei.credentials.temporary import ecs_metadata, idp_federation

ARGUMENT_NAMES = ("access_key", "secret_key", "security_token")
AK_ENV = ("HUAWEICLOUD_SDK_AK", "CLOUD_SDK_AK")
SK_ENV = ("HUAWEICLOUD_SDK_SK", "CLOUD_SDK_SK")
SECURITY_TOKEN_ENV = "HUAWEICLOUD_SDK_SECURITY_TOKEN"
IDP_ENV = ("HUAWEICLOUD_SDK_IDP_ID", "HUAWEICLOUD_SDK_ID_TOKEN_FILE")
IDP_FILE_KEYS = ("idp_id", "id_token_file")
IAM_ENDPOINT_ENV = "HUAWEICLOUD_SDK_IAM_ENDPOINT"
DEFAULT_IAM_ENDPOINT = "https://iam.myhuaweicloud.com"  # huaweicloudsdkcore's IamHelper default
# Ours: huaweicloudsdkcore hard-codes the address and has no switch.
METADATA_ENDPOINT_ENV = "KMS_PUBKEY_HUAWEI_METADATA_ENDPOINT"
METADATA_DISABLED_ENV = "KMS_PUBKEY_HUAWEI_METADATA_DISABLED"
DEFAULT_METADATA_ENDPOINT = "http://169.254.169.254"
FILE_SOURCE = "~/.huaweicloud/credentials"


@attrs.frozen
class IamToken:
    """An IAM token for `X-Auth-Token`; it never appears in a repr or a message."""

    token: str = attrs.field(repr=False)
    source: str = "arguments"


def _endpoint(url: str, setting: str) -> str:
    if not url.startswith(("http://", "https://")):
        raise ValidationError(f"{setting} must be an http:// or https:// URL")
    return url


def _federation(
    values: Mapping[str, str], names: tuple[str, str], where: str, iam_endpoint: str | None
) -> Fetcher | None:
    """IdP federation when both the idp id and the id token file are set: it comes before an
    AK/SK pair in the same place, as in huaweicloudsdkcore's providers."""
    idp_id, token_file = values.get(names[0]), values.get(names[1])
    if not (idp_id or token_file):
        return None
    if not (idp_id and token_file):
        raise ValidationError(f"set both {names[0]} and {names[1]}{where}, or neither")
    iam = _endpoint(iam_endpoint or DEFAULT_IAM_ENDPOINT, f"the IAM endpoint ({IAM_ENDPOINT_ENV})")
    return idp_federation(idp_id, token_file, iam)


def _from_environment(env: Mapping[str, str]) -> Credentials | Fetcher | None:
    federated = _federation(env, IDP_ENV, "", env.get(IAM_ENDPOINT_ENV))
    return federated or from_environment(env, tuple(zip(AK_ENV, SK_ENV, strict=True)), SECURITY_TOKEN_ENV)


def _from_file(env: Mapping[str, str]) -> Credentials | Fetcher | None:
    """The `[basic]` section: `idp_id`/`id_token_file` (with `iam_endpoint`), else `ak`/`sk`."""
    values = file_section(env)
    where = f" in the [basic] section of {credentials_file(env)}"
    iam = values.get("iam_endpoint") or env.get(IAM_ENDPOINT_ENV)
    federated = _federation(values, IDP_FILE_KEYS, where, iam)
    if federated is not None:
        return federated
    ak, sk = values.get("ak"), values.get("sk")
    if not (ak or sk):
        return None
    if not (ak and sk):
        raise ValidationError(f"set both ak and sk{where}, or neither")
    return Credentials(ak, sk, values.get("security_token"), FILE_SOURCE)


def resolve_credentials(
    explicit: Credentials | None, auth_token: str | None = None, environ: Mapping[str, str] | None = None
) -> Credentials | Fetcher | IamToken:
    """`explicit` is the caller's pair (core's `from_arguments` with `ARGUMENT_NAMES`), or an IAM
    token; then the environment, the credentials file and, when none is configured, the ECS
    metadata service, as huaweicloudsdkcore falls back to it. Nothing is fetched here."""
    if auth_token is not None:
        if explicit is not None:
            raise ValidationError("pass either auth_token or access_key/secret_key, not both")
        if not isinstance(auth_token, str) or not auth_token.strip():
            raise ValidationError("auth_token must be a non-empty IAM token")
        return IamToken(auth_token)
    if explicit is not None:
        return explicit
    env = os.environ if environ is None else environ
    found = _from_environment(env) or _from_file(env)
    if found is not None:
        return found
    if env.get(METADATA_DISABLED_ENV, "").strip().lower() not in ("true", "1"):
        url = env.get(METADATA_ENDPOINT_ENV) or DEFAULT_METADATA_ENDPOINT
        return ecs_metadata(_endpoint(url, METADATA_ENDPOINT_ENV))
    raise ValidationError(
        "no Huawei Cloud credentials: {arguments}set HUAWEICLOUD_SDK_AK and HUAWEICLOUD_SDK_SK "
        "(or CLOUD_SDK_AK and CLOUD_SDK_SK), or add ak and sk to the [basic] section of "
        "~/.huaweicloud/credentials",
        arguments="pass access_key/secret_key or auth_token, ",
    )


def resolve_auth(
    access_key: str | None, secret_key: str | None, security_token: str | None, auth_token: str | None, /
) -> Credentials | IamToken:
    """Transitional, for client.py's current call until it takes a `Fetcher`: the chain's
    answer, with a temporary pair fetched once, now."""
    explicit = from_arguments(access_key, secret_key, security_token, ARGUMENT_NAMES)
    found = resolve_credentials(explicit, auth_token)
    return found.fetch() if isinstance(found, Fetcher) else found
