"""KMS instance error answers (a protobuf `Error` message) onto the hierarchy.

Codes are the vendor's "KMS Instance API" common error codes and the official client's
retry rule (`Rejected.Throttling` is the one error it retries). A code we do not know is
classed by HTTP status alone (401/403 auth, 404 not found, 429 throttling).
"""

from __future__ import annotations

import httpx

from kms_pubkey.errors import ApiError, AuthError, NotFoundError, ThrottlingError
from kms_pubkey.vendor import ClockSkew, ErrorFields
from kms_pubkey_alibaba.instance.proto import Error

VENDOR = "alibaba"

_AUTH = (
    "Rejected.Unauthorized Forbidden.NoPermission Forbidden.AccessDenied InvalidAccessKeyId "
    "InvalidAccessKeyId.NotFound IncompleteSignature SignatureDoesNotMatch InvalidSignature "
    "RequestTimeTooSkewed"
)
ERROR_CODES: dict[str, type[ApiError]] = {
    **dict.fromkeys(
        ("Forbidden.KeyNotFound", "Forbidden.AliasNotFound", "Forbidden.ResourceNotFound"), NotFoundError
    ),
    **dict.fromkeys(_AUTH.split(), AuthError),
    **dict.fromkeys(("Rejected.Throttling", "Throttling", "Throttling.User"), ThrottlingError),
}
# "Request time exceeds server time more than 15 minutes." (common error codes, 400)
CLOCK_SKEW = ClockSkew(frozenset({"RequestTimeTooSkewed"}))


def read_error(response: httpx.Response) -> ErrorFields:
    error = Error.decode(response.content)
    return ErrorFields(error.error_code or None, error.error_message, error.request_id or None)
