"""Alibaba Cloud KMS, shared gateway: RPC-style `GetPublicKey` (API 2016-01-20) behind the POP gateway,
and `AsymmetricSign`, `AsymmetricVerify`, `AsymmetricEncrypt`, `AsymmetricDecrypt` (`alibaba_operations.py`).

Both signatures are checked strictly, from what arrived on the wire:

- ACS3-HMAC-SHA256 (V3): `Authorization: ACS3-HMAC-SHA256 Credential=AK,SignedHeaders=...,Signature=...`,
  with `x-acs-action`, `x-acs-version`, `x-acs-date`, `x-acs-signature-nonce`,
  `x-acs-content-sha256` (must be the body's SHA-256); `host` and every `x-acs-*` header must be signed;
- the legacy RPC signature (HMAC-SHA1, SignatureVersion 1.0): `Action`, `Version`, `Format`,
  `AccessKeyId`, `SignatureMethod`, `SignatureVersion`, `SignatureNonce`, `Timestamp` and
  `Signature` in the query (and the form body, if any).

STS: the emulator's STS credentials are `STS.<access key id>`, the same secret and the token
`STS_TOKEN` below (`x-acs-security-token` for V3, `SecurityToken` for RPC). A timestamp more than
15 minutes off, or a nonce seen before, is refused.

Answers are JSON (`application/json;charset=utf-8`) with an `x-acs-request-id` header. Errors are
`{"RequestId","HostId","Code","Message","Recommend"}`, so the official SDK raises its usual
`ClientException`/`ServerException`:

| case | status | Code |
| --- | --- | --- |
| no signature at all | 400 | `MissingSignature` / `MissingAccessKeyId` |
| malformed `Authorization`, `host` or an `x-acs-*` header unsigned | 400 | `IncompleteSignature` |
| unsupported signature method or version | 400 | `InvalidSignatureMethod` / `InvalidSignatureVersion` |
| unknown access key | 404 | `InvalidAccessKeyId.NotFound` |
| STS access key without a token | 400 | `MissingSecurityToken` |
| a wrong token, or a token with a long-term key | 400 | `InvalidSecurityToken.MismatchWithAccessKey` |
| missing or malformed timestamp | 400 | `MissingTimestamp` / `InvalidTimeStamp.Format` |
| timestamp more than 15 minutes off | 400 | `InvalidTimeStamp.Expired` |
| nonce already used | 400 | `SignatureNonceUsed` |
| wrong secret, altered request or body | 400 | `SignatureDoesNotMatch` |
| unknown action / version | 404 / 400 | `InvalidAction.NotFound` / `InvalidVersion` |
| no `KeyId` / `KeyVersionId` | 400 | `MissingKeyId` / `MissingKeyVersionId` |
| a `DryRun` that is neither `true` nor `false` | 400 | `InvalidParameter` |
| unknown key, alias or key version | 404 | `Forbidden.KeyNotFound` |
| disabled key | 400 | `Forbidden.KeyNotEnabled` |
| `DryRun=true` on a request that would succeed | 400 | `DryRunOperationError` |
| no `Algorithm`, `Digest`, `Value`, `Plaintext` or `CiphertextBlob` an action needs | 400 | `Missing<Name>` |
| an algorithm, digest, Base64 value, plaintext or ciphertext that does not fit | 400 | `InvalidParameter` |

The signatures are rebuilt here from the vendor's rules (`acs3_string_to_sign`, `rpc_string_to_sign`),
and tests check them against the official SDK's own signer; the official
`alibabacloud-kms20160120` client is tested against this module too.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from werkzeug.wrappers import Request, Response

from kms_pubkey_emulator import wire
from kms_pubkey_emulator.keys import SpecInfo, StoredKey
from kms_pubkey_emulator.protocol import EmulatorState
from kms_pubkey_emulator.vendors import alibaba_operations
from kms_pubkey_emulator.vendors.alibaba_operations import AlibabaError

ACTION = "GetPublicKey"
# The asymmetric actions (parameters and answers from alibabacloud-kms20160120's models).
# The digest is always the caller's: the shared gateway signs digests only.
CRYPTO_ACTIONS = ("AsymmetricSign", "AsymmetricVerify", "AsymmetricEncrypt", "AsymmetricDecrypt")
API_VERSION = "2016-01-20"
CONTENT_TYPE = "application/json;charset=utf-8"
STS_PREFIX = "STS."
STS_TOKEN = "emulator-sts-token"
HOST_ID = "kms.cn-hangzhou.aliyuncs.com"
NONCONFORMING = "The request signature does not conform to Aliyun standards."
ACS3 = "ACS3-HMAC-SHA256"
DATE_FORMAT = "%Y-%m-%dT%H:%M:%SZ"
RPC_SIGNATURE_METHOD = "HMAC-SHA1"
RPC_SIGNATURE_VERSION = "1.0"


# Both gateways serve these keys (the dedicated one imports this table); EC_SM2 keys are made
# on demand only (`Emulator.create_key`).
KEY_SPECS: Mapping[str, SpecInfo] = {
    "RSA_2048": SpecInfo("RSA_2048", "SIGN/VERIFY", ("ENCRYPT/DECRYPT",)),
    "RSA_3072": SpecInfo("RSA_3072", "ENCRYPT/DECRYPT", ("SIGN/VERIFY",)),
    "EC_P256": SpecInfo("P256", "SIGN/VERIFY"),
    "EC_P256K": SpecInfo("SECP256K1", "SIGN/VERIFY"),
    "EC_SM2": SpecInfo("SM2", "SIGN/VERIFY", ("ENCRYPT/DECRYPT",)),
}


def sts_credentials(access_key_id: str) -> tuple[str, str]:
    """(STS access key id, security token) that the emulator accepts beside the long-term key."""
    return STS_PREFIX + access_key_id, STS_TOKEN


def _request_id() -> str:
    return str(uuid.uuid4()).upper()


def _json(body: Mapping[str, Any], status: int, request_id: str) -> Response:
    response = Response(json.dumps(body), status=status, content_type=CONTENT_TYPE)
    response.headers["x-acs-request-id"] = request_id
    return response


def _error(error: AlibabaError, request: Request) -> Response:
    request_id = _request_id()
    body = {
        "RequestId": request_id,
        "HostId": request.host or HOST_ID,
        "Code": error.code,
        "Message": error.message,
        "Recommend": f"https://api.aliyun.com/troubleshoot?q={error.code}&product=Kms&requestId={request_id}",
    }
    return _json(body, error.status, request_id)


def _query_pairs(request: Request) -> list[tuple[str, str]]:
    # The gateway reads the query form-encoded: a `+` is a space.
    return wire.query_pairs(wire.raw_target(request)[1], plus_as_space=True)


def _form_pairs(request: Request, body: bytes) -> list[tuple[str, str]]:
    if (request.mimetype or "") != "application/x-www-form-urlencoded" or not body:
        return []
    return wire.query_pairs(body.decode("utf-8", "replace"), plus_as_space=True)


def acs3_string_to_sign(request: Request, signed_headers: str) -> str:
    """V3: `ACS3-HMAC-SHA256\\n` + hex SHA-256 of METHOD, path, sorted query, the signed headers
    (trimmed; a repeated header's values sorted and joined by `,`), their names, and the
    `x-acs-content-sha256` the client declared (checked against the body separately)."""
    canonical = "\n".join(
        [
            request.method,
            wire.raw_target(request)[0] or "/",
            wire.canonical_query(_query_pairs(request)),
            wire.header_lines(request, signed_headers.split(";"), sort=True),
            signed_headers,
            request.headers.get("x-acs-content-sha256", ""),
        ]
    )
    return f"{ACS3}\n{wire.sha256_hex(canonical)}"


def rpc_string_to_sign(method: str, params: list[tuple[str, str]]) -> str:
    """RPC: `METHOD&%2F&` + the percent-encoded, key-sorted `k=v&...` of every parameter but Signature."""
    canonical = "&".join(
        f"{wire.pct(k)}={wire.pct(v)}" for k, v in sorted(params, key=lambda kv: kv[0]) if k != "Signature"
    )
    return f"{method}&{wire.pct('/')}&{wire.pct(canonical)}"


def rpc_signature(secret: str, to_sign: str) -> str:
    digest = hmac.new((secret + "&").encode("utf-8"), to_sign.encode("utf-8"), hashlib.sha1).digest()
    return base64.b64encode(digest).decode("ascii")


def _parse_time(value: str | None, missing: str) -> datetime:
    if not value:
        raise AlibabaError(missing, f"{missing.removeprefix('Missing')} is mandatory for this action.")
    try:
        return datetime.strptime(value, DATE_FORMAT).replace(tzinfo=UTC)
    except ValueError:
        raise AlibabaError(
            "InvalidTimeStamp.Format", f"Specified time stamp or date value is not well formatted: {value}."
        ) from None


def _check_time(when: datetime, state: EmulatorState) -> None:
    if not state.skew_ok(when):
        raise AlibabaError("InvalidTimeStamp.Expired", "Specified time stamp or date value is expired.")


def _check_access_key(access_key_id: str, token: str | None, state: EmulatorState) -> str:
    """The secret for a known access key; STS keys need the emulator's token."""
    config = state.config
    sts_id, sts_token = sts_credentials(config.access_key_id)
    if access_key_id == sts_id:
        if not token:
            raise AlibabaError("MissingSecurityToken", "SecurityToken is mandatory for this action.")
        if not hmac.compare_digest(token, sts_token):
            raise AlibabaError(
                "InvalidSecurityToken.MismatchWithAccessKey",
                "The Security Token does not match the AccessKeyId.",
            )
        return config.secret_access_key
    if access_key_id != config.access_key_id:
        raise AlibabaError("InvalidAccessKeyId.NotFound", "Specified access key is not found.", status=404)
    if token:
        raise AlibabaError(
            "InvalidSecurityToken.MismatchWithAccessKey", "The Security Token does not match the AccessKeyId."
        )
    return config.secret_access_key


def _check_nonce(access_key_id: str, nonce: str, state: EmulatorState) -> None:
    if not state.first_use_of_nonce(f"alibaba:{access_key_id}", nonce):
        raise AlibabaError("SignatureNonceUsed", "Specified signature nonce was used already.")


def _parse_acs3(value: str) -> tuple[str, str, str]:
    algorithm, _, rest = value.strip().partition(" ")
    if algorithm != ACS3:
        raise AlibabaError("InvalidSignatureMethod", f"Specified signature method {algorithm} is not valid.")
    fields = wire.auth_fields(rest)
    if not all(fields.get(name) for name in ("Credential", "SignedHeaders", "Signature")):
        raise AlibabaError("IncompleteSignature", NONCONFORMING)
    return fields["Credential"], fields["SignedHeaders"], fields["Signature"]


def verify_acs3(request: Request, body: bytes, state: EmulatorState) -> tuple[str, str, dict[str, str]]:
    """Check a V3 request; return (action, version, parameters)."""
    access_key_id, signed_headers, provided = _parse_acs3(request.headers["Authorization"])
    signed = signed_headers.split(";")
    present = {name.lower() for name, _ in request.headers.items()}
    unsigned = sorted(n for n in present if n.startswith("x-acs-") and n not in signed)
    if "host" not in signed or unsigned:
        raise AlibabaError(
            "IncompleteSignature",
            f"{NONCONFORMING} host and every x-acs-* header must be signed "
            f"(unsigned: {', '.join(unsigned) or 'host'}).",
        )
    when = _parse_time(request.headers.get("x-acs-date"), "MissingXAcsDate")
    nonce = request.headers.get("x-acs-signature-nonce")
    if not nonce:
        raise AlibabaError("MissingSignatureNonce", "SignatureNonce is mandatory for this action.")
    secret = _check_access_key(access_key_id, request.headers.get("x-acs-security-token"), state)
    _check_time(when, state)
    to_sign = acs3_string_to_sign(request, signed_headers)
    expected = wire.hmac_sha256(secret, to_sign).hex()
    if request.headers.get("x-acs-content-sha256") != wire.sha256_hex(body) or not wire.same(
        expected, provided
    ):
        raise AlibabaError("SignatureDoesNotMatch", f"{NONCONFORMING} server string to sign is:{to_sign}")
    _check_nonce(access_key_id, nonce, state)
    params = dict(_query_pairs(request))
    params.update(_form_pairs(request, body))
    return request.headers.get("x-acs-action", ""), request.headers.get("x-acs-version", ""), params


def verify_rpc(request: Request, body: bytes, state: EmulatorState) -> tuple[str, str, dict[str, str]]:
    """Check a legacy RPC (HMAC-SHA1) request; return (action, version, parameters)."""
    pairs = _query_pairs(request) + _form_pairs(request, body)
    params = dict(pairs)
    provided = params.get("Signature")
    if not provided:
        raise AlibabaError("MissingSignature", "Signature is mandatory for this action.")
    access_key_id = params.get("AccessKeyId")
    if not access_key_id:
        raise AlibabaError("MissingAccessKeyId", "AccessKeyId is mandatory for this action.")
    if params.get("SignatureMethod") != RPC_SIGNATURE_METHOD:
        raise AlibabaError(
            "InvalidSignatureMethod",
            f"Specified signature method {params.get('SignatureMethod')} is not valid.",
        )
    if params.get("SignatureVersion") != RPC_SIGNATURE_VERSION:
        raise AlibabaError(
            "InvalidSignatureVersion",
            f"Specified signature version {params.get('SignatureVersion')} is not valid.",
        )
    when = _parse_time(params.get("Timestamp"), "MissingTimestamp")
    nonce = params.get("SignatureNonce")
    if not nonce:
        raise AlibabaError("MissingSignatureNonce", "SignatureNonce is mandatory for this action.")
    secret = _check_access_key(access_key_id, params.get("SecurityToken"), state)
    _check_time(when, state)
    to_sign = rpc_string_to_sign(request.method, pairs)
    if not wire.same(rpc_signature(secret, to_sign), provided):
        raise AlibabaError(
            "SignatureDoesNotMatch",
            f"Specified signature is not matched with our calculation. server string to sign is:{to_sign}",
        )
    _check_nonce(access_key_id, nonce, state)
    return params.get("Action", ""), params.get("Version", ""), params


def _resolve(key_id: str, key_version_id: str, state: EmulatorState) -> StoredKey:
    store = state.keys
    if key_id.startswith("alias/"):
        key = store.by_alias(PROTOCOL.name, key_id)
    else:
        key = store.get(PROTOCOL.name, key_id)
    if key is None:
        raise AlibabaError("Forbidden.KeyNotFound", "The specified Key is not found.", status=404)
    if key_version_id != key.key_version_id:
        raise AlibabaError("Forbidden.KeyNotFound", "The specified KeyVersion is not found.", status=404)
    return key


class AlibabaProtocol:
    """Alibaba Cloud KMS shared gateway (`x-acs-action` header or `Action=` in the query)."""

    name = "alibaba"
    key_specs = KEY_SPECS

    def matches(self, request: Request) -> bool:
        if "x-kms-apiname" in request.headers:  # the dedicated gateway
            return False
        return "x-acs-action" in request.headers or "Action" in request.args

    def handle(self, request: Request, state: EmulatorState) -> Response:
        try:
            body = request.get_data(cache=True)
            authorization = request.headers.get("Authorization", "")
            if authorization.startswith("ACS3-") or ("x-acs-action" in request.headers and authorization):
                action, version, params = verify_acs3(request, body, state)
            else:
                action, version, params = verify_rpc(request, body, state)
            if action != ACTION and action not in CRYPTO_ACTIONS:
                raise AlibabaError(
                    "InvalidAction.NotFound",
                    f"Specified api is not found, please check your url and method. Action: {action}",
                    status=404,
                )
            if version != API_VERSION:
                raise AlibabaError("InvalidVersion", "Specified parameter Version is not valid.")
            key = self._key(params, state)
            request_id = _request_id()
            answer: dict[str, Any] = {
                "KeyId": key.key_id,
                "KeyVersionId": key.key_version_id,
                "RequestId": request_id,
            }
            answer.update(self._answer(action, params, key))
            return _json(answer, 200, request_id)
        except AlibabaError as error:
            return _error(error, request)

    def _answer(self, action: str, params: Mapping[str, str], key: StoredKey) -> dict[str, Any]:
        if action == ACTION:
            return {"PublicKey": key.public_key_pem}
        algorithm = _required(params, "Algorithm")
        if action == "AsymmetricSign":
            signature = alibaba_operations.sign(key, algorithm, _blob(params, "Digest"), "DIGEST")
            return {"Value": _b64(signature)}
        if action == "AsymmetricVerify":
            digest, signature = _blob(params, "Digest"), _blob(params, "Value")
            return {"Value": alibaba_operations.verify(key, algorithm, signature, digest, "DIGEST")}
        if action == "AsymmetricEncrypt":
            ciphertext = alibaba_operations.encrypt(key, algorithm, _blob(params, "Plaintext"))
            return {"CiphertextBlob": _b64(ciphertext)}
        plaintext = alibaba_operations.decrypt(key, algorithm, _blob(params, "CiphertextBlob"))
        return {"Plaintext": _b64(plaintext)}

    def _key(self, params: Mapping[str, str], state: EmulatorState) -> StoredKey:
        """The enabled key `KeyId` and `KeyVersionId` name; `DryRun=true` stops here."""
        key_id, key_version_id = params.get("KeyId"), params.get("KeyVersionId")
        if not key_id:
            raise AlibabaError("MissingKeyId", "KeyId is mandatory for this action.")
        if not key_version_id:
            raise AlibabaError("MissingKeyVersionId", "KeyVersionId is mandatory for this action.")
        dry_run = params.get("DryRun", "false").lower()
        if dry_run not in ("true", "false"):
            raise AlibabaError("InvalidParameter", "The specified parameter DryRun is not valid.")
        key = _resolve(key_id, key_version_id, state)
        if not key.enabled:
            raise AlibabaError("Forbidden.KeyNotEnabled", "The specified Key is not enabled.")
        if dry_run == "true":
            raise AlibabaError(
                "DryRunOperationError",
                "The request would have succeeded, but the DryRun flag is set.",
            )
        return key


def _required(params: Mapping[str, str], name: str) -> str:
    value = params.get(name)
    if not value:
        raise AlibabaError(f"Missing{name}", f"{name} is mandatory for this action.")
    return value


def _blob(params: Mapping[str, str], name: str) -> bytes:
    """A Base64 parameter (the models say Digest, Value, Plaintext and CiphertextBlob are Base64)."""
    try:
        return base64.b64decode(_required(params, name), validate=True)
    except (binascii.Error, ValueError):
        raise alibaba_operations.invalid(name, " It is not Base64.") from None


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


PROTOCOL = AlibabaProtocol()
