"""The chain itself, in huaweicloudsdkcore's `CredentialProviderChain` order: OIDC agency,
environment, credentials file, then pod identity and the ECS metadata service. The first
configured provider wins; a half-given pair is an error, not a fall-through.

The providers of temporary credentials (`federation`, `temporary`) are imported by the steps
that use them: a client given keys never loads them (cold start)."""

from __future__ import annotations

import os
from collections.abc import Mapping

from kms_pubkey.credentials import Credentials, Fetcher, from_environment
from kms_pubkey.errors import ValidationError
from kms_pubkey.frozen import Frozen
from kms_pubkey_huawei.credentials.config_file import credentials_file, file_section

ARGUMENT_NAMES = ("access_key", "secret_key", "security_token")
AK_ENV = ("HUAWEICLOUD_SDK_AK", "CLOUD_SDK_AK")
SK_ENV = ("HUAWEICLOUD_SDK_SK", "CLOUD_SDK_SK")
SECURITY_TOKEN_ENV = "HUAWEICLOUD_SDK_SECURITY_TOKEN"
IDP_ENV = ("HUAWEICLOUD_SDK_IDP_ID", "HUAWEICLOUD_SDK_ID_TOKEN_FILE")
IDP_FILE_KEYS = ("idp_id", "id_token_file")
IAM_ENDPOINT_ENV = "HUAWEICLOUD_SDK_IAM_ENDPOINT"
DEFAULT_IAM_ENDPOINT = "https://iam.myhuaweicloud.com"  # huaweicloudsdkcore's IamHelper default
OIDC_URN_ENV = ("HUAWEICLOUD_OIDC_PROVIDER_URN", "HUAWEICLOUD_OIDC_AGENCY_URN")
OIDC_TOKEN_ENV = ("HUAWEICLOUD_OIDC_ID_TOKEN", "HUAWEICLOUD_OIDC_TOKEN_FILE")
OIDC_PREFIX = "HUAWEICLOUD_OIDC_"  # + SESSION_NAME, DURATION_SECONDS, POLICY, POLICY_IDS
STS_ENDPOINT_ENV = "HUAWEICLOUD_SDK_STS_ENDPOINT"
DEFAULT_STS_ENDPOINT = "https://sts.cn-north-4.myhuaweicloud.com"  # huaweicloudsdkcore's StsHelper default
POD_IDENTITY_ENV = ("HC_CONTAINER_CREDENTIALS_FULL_URI", "HC_CONTAINER_AUTHORIZATION_TOKEN_FILE")
# Ours: huaweicloudsdkcore hard-codes the address and has no switch.
METADATA_ENDPOINT_ENV = "KMS_PUBKEY_HUAWEI_METADATA_ENDPOINT"
METADATA_DISABLED_ENV = "KMS_PUBKEY_HUAWEI_METADATA_DISABLED"
DEFAULT_METADATA_ENDPOINT = "http://169.254.169.254"
FILE_SOURCE = "~/.huaweicloud/credentials"


class IamToken(Frozen):
    """An IAM token for `X-Auth-Token`; it never appears in a repr or a message."""

    __slots__ = ("source", "token")
    _hidden = frozenset({"token"})
    token: str
    source: str

    def __init__(self, token: str, source: str = "arguments") -> None:
        self._set(token=token, source=source)


def _endpoint(url: str, setting: str) -> str:
    if not url.startswith(("http://", "https://")):
        raise ValidationError(f"{setting} must be an http:// or https:// URL")
    return url


def _both(values: Mapping[str, str], names: tuple[str, str], where: str = "") -> tuple[str, str] | None:
    """Both settings of a pair, or None when neither is set; one alone is an error."""
    first, second = values.get(names[0]), values.get(names[1])
    if not (first or second):
        return None
    if not (first and second):
        raise ValidationError(f"set both {names[0]} and {names[1]}{where}, or neither")
    return first, second


def _federation(
    values: Mapping[str, str], names: tuple[str, str], where: str, iam_endpoint: str | None
) -> Fetcher | None:
    """IdP federation when both the idp id and the id token file are set: it comes before an
    AK/SK pair in the same place, as in huaweicloudsdkcore's providers."""
    found = _both(values, names, where)
    if found is None:
        return None
    iam = _endpoint(iam_endpoint or DEFAULT_IAM_ENDPOINT, f"the IAM endpoint ({IAM_ENDPOINT_ENV})")
    from kms_pubkey_huawei.credentials.federation import idp_federation

    return idp_federation(*found, iam)


def _oidc_agency(env: Mapping[str, str]) -> Fetcher | None:
    """huaweicloudsdkcore's OidcStsCredentialProvider, the first in its chain."""
    urns = _both(env, OIDC_URN_ENV)
    if urns is None:
        return None
    id_token, token_file = (env.get(name) for name in OIDC_TOKEN_ENV)
    if not (id_token or token_file):
        raise ValidationError(f"set {OIDC_TOKEN_ENV[0]} or {OIDC_TOKEN_ENV[1]} beside {OIDC_URN_ENV[0]}")
    try:
        duration = int(env.get(OIDC_PREFIX + "DURATION_SECONDS") or 3600)
    except ValueError:
        raise ValidationError(f"{OIDC_PREFIX}DURATION_SECONDS must be a number of seconds") from None
    request: dict[str, object] = {
        "provider_urn": urns[0],
        "agency_urn": urns[1],
        "agency_session_name": env.get(OIDC_PREFIX + "SESSION_NAME") or "oidc-sts-session",
        "id_token": id_token or "",
        "duration_seconds": duration,
    }
    if env.get(OIDC_PREFIX + "POLICY"):
        request["policy"] = env[OIDC_PREFIX + "POLICY"]
    policy_ids = [p.strip() for p in env.get(OIDC_PREFIX + "POLICY_IDS", "").split(",") if p.strip()]
    if policy_ids:
        request["policy_ids"] = policy_ids
    sts = _endpoint(env.get(STS_ENDPOINT_ENV) or DEFAULT_STS_ENDPOINT, STS_ENDPOINT_ENV)
    from kms_pubkey_huawei.credentials.federation import oidc_agency

    return oidc_agency(request, None if id_token else token_file, sts)


def _pod_identity(env: Mapping[str, str]) -> Fetcher | None:
    found = _both(env, POD_IDENTITY_ENV)
    if found is None:
        return None
    from kms_pubkey_huawei.credentials.temporary import pod_identity

    return pod_identity(_endpoint(found[0], POD_IDENTITY_ENV[0]), found[1])


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
    pair = _both(values, ("ak", "sk"), where)
    return None if pair is None else Credentials(*pair, values.get("security_token"), FILE_SOURCE)


def resolve_credentials(
    explicit: Credentials | None, auth_token: str | None = None, environ: Mapping[str, str] | None = None
) -> Credentials | Fetcher | IamToken:
    """`explicit` is the caller's pair (core's `from_arguments` with `ARGUMENT_NAMES`), or an IAM
    token; then the providers in order and, when none is configured, the ECS metadata service,
    as huaweicloudsdkcore falls back to it. Nothing is fetched here: a temporary provider comes
    back as a `Fetcher`."""
    if auth_token is not None:
        if explicit is not None:
            raise ValidationError("pass either auth_token or access_key/secret_key, not both")
        if not isinstance(auth_token, str) or not auth_token.strip():
            raise ValidationError("auth_token must be a non-empty IAM token")
        return IamToken(auth_token)
    if explicit is not None:
        return explicit
    env = os.environ if environ is None else environ
    found = _oidc_agency(env) or _from_environment(env) or _from_file(env) or _pod_identity(env)
    if found is not None:
        return found
    if env.get(METADATA_DISABLED_ENV, "").strip().lower() not in ("true", "1"):
        url = env.get(METADATA_ENDPOINT_ENV) or DEFAULT_METADATA_ENDPOINT
        from kms_pubkey_huawei.credentials.temporary import ecs_metadata

        return ecs_metadata(_endpoint(url, METADATA_ENDPOINT_ENV))
    raise ValidationError(
        "no Huawei Cloud credentials: {arguments}set HUAWEICLOUD_SDK_AK and HUAWEICLOUD_SDK_SK "
        "(or CLOUD_SDK_AK and CLOUD_SDK_SK), or add ak and sk to the [basic] section of "
        "~/.huaweicloud/credentials",
        arguments="pass access_key/secret_key or auth_token, ",
    )
