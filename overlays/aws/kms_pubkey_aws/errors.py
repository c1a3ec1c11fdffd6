"""AWS error answers (JSON `__type`, or the XML 403s of moto and STS-style fronts) onto the hierarchy."""

from __future__ import annotations

import re

import httpx
from kms_pubkey_aws_api.models import ErrorResponse

from kms_pubkey.client_base import text
from kms_pubkey.errors import ApiError, AuthError, NotFoundError, ThrottlingError
from kms_pubkey.transport import http_fallback_error, json_object, parse_retry_after

NOT_FOUND = frozenset({"NotFoundException"})
AUTH = frozenset(
    {
        "UnrecognizedClientException",
        "InvalidSignatureException",
        "IncompleteSignatureException",
        "SignatureDoesNotMatch",
        "InvalidClientTokenId",
        "AccessDeniedException",
        "AccessDenied",
        "ExpiredTokenException",
        "ExpiredToken",
        "MissingAuthenticationToken",
        "AuthFailure",
    }
)
THROTTLING = frozenset(
    {
        "ThrottlingException",
        "Throttling",
        "TooManyRequestsException",
        "RequestLimitExceeded",
        "SlowDown",
    }
)
_XML_FIELD = re.compile(r"<(Code|Message|RequestId)>([^<]*)</\1>")


def error_class(code: str | None) -> type[ApiError]:
    if code in NOT_FOUND:
        return NotFoundError
    if code in AUTH:
        return AuthError
    if code in THROTTLING:
        return ThrottlingError
    return ApiError


def _short_code(raw: str) -> str:
    # "com.amazonaws.kms#NotFoundException" or "ThrottlingException:http://..." -> bare name
    return raw.rsplit("#", 1)[-1].split(":", 1)[0]


def decode_error(response: httpx.Response) -> ApiError:
    request_id = response.headers.get("x-amzn-RequestId") or response.headers.get("x-amz-request-id")
    code: str | None = None
    message = ""
    body = json_object(response)
    if body is not None:
        parsed = ErrorResponse.from_dict(body)
        code = text(parsed.field_type_)
        message = text(parsed.message) or text(parsed.Message) or ""
    elif response.content.lstrip().startswith(b"<"):
        fields = dict(_XML_FIELD.findall(response.text))
        code, message = fields.get("Code"), fields.get("Message", "")
        request_id = request_id or fields.get("RequestId")
    code = code or response.headers.get("x-amzn-ErrorType")
    if not code:
        return http_fallback_error(response, "aws", request_id)
    code = _short_code(code)
    cls = error_class(code)
    if cls is ApiError and response.status_code in (401, 403):
        cls = AuthError
    return cls(
        message,
        vendor="aws",
        status_code=response.status_code,
        code=code,
        request_id=request_id,
        retry_after=parse_retry_after(response.headers.get("retry-after")),
    )
