"""Huawei's token federation, each a `Fetcher`, asked as huaweicloudsdkcore asks it:

- IdP (OIDC) federation through IAM (`FederalAccessor`): the id token read from its file buys an
  unscoped IAM token (`POST /v3.0/OS-AUTH/id-token/tokens`, `X-Idp-Id`, answered in
  `X-Subject-Token`), which buys a temporary AK/SK (`POST /v3.0/OS-CREDENTIAL/securitytokens`);
- an agency assumed with an OIDC token through STS (`OidcStsAccessor`,
  `POST /v5/agencies/assume-with-oidc`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import httpx

from kms_pubkey.credentials import Credentials, Fetcher
from kms_pubkey.errors import CredentialsError
from kms_pubkey.provider_io import STS_TIMEOUT_SECONDS, expect_ok, http_call, read_token_file
from kms_pubkey_huawei.credentials.temporary import from_answer

FEDERATION = "huawei iam id-token federation"
ID_TOKEN_PATH = "/v3.0/OS-AUTH/id-token/tokens"
SECURITY_TOKENS_PATH = "/v3.0/OS-CREDENTIAL/securitytokens"
FEDERATION_DURATION_SECONDS = 6 * 60 * 60  # what FederalAccessor asks for
OIDC_AGENCY = "huawei sts assume-agency-with-oidc"
ASSUME_WITH_OIDC_PATH = "/v5/agencies/assume-with-oidc"
_JSON = {"Content-Type": "application/json;charset=UTF-8"}


def _post(
    provider: str, url: str, body: Mapping[str, Any], headers: Mapping[str, str] = _JSON
) -> httpx.Response:
    answer = http_call(
        provider, "POST", url, timeout=STS_TIMEOUT_SECONDS, headers=headers, data=json.dumps(body).encode()
    )
    expect_ok(provider, answer)
    return answer


def idp_federation(idp_id: str, id_token_file: str, iam_endpoint: str) -> Fetcher:
    """A temporary AK/SK for the identity provider `idp_id`, the id token read afresh each time."""
    provider = f"{FEDERATION} (idp {idp_id})"
    base = iam_endpoint.rstrip("/")

    def fetch() -> Credentials:
        id_token = {"auth": {"id_token": {"id": read_token_file(provider, id_token_file)}}}
        answer = _post(provider, base + ID_TOKEN_PATH, id_token, {"X-Idp-Id": idp_id, **_JSON})
        iam_token = answer.headers.get("X-Subject-Token")
        if not iam_token:
            raise CredentialsError(f"{provider}: IAM answered without an X-Subject-Token")
        token = {"id": iam_token, "duration_seconds": FEDERATION_DURATION_SECONDS}
        request = {"auth": {"identity": {"methods": ["token"], "token": token}}}
        return from_answer(provider, _post(provider, base + SECURITY_TOKENS_PATH, request).content)

    return Fetcher(provider, fetch)


def oidc_agency(request: Mapping[str, Any], id_token_file: str | None, sts_endpoint: str) -> Fetcher:
    """The agency `request["agency_urn"]`, assumed with the OIDC token in `request["id_token"]`
    or, when `id_token_file` is given, read from it on every fetch. `request` is the body
    huaweicloudsdkcore sends, in its key order."""
    provider = f"{OIDC_AGENCY} ({request['agency_urn']})"
    url = sts_endpoint.rstrip("/") + ASSUME_WITH_OIDC_PATH

    def fetch() -> Credentials:
        body = dict(request)
        if id_token_file is not None:
            body["id_token"] = read_token_file(provider, id_token_file)
        return from_answer(provider, _post(provider, url, body).content)

    return Fetcher(provider, fetch)
