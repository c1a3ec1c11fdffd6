"""Stand-ins for Huawei's credential peers on a `serve_routes` server: the ECS metadata service
and IAM's id-token federation, answering as the official accessors expect (paths, headers and
bodies from huaweicloudsdkcore's auth/internal.py), and refusing anything else."""

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
SECRETS = (SK, TOKEN, ID_TOKEN, IAM_TOKEN, METADATA_TOKEN)


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
