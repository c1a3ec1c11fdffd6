"""Stand-ins for the peers of the Alibaba credential providers, served by `tests.support.route_server`
on 127.0.0.1: STS (AssumeRole, AssumeRoleWithOIDC), the ECS metadata service and a credentials URI.

The STS stand-in checks each AssumeRole's RPC signature with the official library's own
functions (`alibabacloud_credentials.utils.parameter_helper`), recomputed from the parameters that
arrived (query and form body alike), and knows every key it issued, so a chained AssumeRole must
be signed by the previous hop's secret and carry its token.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qsl, urlsplit

from alibabacloud_credentials.utils import parameter_helper

from tests.support.route_server import Reply, RouteServer, Seen

EXPIRATION = (datetime.now(UTC) + timedelta(hours=6)).replace(microsecond=0)
EXPIRATION_TEXT = EXPIRATION.strftime("%Y-%m-%dT%H:%M:%SZ")
ROLE_PATH = "/latest/meta-data/ram/security-credentials/"
TOKEN_PATH = "/latest/api/token"
METADATA_TOKEN = "metadata-token-7f3a"


@dataclass(frozen=True)
class Keys:
    access_key_id: str
    secret: str
    token: str | None = None

    def fields(self, expiration: str = EXPIRATION_TEXT) -> dict[str, str]:
        return {
            "AccessKeyId": self.access_key_id,
            "AccessKeySecret": self.secret,
            "SecurityToken": self.token or "",
            "Expiration": expiration,
        }


# The keys, roles and OIDC token the tests hand to our chain and to the official library.
BASE = Keys("LTAIbaseKey", "base-secret-9d1c")
HOP = Keys("STS.hopKey", "hop-secret-51aa", "hop-token-77e2")
ROLE = "acs:ram::1234567890:role/kms-reader"
HOP_ROLE = "acs:ram::1234567890:role/hop"
OIDC_PROVIDER = "acs:ram::1234567890:oidc-provider/ack-rrsa"
OIDC_TOKEN = "eyJhbGciOiJSUzI1NiJ9.oidc-token-body.sig"


def parameters(seen: Seen) -> dict[str, str]:
    """An RPC request's parameters, from the query and the form body."""
    pairs = parse_qsl(urlsplit(seen.path).query, keep_blank_values=True)
    pairs += parse_qsl(seen.body.decode(), keep_blank_values=True)
    return dict(pairs)


def official_signature(method: str, params: dict[str, str], secret: str) -> str:
    unsigned = {k: v for k, v in params.items() if k != "Signature"}
    return str(
        parameter_helper.sign_string(parameter_helper.compose_string_to_sign(method, unsigned), secret + "&")
    )


def _error(status: int, code: str) -> Reply:
    return Reply(status, json.dumps({"Code": code, "Message": code, "RequestId": "r"}))


@dataclass
class Sts:
    """`known`: access key id -> the keys STS accepts as signers; `roles`: role ARN -> the keys it
    issues; `oidc`: (provider ARN, token) pairs it accepts."""

    known: dict[str, Keys] = field(default_factory=dict)
    roles: dict[str, Keys] = field(default_factory=dict)
    oidc: set[tuple[str, str]] = field(default_factory=set)
    asked: list[dict[str, str]] = field(default_factory=list)

    def issue(self, role_arn: str, keys: Keys) -> None:
        self.roles[role_arn] = keys
        self.known[keys.access_key_id] = keys

    def __call__(self, seen: Seen) -> Reply:
        params = parameters(seen)
        self.asked.append(params)
        action = params.get("Action")
        if action == "AssumeRole":
            signer = self.known.get(params.get("AccessKeyId", ""))
            if signer is None:
                return _error(404, "InvalidAccessKeyId.NotFound")
            if params.get("Signature") != official_signature(seen.method, params, signer.secret):
                return _error(400, "SignatureDoesNotMatch")
            if params.get("SecurityToken") != signer.token:
                return _error(400, "InvalidSecurityToken.MismatchWithAccessKey")
        elif action == "AssumeRoleWithOIDC":
            if (params.get("OIDCProviderArn"), params.get("OIDCToken")) not in self.oidc:
                return _error(400, "InvalidParameter.OIDCToken")
        else:
            return _error(404, "InvalidAction.NotFound")
        issued = self.roles.get(params.get("RoleArn", ""))
        if issued is None:
            return _error(404, "EntityNotExist.Role")
        body = {
            "RequestId": "r",
            "AssumedRoleUser": {"Arn": params["RoleArn"]},
            "Credentials": issued.fields(),
        }
        return Reply(200, json.dumps(body), {"Content-Type": "application/json"})


def serve_sts(server: RouteServer, sts: Sts) -> None:
    server.route("GET", "/", sts)
    server.route("POST", "/", sts)


def success(keys: Keys, expiration: str = EXPIRATION_TEXT) -> Reply:
    """A metadata / credentials-URI answer."""
    body = {"Code": "Success", "LastUpdated": "2026-01-01T00:00:00Z", **keys.fields(expiration)}
    return Reply(200, json.dumps(body), {"Content-Type": "application/json"})


def serve_metadata(server: RouteServer, role: str, keys: Keys, *, token_required: bool = True) -> None:
    """The ECS metadata service in hardened mode: a token for a `PUT` with a TTL, and the role
    name and credentials only for a `GET` that carries it (any `GET` when not `token_required`)."""

    def token(seen: Seen) -> Reply:
        if not seen.headers.get("x-aliyun-ecs-metadata-token-ttl-seconds"):
            return Reply(400, "missing ttl")
        return Reply(200, METADATA_TOKEN)

    def guarded(reply: Reply) -> Callable[[Seen], Reply]:
        def answer(seen: Seen) -> Reply:
            if token_required and seen.headers.get("x-aliyun-ecs-metadata-token") != METADATA_TOKEN:
                return Reply(403, "token required")
            return reply

        return answer

    server.route("PUT", TOKEN_PATH, token)
    server.route("GET", ROLE_PATH, guarded(Reply(200, role)))
    server.route("GET", ROLE_PATH + role, guarded(success(keys)))


def metadata_calls(server: RouteServer) -> list[tuple[str, str, bool]]:
    """(method, path, carried a token) per request the metadata server saw."""
    return [(s.method, s.path, "x-aliyun-ecs-metadata-token" in s.headers) for s in server.seen]
