"""Huawei error answers onto the hierarchy.

Two shapes reach a client, and huaweicloudsdkcore's `DefaultExceptionHandler` reads both:
- KMS itself: `{"error": {"error_code": "KMS.0207", "error_msg": "..."}}`, mostly with status 400;
- the API gateway in front of it: `{"error_code": "APIGW.0301", "error_msg": "...", "request_id": "..."}`.

Sources for the codes:
- KMS API reference, appendix "Error Codes": KMS.0205 invalid key_id, KMS.0207 the key does not
  exist, KMS.0301/0302/0303/0305 a null, invalid or expired X-Auth-Token, KMS.0306/0307 no
  permission on the key or the API. Clients built on the service (python-otcextensions' KMS
  resource) treat a 400 KMS.0205 as "not found", so both mean NotFoundError here: the client
  checks the key id's format before sending, so a KMS.0205 answer means the service knows no such key.
- API signing guide, "Error Codes" (APIGW.*): 0301 incorrect IAM authentication information (401),
  0302 IAM user not authorized (403), 0303 incorrect app authentication (401), 0304 app not
  authorized (403), 0305 incorrect authentication information (401), 0306 API access denied (403),
  0307 the token must be updated (401), 0308 the throttling threshold has been reached (429).
  Dedicated gateways spell the prefix `APIG.`.
"""

from __future__ import annotations

import httpx
from kms_pubkey_huawei_api.models import ErrorDetail, ErrorResponse

from kms_pubkey.errors import ApiError, AuthError, NotFoundError, ThrottlingError
from kms_pubkey.vendor import ClockSkew, ErrorFields, json_object, text_or_none

VENDOR = "huawei"
REQUEST_ID_HEADER = "X-Request-Id"

_GATEWAY_AUTH = ("0301", "0302", "0303", "0304", "0305", "0306", "0307")
ERROR_CODES: dict[str, type[ApiError]] = {
    "KMS.0205": NotFoundError,
    "KMS.0207": NotFoundError,
    **dict.fromkeys(("KMS.0301", "KMS.0302", "KMS.0303", "KMS.0305", "KMS.0306", "KMS.0307"), AuthError),
    **{f"{prefix}.{n}": AuthError for prefix in ("APIGW", "APIG") for n in _GATEWAY_AUTH},
    "APIGW.0308": ThrottlingError,
    "APIG.0308": ThrottlingError,
}


def _expired_signature(message: str) -> bool:
    """The gateway's words for an X-Sdk-Date outside its 15 minutes: "signature expired" (0303,
    and 0301 "calc ak sk signature fail:signature expired"), or x-sdk-date with "expired".
    An expired IAM token ("token expires") is not a clock problem and does not match."""
    text = message.lower()
    return "signature expired" in text or ("x-sdk-date" in text and "expired" in text)


CLOCK_SKEW = ClockSkew(
    message_codes=frozenset(f"{prefix}.{n}" for prefix in ("APIGW", "APIG") for n in ("0301", "0303")),
    message=_expired_signature,
)


def read_error(response: httpx.Response) -> ErrorFields:
    """Either shape; some Huawei services nest `code`/`message`, which huaweicloudsdkcore accepts too."""
    body = json_object(response)
    if body is None:
        return ErrorFields()
    parsed = ErrorResponse.from_dict(body)
    request_id = text_or_none(parsed.request_id)
    code = text_or_none(parsed.error_code)
    if code:
        return ErrorFields(code, text_or_none(parsed.error_msg), request_id)
    detail = parsed.error
    if isinstance(detail, ErrorDetail) and text_or_none(detail.error_code):
        return ErrorFields(text_or_none(detail.error_code), text_or_none(detail.error_msg), request_id)
    nested = body.get("error")
    for source in (nested if isinstance(nested, dict) else {}, body):
        if isinstance(source.get("code"), str) and source.get("code"):
            message = source.get("message")
            return ErrorFields(source["code"], message if isinstance(message, str) else None, request_id)
    return ErrorFields(request_id=request_id)
