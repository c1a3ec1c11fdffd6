"""Alibaba Cloud error answers (`{"Code","Message","RequestId","HostId","Recommend"}`) onto the hierarchy.

The codes are those of the POP gateway in front of KMS and of KMS itself, as the API
reference and the official SDK report them. `InvalidParameter` and other request errors
stay plain `ApiError` (400): the service, not our own checks, refused the value.
"""

from __future__ import annotations

import re

import httpx
from kms_pubkey_alibaba_api.models import ErrorResponse

from kms_pubkey.client_base import text
from kms_pubkey.errors import ApiError, AuthError, DryRunError, NotFoundError, ThrottlingError
from kms_pubkey.transport import http_fallback_error, json_object, parse_retry_after

VENDOR = "alibaba"
AUTH = frozenset(
    {
        "InvalidAccessKeyId.NotFound",
        "InvalidAccessKeyId.Inactive",
        "InvalidAccessKeyId",
        "SignatureDoesNotMatch",
        "IncompleteSignature",
        "InvalidSignatureMethod",
        "UnsupportedSignatureVersion",
        "UnsupportedSignatureMethod",
        "InvalidAuthorization",
        "InvalidTimeStamp.Expired",
        "InvalidTimeStamp.Format",
        "IllegalTimestamp",
        "MissingTimestamp",
        "SignatureNonceUsed",
        "MissingSecurityToken",
        "MissingAccessKeyId",
        "MissingSignature",
        "Forbidden.RAM",
        "Forbidden.NoPermission",
        "Forbidden.AccessKeyDisabled",
        "Forbidden",
        "NoPermission",
        "AccessDenied",
    }
)
AUTH_PREFIXES = ("InvalidAccessKeyId.", "InvalidSecurityToken.", "InvalidTimeStamp.")
NOT_FOUND = frozenset(
    {
        "Forbidden.KeyNotFound",
        "Forbidden.AliasNotFound",
        "Forbidden.ResourceNotFound",
        "Forbidden.KeyVersionNotFound",
        "EntityNotExist.Key",
        "EntityNotExist.KeyVersion",
    }
)
THROTTLING = frozenset(
    {
        "Throttling",
        "Throttling.User",
        "Throttling.Api",
        "Throttling.Concurrency",
        "Rejected.Throttling",
        "ServiceUnavailable.Throttling",
    }
)
# A DryRun is always answered with an error; its code is the verdict (seed 000, official SDK).
DRY_RUN_VERDICTS = frozenset({"DryRunOperationError", "ValidationError", "AccessDeniedError"})
DRY_RUN_ALWAYS = frozenset({"DryRunOperationError", "DryRunOperation"})
_XML_FIELD = re.compile(r"<(Code|Message|RequestId)>([^<]*)</\1>")


def error_class(code: str | None, *, dry_run: bool = False) -> type[ApiError]:
    if not code:
        return ApiError
    if code in DRY_RUN_ALWAYS or (dry_run and code in DRY_RUN_VERDICTS):
        return DryRunError
    if code in AUTH or code.startswith(AUTH_PREFIXES):
        return AuthError
    if code in NOT_FOUND:
        return NotFoundError
    if code in THROTTLING or "Throttling" in code.split("."):
        return ThrottlingError
    return ApiError


def _was_dry_run(response: httpx.Response) -> bool:
    try:
        request = response.request
    except RuntimeError:
        return False
    value = str(request.url.params.get("DryRun", ""))
    return value.lower() == "true"


def decode_error(response: httpx.Response) -> ApiError:
    request_id = response.headers.get("x-acs-request-id")
    code: str | None = None
    message = ""
    body = json_object(response)
    if body is not None:
        try:
            parsed = ErrorResponse.from_dict(body)
        except (TypeError, ValueError, KeyError, AttributeError):
            parsed = None
        if parsed is not None:
            code = text(parsed.code)
            message = text(parsed.message) or ""
            request_id = text(parsed.request_id) or request_id
            recommend = text(parsed.recommend)
            if recommend and not message:
                message = recommend
    elif response.content.lstrip().startswith(b"<"):
        fields = dict(_XML_FIELD.findall(response.text))
        code, message = fields.get("Code") or None, fields.get("Message", "")
        request_id = fields.get("RequestId") or request_id
    if not code:
        return http_fallback_error(response, VENDOR, request_id)
    cls = error_class(code, dry_run=_was_dry_run(response))
    if cls is ApiError and response.status_code in (401, 403):
        cls = AuthError
    return cls(
        message,
        vendor=VENDOR,
        status_code=response.status_code,
        code=code,
        request_id=request_id,
        retry_after=parse_retry_after(response.headers.get("retry-after")),
    )
