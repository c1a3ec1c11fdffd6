"""STS AssumeRole (signed with SigV4 by the source credentials) and AssumeRoleWithWebIdentity
(unsigned: the web-identity token is the proof), over the Query protocol with XML answers."""

from __future__ import annotations

import html
import re
import time
from collections.abc import Callable
from urllib.parse import urlencode

import httpx

from kms_pubkey import provider_io as io
from kms_pubkey.credentials import Credentials
from kms_pubkey.endpoints import check_endpoint
from kms_pubkey.errors import CredentialsError, ValidationError
from kms_pubkey.frozen import Frozen
from kms_pubkey.signing import utc_now
from kms_pubkey.vendor import xml_fields
from kms_pubkey_aws.credentials.config import AwsConfig
from kms_pubkey_aws.endpoints import regional_endpoint
from kms_pubkey_aws.sigv4 import SigV4Auth

VERSION = "2011-06-15"
FORM = "application/x-www-form-urlencoded; charset=utf-8"
GLOBAL_REGION = "us-east-1"
"""The signing region of the global endpoint, used when no region is configured."""


class Sts(Frozen):
    """Where STS is: a configured endpoint (`AWS_ENDPOINT_URL_STS`, ...), else the regional one."""

    __slots__ = ("region", "url", "verify")
    url: str
    region: str
    verify: bool | str

    def __init__(self, url: str, region: str, verify: bool | str = True) -> None:
        self._set(url=url, region=region, verify=verify)

    @classmethod
    def for_config(cls, config: AwsConfig, region: str | None) -> Sts:
        region = config.region(region) or None
        configured = config.endpoint_url("sts")
        try:
            if configured:
                url = check_endpoint(configured)
            elif region is None:
                url = "https://sts.amazonaws.com"
            else:
                url = regional_endpoint("sts", region)
        except ValidationError as exc:
            raise CredentialsError(f"aws sts: {exc}") from None
        return cls(url + "/", region or GLOBAL_REGION, config.ca_bundle() or True)


def _field(body: str, name: str) -> str | None:
    found = re.search(rf"<{name}>([^<]*)</{name}>", body)
    return html.unescape(found.group(1)) if found else None


def _credentials(provider: str, response: httpx.Response) -> Credentials:
    if not 200 <= response.status_code < 300:
        fields = xml_fields(response)
        code = fields.code if fields else None
        raise CredentialsError(f"{provider}: STS answered HTTP {response.status_code} {code or ''}".rstrip())
    body = response.text
    values = {name: _field(body, name) for name in ("AccessKeyId", "SecretAccessKey", "SessionToken")}
    for name, value in values.items():
        if not value:
            raise CredentialsError(f"{provider}: the answer has no {name}")
    expiry = io.parse_expiry(provider, _field(body, "Expiration"))
    key_id, secret, token = (str(values[n]) for n in ("AccessKeyId", "SecretAccessKey", "SessionToken"))
    return io.temporary(provider, key_id, secret, token, expiry, utc_now())


def _post(provider: str, sts: Sts, params: dict[str, str], sign_with: Credentials | None) -> Credentials:
    body = urlencode({"Version": VERSION, **params}).encode()
    headers = {"Content-Type": FORM}
    if sign_with is not None:
        request = httpx.Request("POST", sts.url, headers=headers, content=body)
        signed = next(SigV4Auth(sign_with, sts.region, service="sts").auth_flow(request))
        headers = {k: v for k, v in signed.headers.items() if k.lower() != "content-length"}
    response = io.http_call(
        provider,
        "POST",
        sts.url,
        timeout=io.STS_TIMEOUT_SECONDS,
        headers=headers,
        data=body,
        verify=sts.verify,
    )
    return _credentials(provider, response)


def session_name(given: str | None) -> str:
    return given or f"kms-pubkey-{int(time.time())}"


def assume_role(
    provider: str, sts: Sts, source: Callable[[], Credentials], params: dict[str, str]
) -> Callable[[], Credentials]:
    """AssumeRole with `params` (RoleArn, RoleSessionName, ...), signed by fresh `source()` credentials."""

    def fetch() -> Credentials:
        return _post(provider, sts, {"Action": "AssumeRole", **params}, source())

    return fetch


def assume_role_with_web_identity(
    provider: str, sts: Sts, token_file: str, params: dict[str, str]
) -> Callable[[], Credentials]:
    """AssumeRoleWithWebIdentity; the token file is read on every call, as Kubernetes rotates it."""

    def fetch() -> Credentials:
        token = io.read_token_file(provider, token_file)
        call = {"Action": "AssumeRoleWithWebIdentity", **params, "WebIdentityToken": token}
        return _post(provider, sts, call, None)

    return fetch
