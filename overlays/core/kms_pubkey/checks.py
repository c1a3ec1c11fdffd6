"""Argument checks every vendor makes before anything is sent."""

from __future__ import annotations

import re

from kms_pubkey.errors import ValidationError

MAX_ID = 2048
"""The longest key id, alias or ARN any of the services accepts."""
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def check_id(value: object, name: str, kinds: str = "", *, in_query: bool = False) -> str:
    """A key (or key version) id: a non-empty string of at most `MAX_ID` characters.

    An id that travels in the query (`in_query`) may not hold control characters either;
    one in a JSON or protobuf body is the service's to judge.
    """
    if not isinstance(value, str) or not value.strip():
        raise ValidationError(f"{name} must be a non-empty string" + (f" ({kinds})" if kinds else ""))
    if len(value) > MAX_ID:
        raise ValidationError(f"{name} is {len(value)} characters; at most {MAX_ID} are accepted")
    if in_query and _CONTROL.search(value):  # one regex scan: this runs on every call
        raise ValidationError(f"{name} must not contain control characters")
    return value
