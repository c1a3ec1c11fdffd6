"""KMS instance error answers (a protobuf `Error` message) onto the hierarchy.

Codes are the vendor's "KMS Instance API" common error codes and the official client's
retry rule (`Rejected.Throttling` is the one error it retries). A code we do not know is
classed by HTTP status alone (401/403 auth, 404 not found, 429 throttling).
"""

from __future__ import annotations

import httpx

from kms_pubkey.errors import ApiError, AuthError, NotFoundError, ThrottlingError
from kms_pubkey.transport import class_for_status, http_fallback_error, parse_retry_after
from kms_pubkey_alibaba.instance_proto import Error, ProtobufError

VENDOR = "alibaba"

NOT_FOUND = frozenset({"Forbidden.KeyNotFound", "Forbidden.AliasNotFound", "Forbidden.ResourceNotFound"})
AUTH = frozenset(
    {
        "Rejected.Unauthorized",
        "Forbidden.NoPermission",
        "Forbidden.AccessDenied",
        "InvalidAccessKeyId",
        "InvalidAccessKeyId.NotFound",
        "IncompleteSignature",
        "SignatureDoesNotMatch",
        "InvalidSignature",
        "RequestTimeTooSkewed",
    }
)
THROTTLING = frozenset({"Rejected.Throttling", "Throttling", "Throttling.User"})


def error_class(code: str | None, status: int) -> type[ApiError]:
    if code in NOT_FOUND:
        return NotFoundError
    if code in AUTH:
        return AuthError
    if code in THROTTLING:
        return ThrottlingError
    return class_for_status(status)


def decode_error(response: httpx.Response) -> ApiError:
    try:
        error = Error.decode(response.content)
    except ProtobufError:
        error = Error()
    request_id = error.request_id or None
    if not error.error_code:
        return http_fallback_error(response, VENDOR, request_id)
    cls = error_class(error.error_code, response.status_code)
    return cls(
        error.error_message,
        vendor=VENDOR,
        status_code=response.status_code,
        code=error.error_code,
        request_id=request_id,
        retry_after=parse_retry_after(response.headers.get("retry-after")),
    )
