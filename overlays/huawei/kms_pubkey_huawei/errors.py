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

from typing import Any

import httpx
from kms_pubkey_huawei_api.models import ErrorDetail, ErrorResponse

from kms_pubkey.client_base import text
from kms_pubkey.errors import ApiError, AuthError, NotFoundError, ThrottlingError
from kms_pubkey.transport import http_fallback_error, json_object, parse_retry_after

VENDOR = "huawei"
REQUEST_ID_HEADER = "X-Request-Id"

NOT_FOUND = frozenset({"KMS.0205", "KMS.0207"})
_KMS_AUTH = ("KMS.0301", "KMS.0302", "KMS.0303", "KMS.0305", "KMS.0306", "KMS.0307")
_GATEWAY_AUTH = ("0301", "0302", "0303", "0304", "0305", "0306", "0307")
AUTH = frozenset(_KMS_AUTH) | {f"{prefix}.{n}" for prefix in ("APIGW", "APIG") for n in _GATEWAY_AUTH}
THROTTLING = frozenset({"APIGW.0308", "APIG.0308"})


def error_class(code: str | None, status_code: int) -> type[ApiError]:
    if code in NOT_FOUND:
        return NotFoundError
    if code in AUTH:
        return AuthError
    if code in THROTTLING or status_code == 429:
        return ThrottlingError
    if status_code in (401, 403):
        return AuthError
    # A 404 with a code (APIGW.0101: the API is not published here) is not a missing key.
    return ApiError


def _code_and_message(body: dict[str, Any]) -> tuple[str | None, str | None, str | None]:
    """(code, message, request id) from either shape; anything unexpected gives Nones."""
    try:
        parsed = ErrorResponse.from_dict(body)
    except (TypeError, ValueError, KeyError, AttributeError):
        return None, None, None
    request_id = text(parsed.request_id)
    code, message = text(parsed.error_code), text(parsed.error_msg)
    if code:
        return code, message, request_id
    if isinstance(parsed.error, ErrorDetail) and text(parsed.error.error_code):
        return text(parsed.error.error_code), text(parsed.error.error_msg), request_id
    # Some Huawei services nest `code`/`message` instead; huaweicloudsdkcore accepts those too.
    nested = body.get("error")
    for source in (nested if isinstance(nested, dict) else {}, body):
        if isinstance(source.get("code"), str) and source.get("code"):
            return source["code"], text(source.get("message")), request_id
    return None, None, request_id


def decode_error(response: httpx.Response) -> ApiError:
    request_id = response.headers.get(REQUEST_ID_HEADER)
    code: str | None = None
    message: str | None = None
    body = json_object(response)
    if body is not None:
        code, message, body_request_id = _code_and_message(body)
        request_id = request_id or body_request_id
    if not code:
        return http_fallback_error(response, VENDOR, request_id)
    cls = error_class(code, response.status_code)
    return cls(
        message or "",
        vendor=VENDOR,
        status_code=response.status_code,
        code=code,
        request_id=request_id,
        retry_after=parse_retry_after(response.headers.get("retry-after")),
    )
