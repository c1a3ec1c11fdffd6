"""Huawei Cloud KMS: `POST /v1.0/{project_id}/kms/get-publickey` (ShowPublicKey), and `sign`,
`verify`, `encrypt-data`, `decrypt-data` (`huawei_operations.py`).

Auth, checked as the API gateway checks it:
- AK/SK: `Authorization: SDK-HMAC-SHA256 Access=AK, SignedHeaders=a;b, Signature=hex` over the
  canonical request (the canonical URI always ends in '/'); `host` and `x-sdk-date` must be
  signed, and `X-Sdk-Date` (`%Y%m%dT%H%M%SZ`) must be within 15 minutes of now;
- token: `X-Auth-Token` equal to the emulator's token.

Answers:
- gateway errors carry the fields at the top level, `{"error_code": "APIGW.xxxx", "error_msg": ...,
  "request_id": ...}`: 401 APIGW.0301 for any authentication failure (no credentials, unknown AK,
  bad signature, expired timestamp, wrong token, a project id the credentials do not own),
  404 APIGW.0101 for a path or method that is not an API;
- KMS errors are 400 `{"error": {"error_code": "KMS.xxxx", "error_msg": ...}}`: KMS.0202 a body that
  is not JSON, KMS.0204 no key_id, KMS.0205 a malformed key_id, KMS.0206 a sequence that is not
  36 bytes, KMS.0207 an unknown key, KMS.0209 a disabled key (codes from the KMS API reference);
- success is 200 `{"key_id", "public_key"}`; an RSA key is sent as the API reference shows it, a
  PKCS#1 body under a `PUBLIC KEY` label with CRLF line ends, other keys as SPKI PEM with CRLF.
Every answer has an `X-Request-Id` header.
"""

from __future__ import annotations

import base64
import hmac
import json
import re
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import unquote

from werkzeug.wrappers import Request, Response

from kms_pubkey_emulator import wire
from kms_pubkey_emulator.keys import SpecInfo, StoredKey
from kms_pubkey_emulator.protocol import EmulatorState
from kms_pubkey_emulator.vendors.huawei_operations import INVALID_PARAMETER, OPERATIONS, KmsRefusal

# Every KMS API path is /v<version>/{project_id}/kms/...; only one of them is published here.
_KMS_PATH = re.compile(r"^/v[0-9.]+/[^/]+/kms(/|$)")
_PATH = re.compile(r"^/v1\.0/([^/]+)/kms/(get-publickey|sign|verify|encrypt-data|decrypt-data)$")
_KEY_ID = re.compile(r"[0-9a-z]{8}-[0-9a-z]{4}-[0-9a-z]{4}-[0-9a-z]{4}-[0-9a-z]{12}")
_AUTH = re.compile(
    r"^SDK-HMAC-SHA256\s+Access=([^,\s]+),\s*SignedHeaders=([^,\s]+),\s*Signature=([0-9a-f]{64})$"
)
CONTENT_TYPE = "application/json;charset=UTF-8"
IAM_ERROR = "Incorrect IAM authentication information"
ALGORITHM = "SDK-HMAC-SHA256"
DATE_FORMAT = "%Y%m%dT%H%M%SZ"
DATE_HEADER = "X-Sdk-Date"
CONTENT_HASH_HEADER = "X-Sdk-Content-Sha256"
PROJECT_HEADER = "X-Project-Id"
SECURITY_TOKEN_HEADER = "X-Security-Token"
AUTH_TOKEN_HEADER = "X-Auth-Token"


class HuaweiError(Exception):
    def __init__(self, status: int, code: str, message: str, *, gateway: bool) -> None:
        super().__init__(code)
        self.status = status
        self.code = code
        self.message = message
        self.gateway = gateway


def _gateway(message: str, status: int = 401, code: str = "APIGW.0301") -> HuaweiError:
    return HuaweiError(status, code, message, gateway=True)


def _kms(code: str, message: str, status: int = 400) -> HuaweiError:
    return HuaweiError(status, code, message, gateway=False)


def _respond(body: Mapping[str, Any], status: int, request_id: str) -> Response:
    response = Response(json.dumps(body), status=status, content_type=CONTENT_TYPE)
    response.headers["X-Request-Id"] = request_id
    return response


def _error(error: HuaweiError, request_id: str) -> Response:
    if error.gateway:
        body: dict[str, Any] = {
            "error_code": error.code,
            "error_msg": error.message,
            "request_id": request_id,
        }
    else:
        body = {"error": {"error_code": error.code, "error_msg": error.message}}
    return _respond(body, error.status, request_id)


def _pem_crlf(label: str, der: bytes) -> str:
    body = base64.b64encode(der).decode("ascii")
    lines = [body[i : i + 64] for i in range(0, len(body), 64)]
    return f"-----BEGIN {label}-----\r\n" + "\r\n".join(lines) + f"\r\n-----END {label}-----\r\n"


def public_key_text(key: StoredKey) -> str:
    """The key as the API reference shows it: PKCS#1 under a PUBLIC KEY label for RSA, else SPKI."""
    if key.algorithm.startswith("RSA_"):
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.serialization import load_der_public_key

        pkcs1 = load_der_public_key(key.public_der).public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.PKCS1
        )
        return _pem_crlf("PUBLIC KEY", pkcs1)
    return _pem_crlf("PUBLIC KEY", key.public_der)


def string_to_sign(request: Request, signed: list[str], body: bytes) -> str:
    """SDK-HMAC-SHA256 over METHOD, the path with each segment percent-encoded and a `/` always at
    the end, the sorted query, the signed headers (trimmed), their names, and the body's SHA-256
    (the `X-Sdk-Content-Sha256` value instead, when the client sent one with a body)."""
    raw_path, raw_query = wire.raw_target(request)
    path = "/".join(wire.pct(segment) for segment in unquote(raw_path).split("/"))
    content_hash = request.headers.get(CONTENT_HASH_HEADER)
    canonical = "\n".join(
        [
            request.method,
            path if path.endswith("/") else path + "/",
            wire.canonical_query(wire.query_pairs(raw_query)),
            wire.header_lines(request, signed),
            ";".join(signed),
            content_hash if body and content_hash else wire.sha256_hex(body),
        ]
    )
    return f"{ALGORITHM}\n{request.headers.get(DATE_HEADER, '')}\n{wire.sha256_hex(canonical)}"


def _check_clock(stamp: str | None, state: EmulatorState) -> None:
    if not stamp:
        raise _gateway(f"{IAM_ERROR}: x-sdk-date not found")
    try:
        when = datetime.strptime(stamp, DATE_FORMAT).replace(tzinfo=UTC)
    except ValueError:
        raise _gateway(f"{IAM_ERROR}: x-sdk-date is not in the format yyyyMMddTHHmmssZ") from None
    if not state.skew_ok(when):
        raise _gateway(f"{IAM_ERROR}: the request has expired, x-sdk-date is more than 15 minutes off")


def verify_aksk(request: Request, body: bytes, authorization: str, state: EmulatorState) -> None:
    config = state.config
    match = _AUTH.fullmatch(authorization.strip())
    if match is None:
        raise _gateway(f"{IAM_ERROR}: the Authorization header is malformed")
    access, signed_list, provided = match.groups()
    if access != config.access_key_id:
        raise _gateway(f"{IAM_ERROR}: Get secretKey failed,ak:******,err:ak not exist")
    if request.headers.get(SECURITY_TOKEN_HEADER) is not None:
        # The emulator issues no temporary credentials, so any security token is unknown.
        raise _gateway(f"{IAM_ERROR}: the security token is invalid")
    signed = signed_list.split(";")
    if "host" not in signed or "x-sdk-date" not in signed or signed != sorted(signed):
        raise _gateway(f"{IAM_ERROR}: host and x-sdk-date must be signed")
    _check_clock(request.headers.get(DATE_HEADER), state)
    if any(name not in request.headers for name in signed):
        raise _gateway(f"{IAM_ERROR}: verify aksk signature fail")
    expected = wire.hmac_sha256(config.secret_access_key, string_to_sign(request, signed, body)).hex()
    if not wire.same(expected, provided):
        raise _gateway(f"{IAM_ERROR}: verify aksk signature fail")
    project = request.headers.get(PROJECT_HEADER)
    if project is not None and project != config.huawei_project_id:
        raise _gateway(f"{IAM_ERROR}: the project id does not belong to the access key")


def authenticate(request: Request, body: bytes, project_id: str, state: EmulatorState) -> None:
    token = request.headers.get(AUTH_TOKEN_HEADER)
    authorization = request.headers.get("Authorization")
    if token is not None:
        if not hmac.compare_digest(token.encode(), state.config.huawei_token.encode()):
            raise _gateway(f"{IAM_ERROR}: decrypt token fail")
    elif authorization is not None:
        verify_aksk(request, body, authorization, state)
    else:
        raise _gateway(f"{IAM_ERROR}: x-auth-token not found")
    if project_id != state.config.huawei_project_id:
        raise _gateway(f"{IAM_ERROR}: the project id in the URL does not belong to the credentials")


class HuaweiProtocol:
    name = "huawei"
    # Asymmetric specs from huaweicloudsdkkms CreateKeyRequestBody.key_spec; SM2 keys are made
    # on demand only (`Emulator.create_key`).
    key_specs: Mapping[str, SpecInfo] = {
        "RSA_2048": SpecInfo("RSA_2048", "SIGN_VERIFY", ("ENCRYPT_DECRYPT",)),
        "RSA_3072": SpecInfo("RSA_3072", "ENCRYPT_DECRYPT", ("SIGN_VERIFY",)),
        "RSA_4096": SpecInfo("RSA_4096", "SIGN_VERIFY", ("ENCRYPT_DECRYPT",)),
        "EC_P256": SpecInfo("P256", "SIGN_VERIFY"),
        "EC_P384": SpecInfo("P384", "SIGN_VERIFY"),
        "SECP256K1": SpecInfo("SECP256K1", "SIGN_VERIFY"),
        "SM2": SpecInfo("SM2", "SIGN_VERIFY", ("ENCRYPT_DECRYPT",)),
        "ED25519": SpecInfo("ED25519", "SIGN_VERIFY"),
    }

    def matches(self, request: Request) -> bool:
        return _KMS_PATH.match(request.path) is not None

    def handle(self, request: Request, state: EmulatorState) -> Response:
        request_id = uuid.uuid4().hex
        try:
            match = _PATH.match(request.path)
            if match is None or request.method != "POST":
                raise _gateway(
                    "The API does not exist or has not been published in the environment", 404, "APIGW.0101"
                )
            body = request.get_data(cache=True)
            authenticate(request, body, match.group(1), state)
            params, key = self._key(body, state)
            if match.group(2) == "get-publickey":
                return _respond({"key_id": key.key_id, "public_key": public_key_text(key)}, 200, request_id)
            if not key.has_private_key:
                raise _kms(INVALID_PARAMETER, "The key has no private key in the emulator's state file.")
            return _respond(OPERATIONS[match.group(2)](params, key), 200, request_id)
        except KmsRefusal as refusal:
            return _error(_kms(refusal.code, refusal.message), request_id)
        except HuaweiError as error:
            return _error(error, request_id)

    def _key(self, body: bytes, state: EmulatorState) -> tuple[dict[str, Any], StoredKey]:
        """The JSON body and the enabled key its `key_id` names (every operation has one)."""
        try:
            params = json.loads(body)
        except ValueError:
            params = None
        if not isinstance(params, dict):
            raise _kms("KMS.0202", "The JSON format of the request message is invalid.")
        key_id = params.get("key_id")
        if key_id is None:
            raise _kms("KMS.0204", "The request message lacks required parameters.")
        if not isinstance(key_id, str) or not _KEY_ID.fullmatch(key_id):
            raise _kms("KMS.0205", "Invalid key_id.")
        sequence = params.get("sequence")
        if sequence is not None and (not isinstance(sequence, str) or len(sequence.encode("utf-8")) != 36):
            raise _kms("KMS.0206", "Invalid sequence.")
        key = state.keys.get(self.name, key_id)
        if key is None:
            raise _kms("KMS.0207", "The key does not exist.")
        if not key.enabled:
            raise _kms("KMS.0209", "The key has been disabled and cannot be used.")
        return params, key


PROTOCOL = HuaweiProtocol()
