"""Stand-ins for Huawei's credential peers on a `serve_routes` server: the ECS metadata service,
IAM's id-token federation, STS's AssumeAgencyWithOIDC and a CCE pod identity agent. They answer
as the official accessors expect (paths, headers and bodies from huaweicloudsdkcore's
auth/internal.py) and refuse anything else."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from tests.support.route_server import Reply, RouteServer, Seen

AK = "HWTEMPORARYACCESSKEY"
SK = "temporary-secret-that-must-never-leak"
TOKEN = "temporary-security-token-that-must-never-leak"
EXPIRES_AT = "2099-01-02T03:04:05.000000Z"  # the metadata service's format, fractions included
EXPIRY = datetime(2099, 1, 2, 3, 4, 5, tzinfo=UTC)
METADATA_TOKEN = "metadata-session-token"
IDP_ID = "my-oidc-idp"
ID_TOKEN = "eyJ.id-token-that-must-never-leak.sig"
IAM_TOKEN = "MIIunscoped-iam-token-that-must-never-leak"
PROVIDER_URN = "iam::0123456789abcdef0123456789abcdef:identity-provider:my-oidc"
AGENCY_URN = "iam::0123456789abcdef0123456789abcdef:agency:kms-reader"
POD_PATH = "/v1/pod-identity/credentials"
POD_TOKEN = "pod-service-account-token-that-must-never-leak"
SECRETS = (SK, TOKEN, ID_TOKEN, IAM_TOKEN, METADATA_TOKEN, POD_TOKEN)


def credential_body(
    access: str = AK, secret: str = SK, token: str = TOKEN, expires_at: str = EXPIRES_AT
) -> str:
    credential = {"access": access, "secret": secret, "securitytoken": token, "expires_at": expires_at}
    return json.dumps({"credential": credential})


def serve_metadata(server: RouteServer, answer: Reply, *, token_status: int = 200) -> None:
    """`token_status` 200 gives a session token the GET must carry; 404/405/503 is an older
    metadata service without tokens."""
    server.route("PUT", "/meta-data/latest/api/token", Reply(token_status, METADATA_TOKEN))

    def securitykey(seen: Seen) -> Reply:
        if token_status == 200 and seen.headers.get("x-metadata-token") != METADATA_TOKEN:
            return Reply(401, "the metadata token is missing or wrong")
        return answer

    server.route("GET", "/openstack/latest/securitykey", securitykey)


def serve_iam(server: RouteServer, answer: Reply, *, subject_token: str | None = IAM_TOKEN) -> None:
    def id_token(seen: Seen) -> Reply:
        if seen.headers.get("x-idp-id") != IDP_ID:
            return Reply(400, '{"error": {"message": "no such identity provider"}}')
        if json.loads(seen.body) != {"auth": {"id_token": {"id": ID_TOKEN}}}:
            return Reply(401, '{"error": {"message": "the id token is not valid"}}')
        headers = {"X-Subject-Token": subject_token} if subject_token else {}
        return Reply(201, '{"token": {"methods": ["mapped"]}}', headers)

    def security_tokens(seen: Seen) -> Reply:
        token = {"id": IAM_TOKEN, "duration_seconds": 6 * 60 * 60}
        if json.loads(seen.body) != {"auth": {"identity": {"methods": ["token"], "token": token}}}:
            return Reply(401, '{"error": {"message": "the token is not valid"}}')
        return answer

    server.route("POST", "/v3.0/OS-AUTH/id-token/tokens", id_token)
    server.route("POST", "/v3.0/OS-CREDENTIAL/securitytokens", security_tokens)


def sts_body(
    access: str = AK, secret: str = SK, token: str = TOKEN, expiration: str = "2099-01-02T03:04:05.000Z"
) -> str:
    """STS v5's answer shape: `credentials` with snake-case names and `expiration`."""
    credentials = {"access_key_id": access, "secret_access_key": secret, "security_token": token}
    return json.dumps({"credentials": {**credentials, "expiration": expiration}})


def serve_sts(server: RouteServer, answer: Reply, **expected: object) -> None:
    """AssumeAgencyWithOIDC; the body must be huaweicloudsdkcore's defaults updated by `expected`."""
    body = {
        "provider_urn": PROVIDER_URN,
        "agency_urn": AGENCY_URN,
        "agency_session_name": "oidc-sts-session",
        "id_token": ID_TOKEN,
        "duration_seconds": 3600,
        **expected,
    }

    def assume(seen: Seen) -> Reply:
        if json.loads(seen.body) != body:
            return Reply(400, '{"error_code": "IAM.0001", "error_msg": "bad request"}')
        return answer

    server.route("POST", "/v5/agencies/assume-with-oidc", assume)


def serve_pod_identity(server: RouteServer, answer: Reply) -> None:
    def credentials(seen: Seen) -> Reply:
        if seen.headers.get("authorization") != POD_TOKEN or json.loads(seen.body) != {}:
            return Reply(401, '{"error": "unauthorized"}')
        return answer

    server.route("POST", POD_PATH, credentials)
