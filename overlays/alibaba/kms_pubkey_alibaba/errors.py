"""Alibaba Cloud shared-gateway errors: `{"Code","Message","RequestId","HostId","Recommend"}`.

The codes are those of the POP gateway in front of KMS and of KMS itself, as the API
reference and the official SDK report them. `InvalidParameter` and other request errors
stay plain `ApiError` (400): the service, not our own checks, refused the value.
"""

from __future__ import annotations

import httpx
from kms_pubkey_alibaba_api.models import ErrorResponse

from kms_pubkey.errors import ApiError, AuthError, DryRunError, NotFoundError, ThrottlingError
from kms_pubkey.vendor import ClockSkew, ErrorFields, json_object, text_or_none, xml_fields

VENDOR = "alibaba"
_AUTH = (
    "InvalidAccessKeyId.* InvalidSecurityToken.* InvalidTimeStamp.* InvalidAccessKeyId "
    "SignatureDoesNotMatch IncompleteSignature InvalidSignatureMethod UnsupportedSignatureVersion "
    "UnsupportedSignatureMethod InvalidAuthorization IllegalTimestamp MissingTimestamp SignatureNonceUsed "
    "MissingSecurityToken MissingAccessKeyId MissingSignature Forbidden.RAM Forbidden.NoPermission "
    "Forbidden.AccessKeyDisabled Forbidden NoPermission AccessDenied"
)
_NOT_FOUND = (
    "Forbidden.KeyNotFound Forbidden.AliasNotFound Forbidden.ResourceNotFound Forbidden.KeyVersionNotFound "
    "EntityNotExist.Key EntityNotExist.KeyVersion"
)
# Any code with a "Throttling" segment: Throttling.User, Rejected.Throttling, ...
_THROTTLING = "Throttling Throttling.* *.Throttling *.Throttling.*"
ERROR_CODES: dict[str, type[ApiError]] = {
    **dict.fromkeys(_AUTH.split(), AuthError),
    **dict.fromkeys(_NOT_FOUND.split(), NotFoundError),
    **dict.fromkeys(_THROTTLING.split(), ThrottlingError),
    # A DryRun is always answered with an error; its code is the verdict (seed 000, official SDK).
    "DryRunOperationError": DryRunError,
    "DryRunOperation": DryRunError,
}
# The POP gateway's answer to a Timestamp or x-acs-date more than 15 minutes off (v1 and v3 alike).
CLOCK_SKEW = ClockSkew(frozenset({"InvalidTimeStamp.Expired"}))
DRY_RUN_VERDICTS = frozenset({"DryRunOperationError", "ValidationError", "AccessDeniedError"})


def _was_dry_run(response: httpx.Response) -> bool:
    try:
        request = response.request
    except RuntimeError:
        return False
    return str(request.url.params.get("DryRun", "")).lower() == "true"


def read_error(response: httpx.Response) -> ErrorFields:
    dry_run = _was_dry_run(response)
    body = json_object(response)
    if body is None:
        found = xml_fields(response) or ErrorFields()
        return ErrorFields(found.code, found.message, found.request_id, dry_run)
    parsed = ErrorResponse.from_dict(body)
    message = text_or_none(parsed.message) or text_or_none(parsed.recommend)
    return ErrorFields(text_or_none(parsed.code), message, text_or_none(parsed.request_id), dry_run)
