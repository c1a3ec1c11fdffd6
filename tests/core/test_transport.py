"""The shared request policy, driven through a real client against a tiny HTTP server on 127.0.0.1.

The server plays a script of answers and records every attempt's headers. Sleeping is replaced
(`kms_pubkey.transport.default_sleep`), so nothing waits and no test asserts wall-clock time;
the clock given to the signer advances one second per call, so each attempt must carry a new
X-Amz-Date and a new signature.
"""

from __future__ import annotations

import asyncio
import base64
import email.utils
import json
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from kms_pubkey import (
    ApiError,
    AuthError,
    NotFoundError,
    ThrottlingError,
    TransportError,
    ValidationError,
    defaults,
    transport,
)
from kms_pubkey.http_dates import parse_retry_after
from kms_pubkey.transport import RequestPolicy
from kms_pubkey_aws import AsyncAwsKmsClient, AwsKmsClient

DER = (
    ec.generate_private_key(ec.SECP256R1())
    .public_key()
    .public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
)
OK_BODY = json.dumps({"KeyId": "k", "PublicKey": base64.b64encode(DER).decode()}).encode()
START = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)

DROP = "drop"  # close the connection without answering


@dataclass
class Answer:
    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)


def throttled(status: int = 400) -> Answer:
    return Answer(
        status,
        b'{"__type":"ThrottlingException","message":"Rate exceeded"}',
        {"content-type": "application/x-amz-json-1.1"},
    )


def not_found() -> Answer:
    return Answer(
        400,
        b'{"__type":"NotFoundException","message":"no such key"}',
        {"content-type": "application/x-amz-json-1.1"},
    )


class Script:
    def __init__(self) -> None:
        self.answers: list[Answer | str] = []
        self.seen: list[dict[str, str]] = []
        self.lock = threading.Lock()

    def next(self, headers: dict[str, str]) -> Answer | str:
        with self.lock:
            self.seen.append(headers)
            return self.answers.pop(0) if self.answers else Answer(200, OK_BODY)


class _Handler(BaseHTTPRequestHandler):
    script: Script

    def do_POST(self) -> None:
        length = int(self.headers.get("content-length", "0"))
        self.rfile.read(length)
        answer = self.script.next({k.lower(): v for k, v in self.headers.items()})
        if answer == DROP:
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        assert isinstance(answer, Answer)
        self.send_response(answer.status)
        for name, value in answer.headers.items():
            self.send_header(name, value)
        self.send_header("content-length", str(len(answer.body)))
        self.end_headers()
        self.wfile.write(answer.body)

    def log_message(self, *args: Any) -> None:
        pass

    def date_time_string(self, timestamp: float | None = None) -> str:
        """The `Date` of every answer: the clients' own (ticking) time, so no answer here looks
        like a clock-skew verdict (tests/reliability/test_clock_skew.py covers those)."""
        return email.utils.format_datetime(START, usegmt=True)


@pytest.fixture
def server() -> Iterator[tuple[str, Script]]:
    script = Script()
    handler = type("Handler", (_Handler,), {"script": script})
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}", script
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)


@pytest.fixture
def sleeps(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    waited: list[float] = []

    def fake_sleep(seconds: float) -> None:
        waited.append(seconds)

    async def fake_async_sleep(seconds: float) -> None:
        waited.append(seconds)

    monkeypatch.setattr(transport, "default_sleep", fake_sleep)
    monkeypatch.setattr(transport, "default_async_sleep", fake_async_sleep)
    return waited


class Clock:
    def __init__(self) -> None:
        self.calls = 0

    def __call__(self) -> datetime:
        self.calls += 1
        return START + timedelta(seconds=self.calls)


def _client(url: str, clock: Clock | None = None, **kw: Any) -> AwsKmsClient:
    args: dict[str, Any] = {
        "endpoint": url,
        "access_key_id": "AKIDRETRY",
        "secret_access_key": "s",
        "clock": clock or Clock(),
        "timeout": 5.0,
    }
    args.update(kw)
    return AwsKmsClient("us-east-1", **args)


def _fetch(url: str, **kw: Any) -> Any:
    with _client(url, **kw) as client:
        return client.get_public_key("k")


def _afetch(url: str, **kw: Any) -> Any:
    args: dict[str, Any] = {
        "endpoint": url,
        "access_key_id": "AKIDRETRY",
        "secret_access_key": "s",
        "clock": Clock(),
        "timeout": 5.0,
    }
    args.update(kw)

    async def run() -> Any:
        async with AsyncAwsKmsClient("us-east-1", **args) as client:
            return await client.get_public_key("k")

    return asyncio.run(run())


def _bound(attempt: int) -> float:
    return min(defaults.BACKOFF_CAP_SECONDS, defaults.BACKOFF_BASE_SECONDS * 2**attempt)


# -- what is retried -----------------------------------------------------------------------------


@pytest.mark.parametrize("fetch", [_fetch, _afetch], ids=["sync", "async"])
@pytest.mark.parametrize(
    "failure",
    [
        Answer(500, b'{"__type":"KMSInternalException"}'),
        Answer(502, b"<html>bad gateway</html>"),
        Answer(503),
        Answer(520),
        throttled(400),
        throttled(429),
        Answer(429, b"slow down"),
        DROP,
    ],
    ids=["500", "502-html", "503-empty", "520", "throttling-400", "throttling-429", "429-text", "dropped"],
)
def test_transient_failures_are_retried(
    server: tuple[str, Script], sleeps: list[float], fetch: Any, failure: Answer | str
) -> None:
    url, script = server
    script.answers = [failure, failure]
    key = fetch(url, max_retries=3)
    assert key.der == DER
    assert len(script.seen) == 3
    assert len(sleeps) == 2
    for attempt, waited in enumerate(sleeps):
        assert 0 <= waited <= _bound(attempt)


@pytest.mark.parametrize("fetch", [_fetch, _afetch], ids=["sync", "async"])
def test_every_retry_is_signed_afresh(server: tuple[str, Script], sleeps: list[float], fetch: Any) -> None:
    url, script = server
    script.answers = [Answer(503), throttled(), DROP]
    fetch(url, max_retries=3)
    dates = [h["x-amz-date"] for h in script.seen]
    assert dates == [(START + timedelta(seconds=n)).strftime("%Y%m%dT%H%M%SZ") for n in (1, 2, 3, 4)]
    signatures = [h["authorization"].rsplit("Signature=", 1)[1] for h in script.seen]
    assert len(set(signatures)) == 4
    assert all(h["authorization"].count("AWS4-HMAC-SHA256") == 1 for h in script.seen)


@pytest.mark.parametrize("fetch", [_fetch, _afetch], ids=["sync", "async"])
def test_retries_run_out(server: tuple[str, Script], sleeps: list[float], fetch: Any) -> None:
    url, script = server
    script.answers = [Answer(503)] * 10
    with pytest.raises(ApiError) as info:
        fetch(url, max_retries=2)
    assert info.value.status_code == 503
    assert len(script.seen) == 3 and len(sleeps) == 2

    script.seen.clear()
    script.answers = [throttled()] * 10
    with pytest.raises(ThrottlingError):
        fetch(url, max_retries=1)
    assert len(script.seen) == 2


def test_no_retries_when_max_retries_is_zero(server: tuple[str, Script], sleeps: list[float]) -> None:
    url, script = server
    script.answers = [Answer(503)]
    with pytest.raises(ApiError):
        _fetch(url, max_retries=0)
    assert len(script.seen) == 1 and sleeps == []


@pytest.mark.parametrize("fetch", [_fetch, _afetch], ids=["sync", "async"])
@pytest.mark.parametrize(
    ("answer", "cls"),
    [
        (not_found(), NotFoundError),
        (Answer(400, b'{"__type":"ValidationException","message":"bad"}'), ApiError),
        (
            Answer(403, b"<ErrorResponse><Error><Code>SignatureDoesNotMatch</Code></Error></ErrorResponse>"),
            AuthError,
        ),
        (Answer(404), NotFoundError),
        (Answer(409, b'{"__type":"KMSInvalidStateException"}'), ApiError),
        (Answer(400, b'{"__type":"NotFoundException"}', {"retry-after": "1"}), NotFoundError),
    ],
    ids=["not-found", "validation", "xml-403", "404", "409", "4xx-with-retry-after"],
)
def test_other_4xx_not_retried(
    server: tuple[str, Script], sleeps: list[float], fetch: Any, answer: Answer, cls: type[ApiError]
) -> None:
    url, script = server
    script.answers = [answer]
    with pytest.raises(cls) as info:
        fetch(url, max_retries=3)
    assert type(info.value) is cls
    assert len(script.seen) == 1 and sleeps == []


# -- Retry-After ----------------------------------------------------------------------------------


@pytest.mark.parametrize("fetch", [_fetch, _afetch], ids=["sync", "async"])
def test_retry_after_seconds_is_honoured(server: tuple[str, Script], sleeps: list[float], fetch: Any) -> None:
    url, script = server
    script.answers = [Answer(503, headers={"retry-after": "7"}), Answer(429, headers={"Retry-After": "0"})]
    assert fetch(url, max_retries=3).der == DER
    assert sleeps == [7.0, 0.0]


def test_retry_after_http_date_is_honoured(server: tuple[str, Script], sleeps: list[float]) -> None:
    url, script = server
    when = email.utils.format_datetime(datetime.now(UTC) + timedelta(seconds=12), usegmt=True)
    script.answers = [Answer(503, headers={"retry-after": when})]
    _fetch(url, max_retries=1)
    assert len(sleeps) == 1
    assert 0 < sleeps[0] <= 12.0


@pytest.mark.parametrize("fetch", [_fetch, _afetch], ids=["sync", "async"])
def test_too_long_retry_after_raises_at_once(
    server: tuple[str, Script], sleeps: list[float], fetch: Any
) -> None:
    url, script = server
    too_long = str(int(defaults.RETRY_AFTER_CAP_SECONDS) + 1)
    script.answers = [throttled(429)]
    script.answers[0].headers["retry-after"] = too_long  # type: ignore[union-attr]
    with pytest.raises(ThrottlingError) as info:
        fetch(url, max_retries=3)
    assert info.value.retry_after == float(too_long)
    assert len(script.seen) == 1 and sleeps == []


def test_retry_after_at_the_cap_is_waited(server: tuple[str, Script], sleeps: list[float]) -> None:
    url, script = server
    script.answers = [Answer(503, headers={"retry-after": str(int(defaults.RETRY_AFTER_CAP_SECONDS))})]
    _fetch(url, max_retries=1)
    assert sleeps == [defaults.RETRY_AFTER_CAP_SECONDS]


def test_garbage_retry_after_falls_back_to_backoff(server: tuple[str, Script], sleeps: list[float]) -> None:
    url, script = server
    script.answers = [Answer(503, headers={"retry-after": "soon-ish"})]
    _fetch(url, max_retries=1)
    assert len(sleeps) == 1 and 0 <= sleeps[0] <= _bound(0)


def test_parse_retry_after() -> None:
    assert parse_retry_after(None) is None
    assert parse_retry_after("") is None
    assert parse_retry_after(" 5 ") == 5.0
    assert parse_retry_after("-3") is None
    assert parse_retry_after("1.5") is None  # delta-seconds is a whole number (RFC 9110)
    assert parse_retry_after("nonsense") is None
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now=lambda: 1445412480.0 - 30) == 30.0
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now=lambda: 1445412480.0 + 30) == 0.0


# -- backoff --------------------------------------------------------------------------------------


def test_backoff_is_exponential_full_jitter_and_capped() -> None:
    policy = RequestPolicy(max_retries=20)
    error = TransportError("x")
    top = [policy.next_delay(n, error, rand=lambda: 0.999999) for n in range(12)]
    expected = [min(policy.backoff_cap, policy.backoff_base * 2**n) for n in range(12)]
    assert top == pytest.approx([e * 0.999999 for e in expected])
    assert all(policy.next_delay(n, error, rand=lambda: 0.0) == 0.0 for n in range(12))
    assert policy.next_delay(20, error) is None
    assert policy.next_delay(0, ValidationError("x")) is None


# -- connection failures --------------------------------------------------------------------------


def _closed_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.parametrize("fetch", [_fetch, _afetch], ids=["sync", "async"])
def test_connection_refused_is_retried_then_transport_error(sleeps: list[float], fetch: Any) -> None:
    url = f"http://127.0.0.1:{_closed_port()}"
    with pytest.raises(TransportError) as info:
        fetch(url, max_retries=2)
    assert len(sleeps) == 2
    assert "AKIDRETRY" not in str(info.value)


@pytest.mark.parametrize("fetch", [_fetch, _afetch], ids=["sync", "async"])
def test_dropped_every_time_is_transport_error(
    server: tuple[str, Script], sleeps: list[float], fetch: Any
) -> None:
    url, script = server
    script.answers = [DROP] * 10
    with pytest.raises(TransportError):
        fetch(url, max_retries=2)
    assert len(script.seen) == 3 and len(sleeps) == 2


@pytest.mark.parametrize(
    "exc",
    [
        httpx.ConnectError("refused"),
        httpx.ReadTimeout("slow"),
        httpx.ConnectTimeout("slow"),
        httpx.RemoteProtocolError("eof"),
        httpx.ReadError("reset"),
    ],
    ids=lambda e: type(e).__name__,
)
def test_transport_exceptions_become_transport_error(sleeps: list[float], exc: Exception) -> None:
    attempts: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        attempts.append(request)
        raise exc

    with pytest.raises(TransportError):
        _fetch("http://127.0.0.1:9", transport=httpx.MockTransport(handler), max_retries=3)
    assert len(attempts) == 4 and len(sleeps) == 3


def test_read_timeout_against_a_silent_server(sleeps: list[float]) -> None:
    """A server that accepts and never answers: the explicit timeout turns it into TransportError."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        url = f"http://127.0.0.1:{listener.getsockname()[1]}"
        with pytest.raises(TransportError):
            _fetch(url, max_retries=1, timeout=0.2)
    assert len(sleeps) == 1


def test_policy_settings_are_checked() -> None:
    with pytest.raises(ValidationError):
        RequestPolicy(timeout=0)
    with pytest.raises(ValidationError):
        RequestPolicy(max_retries=-1)
    with pytest.raises(ValidationError):
        RequestPolicy(max_retries=True)
    timeout = RequestPolicy(timeout=3.0).httpx_timeout()
    assert timeout.read == 3.0 and timeout.connect is not None and timeout.connect <= 3.0


# --- secrets echoed back by a service are masked --------------------------------------------


def test_redact_masks_plain_and_percent_encoded_forms() -> None:
    from kms_pubkey.vendor import redact

    token = "FwoG+ZXIvYXdzE/abc=="
    once = "FwoG%2BZXIvYXdzE%2Fabc%3D%3D"
    twice = "FwoG%252BZXIvYXdzE%252Fabc%253D%253D"
    message = f"x-amz-security-token:{token}\nquery={once}\nsts={twice}"
    assert redact(message, [token]) == "x-amz-security-token:***\nquery=***\nsts=***"
    assert redact(message, ["", None]) == message  # type: ignore[list-item]


@pytest.mark.parametrize("vendor", ["aws", "huawei", "alibaba"])
def test_every_vendor_masks_its_secrets_in_echoed_messages(vendor: str) -> None:
    """Signature errors quote the canonical request; the session token is one of its lines."""
    import httpx

    from kms_pubkey.errors import ApiError

    secret, token = "s3cr3t-SECRET-value", "t0k3n+TOKEN/value=="
    echoed = f"The canonical request was: POST / secret={secret} x-security-token:{token}"

    def answer(request: httpx.Request) -> httpx.Response:
        if vendor == "aws":
            body = {"__type": "InvalidSignatureException", "message": echoed}
        elif vendor == "huawei":
            body = {"error_code": "APIGW.0301", "error_msg": echoed}
        else:
            body = {"Code": "SignatureDoesNotMatch", "Message": echoed, "RequestId": "r"}
        return httpx.Response(403 if vendor != "aws" else 400, json=body)

    transport = httpx.MockTransport(answer)
    if vendor == "aws":
        from kms_pubkey_aws import AwsKmsClient

        client: object = AwsKmsClient(
            "us-east-1",
            access_key_id="AKID",
            secret_access_key=secret,
            session_token=token,
            transport=transport,
            max_retries=0,
        )
        call = lambda: client.get_public_key("alias/x")  # type: ignore[attr-defined]  # noqa: E731
    elif vendor == "huawei":
        from kms_pubkey_huawei import HuaweiKmsClient

        client = HuaweiKmsClient(
            "cn-north-4",
            project_id="0123456789abcdef0123456789abcdef",
            access_key="AK",
            secret_key=secret,
            security_token=token,
            transport=transport,
            max_retries=0,
        )
        call = lambda: client.get_public_key("0d0466b0-e727-4d9c-b35d-f84bb474a37f")  # type: ignore[attr-defined]  # noqa: E731
    else:
        from kms_pubkey_alibaba import AlibabaKmsClient

        client = AlibabaKmsClient(
            "cn-hangzhou",
            access_key_id="AK",
            access_key_secret=secret,
            security_token=token,
            transport=transport,
            max_retries=0,
        )
        call = lambda: client.get_public_key("key", "version")  # type: ignore[attr-defined]  # noqa: E731
    with pytest.raises(ApiError) as caught:
        call()
    shown = str(caught.value) + repr(caught.value) + caught.value.message
    assert "The canonical request was" in shown  # the message itself is kept
    assert secret not in shown and token not in shown
