"""A secret the service echoes back is masked in every form and every field of the error."""

from __future__ import annotations

import json
import re
from urllib.parse import quote, quote_plus

import httpx
import pytest

from kms_pubkey.vendor import error_from_response, redact
from kms_pubkey_alibaba.client import ALIBABA
from kms_pubkey_aws.client import AWS
from kms_pubkey_huawei.client import HUAWEI

SECRET = "wJalr/XUtnFEMI+K7MDENG=bPxRfi CYEXAMPLEKEY~é"


def _lower_hex(text: str) -> str:
    return re.sub(r"%[0-9A-F]{2}", lambda m: m.group(0).lower(), text)


def _mixed(text: str) -> str:
    # Every other escape lower-cased: no single case rule covers it.
    count = iter(range(10**6))
    return re.sub(r"%[0-9A-F]{2}", lambda m: m.group(0).lower() if next(count) % 2 else m.group(0), text)


FORMS = {
    "plain": SECRET,
    "upper": quote(SECRET, safe=""),
    "lower": _lower_hex(quote(SECRET, safe="")),
    "mixed": _mixed(quote(SECRET, safe="")),
    "keep-slash": quote(SECRET, safe="/~"),
    "plus-space": quote_plus(SECRET, safe=""),
    "double": quote(quote(SECRET, safe=""), safe=""),
    "double-lower": _lower_hex(quote(quote(SECRET, safe=""), safe="")),
}


@pytest.mark.parametrize("form", sorted(FORMS))
def test_every_encoding_is_masked(form: str) -> None:
    echoed = FORMS[form]
    assert echoed != "***"
    assert redact(f"StringToSign: a&{echoed}&b", [SECRET]) == "StringToSign: a&***&b"


def test_unrelated_text_is_left_alone() -> None:
    assert redact("nothing %2f secret here", [SECRET]) == "nothing %2f secret here"


@pytest.mark.parametrize(
    ("vendor", "body"),
    [
        (AWS, lambda code, msg, rid: {"__type": code, "message": msg}),
        (ALIBABA, lambda code, msg, rid: {"Code": code, "Message": msg, "RequestId": rid}),
        (HUAWEI, lambda code, msg, rid: {"error_code": code, "error_msg": msg, "request_id": rid}),
    ],
)
def test_every_field_of_an_error_is_masked(vendor: object, body: object) -> None:
    lower = FORMS["lower"]
    content = json.dumps(body(f"Bad{lower}", f"sig {lower}", f"req-{SECRET}")).encode()  # type: ignore[operator]
    headers = {"x-amzn-RequestId": f"req-{lower}"} if vendor is AWS else {}
    response = httpx.Response(
        403, content=content, headers=headers, request=httpx.Request("POST", "https://127.0.0.1/")
    )
    error = error_from_response(vendor, response, [SECRET])  # type: ignore[arg-type]
    for text in (str(error), repr(error), error.code or "", error.message, error.request_id or ""):
        for echoed in FORMS.values():
            assert echoed not in text
    assert error.code == "Bad***"
    assert error.request_id == "req-***"
