"""A vendor's declaration, and the one error path every vendor's answers take.

A vendor package declares itself once (`Vendor`): its name, its request-id header, its
error-code table, how to read code and message out of its error body, its generated client
and its operation. Core builds the clients (`client_base`) and every `ApiError` from that.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Iterable, Mapping
from datetime import datetime
from fnmatch import fnmatchcase
from typing import Any

import httpx

from kms_pubkey.errors import ApiError, AuthError, DryRunError, NotFoundError, ThrottlingError
from kms_pubkey.frozen import Frozen


class ErrorFields(Frozen):
    """What a vendor reads out of an error body; None where the body does not say."""

    __slots__ = ("code", "dry_run", "message", "request_id")
    code: str | None
    message: str | None
    request_id: str | None
    dry_run: bool
    """The refused request was a DryRun, so the vendor's verdict codes mean `DryRunError`."""

    def __init__(
        self,
        code: str | None = None,
        message: str | None = None,
        request_id: str | None = None,
        dry_run: bool = False,
    ) -> None:
        self._set(code=code, message=message, request_id=request_id, dry_run=dry_run)


class Answer:
    """The fields of a 2xx answer as the generated model holds them, before they are checked.

    A plain slotted class, not `Frozen`: one is made for every answer and read once, inside
    the client, and `Frozen`'s guarded field writes cost more than the rest of it."""

    __slots__ = (
        "encapsulation_algorithms",
        "encryption_algorithms",
        "key_agreement_algorithms",
        "key_id",
        "key_spec",
        "key_usage",
        "key_version_id",
        "public_key",
        "request_id",
        "signing_algorithms",
    )
    public_key: object
    key_id: object
    key_version_id: object
    key_spec: object
    key_usage: object
    signing_algorithms: object
    encryption_algorithms: object
    key_agreement_algorithms: object
    encapsulation_algorithms: object
    request_id: object

    def __init__(
        self,
        public_key: object,
        key_id: object = None,
        key_version_id: object = None,
        key_spec: object = None,
        key_usage: object = None,
        signing_algorithms: object = None,
        encryption_algorithms: object = None,
        key_agreement_algorithms: object = None,
        encapsulation_algorithms: object = None,
        request_id: object = None,
    ) -> None:
        self.public_key = public_key
        self.key_id = key_id
        self.key_version_id = key_version_id
        self.key_spec = key_spec
        self.key_usage = key_usage
        self.signing_algorithms = signing_algorithms
        self.encryption_algorithms = encryption_algorithms
        self.key_agreement_algorithms = key_agreement_algorithms
        self.encapsulation_algorithms = encapsulation_algorithms
        self.request_id = request_id


class Operation(Frozen):
    """The generated operation (sync and async) and how its parsed answer becomes `Answer`.

    `answer` gets the generated response and the call's keyword arguments; it raises
    `ResponseError` for a body that is not this operation's result.
    """

    __slots__ = ("answer", "asyncio", "name", "sync")
    name: str
    sync: Callable[..., Any]
    asyncio: Callable[..., Awaitable[Any]]
    answer: Callable[[Any, Mapping[str, Any]], Answer]

    def __init__(
        self,
        name: str,
        sync: Callable[..., Any],
        asyncio: Callable[..., Awaitable[Any]],
        answer: Callable[[Any, Mapping[str, Any]], Answer],
    ) -> None:
        self._set(name=name, sync=sync, asyncio=asyncio, answer=answer)


class ClockSkew(Frozen):
    """Which of a vendor's error answers say the request's time is outside the service's window.

    `codes` say it whatever the message. `message_codes` say it only when `message` accepts
    the error's message: Huawei's gateway answers every IAM or app authentication failure
    with one code, an expired signature among them. (A test rather than a regular
    expression, so it stays linear on a hostile message of a megabyte.)
    """

    __slots__ = ("codes", "message", "message_codes")
    codes: frozenset[str]
    message_codes: frozenset[str]
    message: Callable[[str], bool] | None

    def __init__(
        self,
        codes: frozenset[str] = frozenset(),
        message_codes: frozenset[str] = frozenset(),
        message: Callable[[str], bool] | None = None,
    ) -> None:
        self._set(codes=codes, message_codes=message_codes, message=message)

    def matches(self, code: str | None, message: str | None) -> bool:
        if not code:
            return False
        if code in self.codes:
            return True
        return code in self.message_codes and self.message is not None and self.message(message or "")


NO_CLOCK_SKEW = ClockSkew()


class Vendor(Frozen):
    __slots__ = (
        "_patterns",
        "api",
        "clock_skew",
        "dry_run_verdicts",
        "error_codes",
        "name",
        "operation",
        "read_error",
        "request_id_header",
        "unset",
        "vocabulary",
    )
    _hidden = frozenset({"_patterns"})
    name: str
    """In errors, keys, logs and reprs: aws, alibaba or huawei (both Alibaba gateways are alibaba)."""
    request_id_header: str | None
    error_codes: Mapping[str, type[ApiError]]
    """Code -> class. A key may hold `*` (`InvalidAccessKeyId.*`); exact codes win."""
    read_error: Callable[[httpx.Response], ErrorFields]
    api: Callable[..., Any]
    """The generated package's `Client` class."""
    operation: Operation
    unset: object
    """The generated package's own UNSET sentinel."""
    dry_run_verdicts: frozenset[str]
    clock_skew: ClockSkew
    """Its clock-skew errors: the retry loop corrects the signing clock from their `Date`."""
    vocabulary: str | None
    """Whose algorithm names and defaults its keys speak offline, when not the vendor's own
    (`kms_pubkey.algorithms`): "alibaba-instance" for the KMS instance, which signs RAW."""
    _patterns: tuple[tuple[str, type[ApiError]], ...]
    """The `error_codes` keys that hold a `*`, tried in order after the exact codes."""

    def __init__(
        self,
        name: str,
        request_id_header: str | None,
        error_codes: Mapping[str, type[ApiError]],
        read_error: Callable[[httpx.Response], ErrorFields],
        api: Callable[..., Any],
        operation: Operation,
        unset: object,
        dry_run_verdicts: frozenset[str] = frozenset(),
        clock_skew: ClockSkew = NO_CLOCK_SKEW,
        vocabulary: str | None = None,
    ) -> None:
        self._set(
            name=name,
            request_id_header=request_id_header,
            error_codes=error_codes,
            read_error=read_error,
            api=api,
            operation=operation,
            unset=unset,
            dry_run_verdicts=dry_run_verdicts,
            clock_skew=clock_skew,
            vocabulary=vocabulary,
            _patterns=tuple((code, cls) for code, cls in error_codes.items() if "*" in code),
        )


def class_for(vendor: Vendor, code: str | None, status: int, *, dry_run: bool = False) -> type[ApiError]:
    """The one place an error's class is chosen: the vendor's table, then the status code.

    A code the table does not know is classed by 401/403 and 429 only: a 404 that names a
    code (an unknown API, say) is not a missing key. Without any code, 404 is NotFoundError.
    """
    if code:
        if dry_run and code in vendor.dry_run_verdicts:
            return DryRunError
        found = vendor.error_codes.get(code)
        if found is None:
            found = next((cls for pattern, cls in vendor._patterns if fnmatchcase(code, pattern)), None)
        if found is not None:
            return found
    if status in (401, 403):
        return AuthError
    if status == 429:
        return ThrottlingError
    if status == 404 and not code:
        return NotFoundError
    return ApiError


def api_error(
    vendor: Vendor,
    status: int,
    code: str | None,
    message: str,
    request_id: str | None,
    retry_after: float | None = None,
    *,
    dry_run: bool = False,
    secrets: Iterable[str] = (),
    server_date: datetime | None = None,
) -> ApiError:
    """The `ApiError` subclass for an answer; a secret the service echoes back is masked here,
    in every field the error shows (message, code and request id)."""
    cls = class_for(vendor, code, status, dry_run=dry_run)
    secrets = tuple(secrets)
    return cls(
        redact(message, secrets),
        vendor=vendor.name,
        status_code=status,
        code=redact(code, secrets) if code else code,
        request_id=redact(request_id, secrets) if request_id else request_id,
        retry_after=retry_after,
        server_date=server_date,
        clock_skew=vendor.clock_skew.matches(code, message),
    )


def error_from_response(vendor: Vendor, response: httpx.Response, secrets: Iterable[str] = ()) -> ApiError:
    """The error a non-2xx answer means. A body the vendor cannot read is classed by status."""
    from kms_pubkey.http_dates import parse_http_date, parse_retry_after

    try:
        fields = vendor.read_error(response)
    except Exception:  # a hostile body must still give a typed error
        fields = ErrorFields()
    status = response.status_code
    header = vendor.request_id_header
    request_id = (response.headers.get(header) if header else None) or fields.request_id
    message = fields.message or ""
    if not fields.code:
        reason = response.reason_phrase or "error"
        message = f"HTTP {status} {reason} (body not in the expected error format)"
    return api_error(
        vendor,
        status,
        fields.code,
        message,
        request_id,
        parse_retry_after(response.headers.get("retry-after")),
        dry_run=fields.dry_run,
        secrets=secrets,
        server_date=parse_http_date(response.headers.get("date")),
    )


def redact(message: str, secrets: Iterable[str]) -> str:
    """The message with every secret masked, however it was echoed.

    Each character may come back as itself, percent-encoded once or twice, in upper- or
    lower-case hex (`/`, `%2F`, `%2f`, `%252F`), or `+` for a space: a service may echo its
    string to sign in any of these forms, and in any mix of them.
    """
    for secret in secrets:
        if secret and message:
            message = _secret_pattern(secret).sub("***", message)
    return message


def _secret_pattern(secret: str) -> re.Pattern[str]:
    # Built per error, not cached: a module-level cache would keep secrets alive after close().
    parts = []
    for char in secret:
        encoded = "".join(f"%(?:25)?{byte:02X}" for byte in char.encode("utf-8"))
        forms = [re.escape(char), _hex_insensitive(encoded)]
        if char == " ":
            forms.append(r"\+")
        parts.append("(?:" + "|".join(forms) + ")")
    return re.compile("".join(parts))


def _hex_insensitive(encoded: str) -> str:
    """`%(?:25)?2F` -> `%(?:25)?2[Ff]`: hex digits of either case."""
    return "".join(f"[{c.upper()}{c.lower()}]" if c in "ABCDEF" else c for c in encoded)


def json_object(response: httpx.Response) -> dict[str, Any] | None:
    """The body as a JSON object, or None when it is anything else (or nested past reason)."""
    try:
        value = response.json()
    except (ValueError, RecursionError):
        return None
    return value if isinstance(value, dict) else None


# A pattern string, compiled (and cached by `re`) by the first XML error: a cold start that
# meets no error never pays for it.
_XML_FIELD = r"<(Code|Message|RequestId)>([^<]*)</\1>"


def xml_fields(response: httpx.Response) -> ErrorFields | None:
    """`<Code>`, `<Message>` and `<RequestId>` of an XML error body (AWS fronts, the POP gateway)."""
    if not response.content.lstrip().startswith(b"<"):
        return None
    found = dict(re.findall(_XML_FIELD, response.text))
    return ErrorFields(found.get("Code") or None, found.get("Message"), found.get("RequestId") or None)


def text_or_none(value: object) -> str | None:
    """A generated string field (its enums are plain strings): None for absent (UNSET), null or not text."""
    return value if isinstance(value, str) else None
