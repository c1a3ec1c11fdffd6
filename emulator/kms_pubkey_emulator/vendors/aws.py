"""AWS KMS, JSON 1.1 protocol: `TrentService.GetPublicKey`, with SigV4 checked as AWS checks it,
and Sign, Verify, Encrypt, Decrypt and DeriveSharedSecret (`aws_operations.py`).

Error answers are HTTP 400 with `Content-Type: application/x-amz-json-1.1`, a body
`{"__type": "<Code>", "message": "..."}` and an `x-amzn-RequestId` header, as KMS sends them:

- no `Authorization` header: `MissingAuthenticationTokenException`;
- a malformed `Authorization` header or an unsigned `host`/`x-amz-date`: `IncompleteSignatureException`;
- an unknown access key or any session token: `UnrecognizedClientException`
  ("The security token included in the request is invalid.");
- a timestamp more than 15 minutes off: `InvalidSignatureException` ("Signature expired: ...");
- a wrong scope or signature: `InvalidSignatureException`;
- an unknown target: `UnknownOperationException`; a body that is not a JSON object: `SerializationException`;
- an unknown key, alias or malformed key id: `NotFoundException`; a disabled key: `DisabledException`.
"""

from __future__ import annotations

import base64
import json
import re
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from werkzeug.wrappers import Request, Response

from kms_pubkey_emulator import wire
from kms_pubkey_emulator.keys import SpecInfo, StoredKey
from kms_pubkey_emulator.protocol import EmulatorState
from kms_pubkey_emulator.vendors.aws_operations import OPERATIONS, AwsError, algorithms

CONTENT_TYPE = "application/x-amz-json-1.1"
TARGET_PREFIX = "TrentService."
SERVICE = "kms"
ALGORITHM = "AWS4-HMAC-SHA256"
AMZ_DATE = "%Y%m%dT%H%M%SZ"
_REGION = re.compile(r"^[a-z]{2}(-[a-z]+)+-\d+$")
_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
_KEY_ARN = re.compile(r"^arn:aws[a-z-]*:kms:([^:]+):(\d{12}):key/(.+)$")
_ALIAS_ARN = re.compile(r"^arn:aws[a-z-]*:kms:([^:]+):(\d{12}):(alias/.+)$")

# The deprecated CustomerMasterKeySpec enum stops at SM2; newer specs are answered without it.
_LEGACY_SPECS = frozenset(
    {
        "RSA_2048",
        "RSA_3072",
        "RSA_4096",
        "ECC_NIST_P256",
        "ECC_NIST_P384",
        "ECC_NIST_P521",
        "ECC_SECG_P256K1",
        "SM2",
    }
)


def _json_response(body: Mapping[str, Any], status: int = 200) -> Response:
    response = Response(json.dumps(body), status=status, content_type=CONTENT_TYPE)
    response.headers["x-amzn-RequestId"] = str(uuid.uuid4())
    return response


def _error(error: AwsError) -> Response:
    body: dict[str, Any] = {"__type": error.code}
    if error.message is not None:
        body["message"] = error.message
    return _json_response(body, error.status)


def _parse_authorization(value: str) -> tuple[str, str, str]:
    """(credential, signed headers, signature) from `AWS4-HMAC-SHA256 Credential=..., ...`."""
    algorithm, _, rest = value.strip().partition(" ")
    if algorithm != ALGORITHM:
        raise AwsError("IncompleteSignatureException", f"Unsupported AWS 'algorithm': '{algorithm}'.")
    fields = wire.auth_fields(rest)
    missing = [
        f"Authorization header requires '{name}' parameter."
        for name in ("Credential", "Signature", "SignedHeaders")
        if not fields.get(name)
    ]
    if missing:
        raise AwsError("IncompleteSignatureException", " ".join([*missing, f"Authorization={value}"]))
    return fields["Credential"], fields["SignedHeaders"], fields["Signature"]


def _stamp(value: str) -> datetime:
    return datetime.strptime(value, AMZ_DATE).replace(tzinfo=UTC)


def _amz(when: datetime) -> str:
    return when.strftime(AMZ_DATE)


def canonical_request(request: Request, signed_headers: str, body: bytes) -> str:
    """SigV4's canonical request, from the wire: the path is encoded once more, as botocore
    does for every service but S3; the signed-header list is the client's, even for a
    header that did not arrive (so such a request fails the comparison, as at AWS)."""
    raw_path, raw_query = wire.raw_target(request)
    names = signed_headers.split(";")
    return "\n".join(
        [
            request.method,
            wire.pct(raw_path or "/", safe="/"),
            wire.canonical_query(wire.query_pairs(raw_query)),
            wire.header_lines(request, names, collapse=True),
            signed_headers,
            wire.sha256_hex(body),
        ]
    )


def string_to_sign(stamp: str, scope: str, canonical: str) -> str:
    return f"{ALGORITHM}\n{stamp}\n{scope}\n{wire.sha256_hex(canonical)}"


def signature(secret: str, scope_date: str, region: str, service: str, to_sign: str) -> str:
    """HMAC-SHA256 under the key derived AWS4<secret> -> date -> region -> service -> aws4_request."""
    key = ("AWS4" + secret).encode("utf-8")
    for part in (scope_date, region, service, "aws4_request"):
        key = wire.hmac_sha256(key, part)
    return wire.hmac_sha256(key, to_sign).hex()


def _check_clock(stamp: str, state: EmulatorState) -> None:
    when = _stamp(stamp)
    now = state.now().astimezone(UTC)
    skew = state.config.max_skew
    minutes = int(skew / timedelta(minutes=1))
    if when < now - skew:
        raise AwsError(
            "InvalidSignatureException",
            f"Signature expired: {stamp} is now earlier than {_amz(now - skew)} "
            f"({_amz(now)} - {minutes} min.)",
        )
    if when > now + skew:
        raise AwsError(
            "InvalidSignatureException",
            f"Signature not yet current: {stamp} is still later than {_amz(now + skew)} "
            f"({_amz(now)} + {minutes} min.)",
        )


def verify_sigv4(request: Request, body: bytes, state: EmulatorState) -> str:
    """Check the request's SigV4 signature exactly; return the region it was signed for."""
    header = request.headers.get("Authorization")
    if not header:
        raise AwsError("MissingAuthenticationTokenException", "Missing Authentication Token")
    credential, signed_headers, provided = _parse_authorization(header)
    parts = credential.split("/")
    if len(parts) != 5:
        raise AwsError(
            "IncompleteSignatureException",
            "Credential must have exactly 5 slash-delimited elements, "
            f"e.g. keyid/date/region/service/term, got '{credential}'",
        )
    access_key, scope_date, region, service, terminator = parts
    stamp = request.headers.get("X-Amz-Date")
    signed = signed_headers.split(";")
    if not stamp:
        raise AwsError(
            "IncompleteSignatureException",
            "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. "
            f"Authorization={header}",
        )
    if "host" not in signed:
        raise AwsError(
            "IncompleteSignatureException",
            "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.",
        )
    if "x-amz-date" not in signed:
        raise AwsError(
            "IncompleteSignatureException", "'X-Amz-Date' must be a 'SignedHeader' in the AWS Authorization."
        )
    try:
        _stamp(stamp)
    except ValueError:
        raise AwsError(
            "IncompleteSignatureException", f"Date must be in ISO-8601 'basic format'. Got '{stamp}'."
        ) from None
    config = state.config
    if access_key != config.access_key_id or request.headers.get("X-Amz-Security-Token") is not None:
        raise AwsError(
            "UnrecognizedClientException", "The security token included in the request is invalid."
        )
    _check_clock(stamp, state)
    if scope_date != stamp[:8]:
        raise AwsError(
            "InvalidSignatureException",
            "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: "
            f"'{scope_date}' != '{stamp[:8]}', from '{stamp}'.",
        )
    if not _REGION.match(region):
        raise AwsError("InvalidSignatureException", "Credential should be scoped to a valid region. ")
    if service != SERVICE:
        raise AwsError(
            "InvalidSignatureException", f"Credential should be scoped to correct service: '{SERVICE}'. "
        )
    if terminator != "aws4_request":
        raise AwsError(
            "InvalidSignatureException",
            "Credential should be scoped with a valid terminator: 'aws4_request'. ",
        )
    canonical = canonical_request(request, signed_headers, body)
    to_sign = string_to_sign(stamp, f"{scope_date}/{region}/{service}/aws4_request", canonical)
    expected = signature(config.secret_access_key, scope_date, region, service, to_sign)
    if not wire.same(expected, provided):
        raise AwsError(
            "InvalidSignatureException",
            "The request signature we calculated does not match the signature you provided. "
            "Check your AWS Secret Access Key and signing method. "
            "Consult the service documentation for details."
            f"\n\nThe Canonical String for this request should have been\n'{canonical}'\n\n"
            f"The String-to-Sign should have been\n'{to_sign}'\n",
        )
    return region


class AwsProtocol:
    """AWS KMS GetPublicKey over JSON 1.1 (`X-Amz-Target: TrentService.*`)."""

    name = "aws"
    key_specs: Mapping[str, SpecInfo] = {
        # Usages per spec as the KMS developer guide's key spec table allows them.
        "RSA_2048": SpecInfo("RSA_2048", "SIGN_VERIFY", ("ENCRYPT_DECRYPT",)),
        "RSA_3072": SpecInfo("RSA_3072", "SIGN_VERIFY", ("ENCRYPT_DECRYPT",)),
        "RSA_4096": SpecInfo("RSA_4096", "ENCRYPT_DECRYPT", ("SIGN_VERIFY",)),
        "ECC_NIST_P256": SpecInfo("P256", "SIGN_VERIFY", ("KEY_AGREEMENT",)),
        "ECC_NIST_P384": SpecInfo("P384", "SIGN_VERIFY", ("KEY_AGREEMENT",)),
        "ECC_NIST_P521": SpecInfo("P521", "KEY_AGREEMENT", ("SIGN_VERIFY",)),
        "ECC_SECG_P256K1": SpecInfo("SECP256K1", "SIGN_VERIFY"),
        "ECC_NIST_EDWARDS25519": SpecInfo("ED25519", "SIGN_VERIFY"),
        "SM2": SpecInfo("SM2", "SIGN_VERIFY", ("ENCRYPT_DECRYPT",)),  # made on demand only
        "ML_DSA_44": SpecInfo("ML_DSA_44", "SIGN_VERIFY"),
        "ML_DSA_65": SpecInfo("ML_DSA_65", "SIGN_VERIFY"),
        "ML_DSA_87": SpecInfo("ML_DSA_87", "SIGN_VERIFY"),
        "ML_KEM_512": SpecInfo("ML_KEM_512", "ENCAPSULATE_DECAPSULATE"),
        "ML_KEM_768": SpecInfo("ML_KEM_768", "ENCAPSULATE_DECAPSULATE"),
        "ML_KEM_1024": SpecInfo("ML_KEM_1024", "ENCAPSULATE_DECAPSULATE"),
    }

    def matches(self, request: Request) -> bool:
        return "X-Amz-Target" in request.headers

    def handle(self, request: Request, state: EmulatorState) -> Response:
        try:
            body = request.get_data(cache=True)
            region = verify_sigv4(request, body, state)
            target = request.headers.get("X-Amz-Target", "")
            operation = target.removeprefix(TARGET_PREFIX) if target.startswith(TARGET_PREFIX) else ""
            if operation != "GetPublicKey" and operation not in OPERATIONS:
                # Real KMS sends no message here; naming the operation helps, and SDKs ignore it.
                raise AwsError("UnknownOperationException", f"Unknown operation: {target or '(none)'}")
            try:
                payload = json.loads(body or b"{}")
            except ValueError:
                payload = None
            if not isinstance(payload, dict):
                raise AwsError(
                    "SerializationException", "Start of structure or map found where not expected."
                )
            if operation == "GetPublicKey":
                return _json_response(self._get_public_key(payload, region, state))
            if operation == "Decrypt" and payload.get("KeyId") is None:
                # An asymmetric ciphertext carries no key id; without KeyId KMS reads it as a
                # symmetric one, which it is not.
                raise AwsError("InvalidCiphertextException", None)
            key, arn = self._enabled_key(payload, region, state)
            if not key.has_private_key:
                raise AwsError(
                    "KeyUnavailableException", f"{arn} is unavailable (no private key in the state file)."
                )
            return _json_response(OPERATIONS[operation](payload, key, arn))
        except AwsError as error:
            return _error(error)

    def _arn(self, region: str, state: EmulatorState, resource: str) -> str:
        return f"arn:aws:kms:{region}:{state.config.aws_account_id}:{resource}"

    def resolve(self, key_id: str, region: str, state: EmulatorState) -> StoredKey:
        """Find the key for a key id, key ARN, alias name or alias ARN, as KMS resolves them."""
        account = state.config.aws_account_id
        store = state.keys
        key: StoredKey | None
        if match := _KEY_ARN.match(key_id):
            arn_region, arn_account, bare = match.groups()
            key = store.get(self.name, bare) if (arn_region, arn_account) == (region, account) else None
            if key is None:
                raise AwsError("NotFoundException", f"Key '{key_id}' does not exist")
        elif match := _ALIAS_ARN.match(key_id):
            arn_region, arn_account, alias = match.groups()
            key = store.by_alias(self.name, alias) if (arn_region, arn_account) == (region, account) else None
            if key is None:
                raise AwsError("NotFoundException", f"Alias {key_id} is not found.")
        elif key_id.startswith("alias/"):
            key = store.by_alias(self.name, key_id)
            if key is None:
                raise AwsError("NotFoundException", f"Alias {self._arn(region, state, key_id)} is not found.")
        elif _UUID.match(key_id):
            key = store.get(self.name, key_id)
            if key is None:
                raise AwsError(
                    "NotFoundException", f"Key '{self._arn(region, state, 'key/' + key_id)}' does not exist"
                )
        else:
            raise AwsError("NotFoundException", f"Invalid keyId '{key_id}'")
        return key

    def _enabled_key(
        self, payload: Mapping[str, Any], region: str, state: EmulatorState
    ) -> tuple[StoredKey, str]:
        """The request's `KeyId` (checked as the model constrains it), resolved, enabled; and its ARN."""
        key_id = payload.get("KeyId")
        if not isinstance(key_id, str):
            raise AwsError(
                "ValidationException",
                "1 validation error detected: Value null at 'keyId' failed to satisfy constraint: "
                "Member must not be null",
            )
        if not 1 <= len(key_id) <= 2048:
            raise AwsError(
                "ValidationException",
                f"1 validation error detected: Value '{key_id}' at 'keyId' failed to satisfy constraint: "
                "Member must have length less than or equal to 2048",
            )
        key = self.resolve(key_id, region, state)
        arn = self._arn(region, state, "key/" + key.key_id)
        if not key.enabled:
            raise AwsError("DisabledException", f"{arn} is disabled.")
        return key, arn

    def _get_public_key(
        self, payload: Mapping[str, Any], region: str, state: EmulatorState
    ) -> dict[str, Any]:
        key, arn = self._enabled_key(payload, region, state)
        answer: dict[str, Any] = {
            "KeyId": arn,
            "PublicKey": base64.b64encode(key.public_der).decode("ascii"),
            "KeySpec": key.key_spec,
            "KeyUsage": key.key_usage,
        }
        if key.key_spec in _LEGACY_SPECS:
            answer["CustomerMasterKeySpec"] = key.key_spec
        answer.update(algorithms(key))
        return answer


PROTOCOL = AwsProtocol()
