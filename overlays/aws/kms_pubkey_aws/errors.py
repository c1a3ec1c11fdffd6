"""AWS error answers: JSON `{"__type", "message"}`, or the XML 403s of moto and STS-style fronts."""

from __future__ import annotations

import httpx
from kms_pubkey_aws_api.models import ErrorResponse

from kms_pubkey.errors import ApiError, AuthError, NotFoundError, ThrottlingError
from kms_pubkey.vendor import ClockSkew, ErrorFields, json_object, text_or_none, xml_fields

_AUTH = (
    "UnrecognizedClientException InvalidSignatureException IncompleteSignatureException "
    "SignatureDoesNotMatch InvalidClientTokenId AccessDeniedException AccessDenied "
    "ExpiredTokenException ExpiredToken MissingAuthenticationToken AuthFailure"
)
_THROTTLING = "ThrottlingException Throttling TooManyRequestsException RequestLimitExceeded SlowDown"
ERROR_CODES: dict[str, type[ApiError]] = {
    "NotFoundException": NotFoundError,
    **dict.fromkeys(_AUTH.split(), AuthError),
    **dict.fromkeys(_THROTTLING.split(), ThrottlingError),
}
# The clock-skew codes of the AWS SDKs that correct their clock (JavaScript v3, Java v2); KMS
# answers an expired signature with InvalidSignatureException ("Signature expired: ...").
_CLOCK_SKEW = (
    "RequestTimeTooSkewed RequestExpired RequestInTheFuture InvalidSignatureException "
    "SignatureDoesNotMatch AuthFailure"
)
CLOCK_SKEW = ClockSkew(frozenset(_CLOCK_SKEW.split()))


def _short_code(raw: str) -> str:
    # "com.amazonaws.kms#NotFoundException" or "ThrottlingException:http://..." -> bare name
    return raw.rsplit("#", 1)[-1].split(":", 1)[0]


def read_error(response: httpx.Response) -> ErrorFields:
    body = json_object(response)
    if body is not None:
        parsed = ErrorResponse.from_dict(body)
        code = text_or_none(parsed.field_type_)
        message = text_or_none(parsed.message) or text_or_none(parsed.Message)
        fields = ErrorFields(code, message)
    else:
        fields = xml_fields(response) or ErrorFields()
    code = fields.code or response.headers.get("x-amzn-ErrorType")
    request_id = fields.request_id or response.headers.get("x-amz-request-id")
    return ErrorFields(_short_code(code) if code else None, fields.message, request_id)
