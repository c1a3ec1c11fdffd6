"""Every client, sync, async and async over aiohttp, against a raw-socket server playing each fault.

For each fault: the exception class (or success), how many requests the server saw, and
that every attempt carried a signature of its own. Waits between retries are recorded
instead of slept; the attempt deadline is short (TIMEOUT) so the hanging faults stay quick.
"""

from __future__ import annotations

import asyncio
import base64
import email.utils
import gzip
import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from kms_pubkey import (
    ApiError,
    AuthError,
    ResponseError,
    ThrottlingError,
    TransportError,
    defaults,
    transport,
)
from tests.reliability import clients
from tests.reliability.clients import KINDS, TRANSPORTS, Kind
from tests.reliability.server import Action, RawServer, Seen, answer, chunked, drip, hang, reply, reset
from tests.support.der import tlv

TIMEOUT = 0.25
RETRIES = 2


@dataclass(frozen=True)
class Fault:
    name: str
    script: Callable[[Kind], Callable[[int, Seen], Action]]
    expected: type[Exception] | None
    requests: int
    retries: int = RETRIES
    delays: Callable[[list[float]], bool] | None = None
    kinds: tuple[Kind, ...] = KINDS
    """The clients the fault means something for (a key version exists on Alibaba's shared gateway only)."""


def _ok(kind: Kind, headers: dict[str, str] | None = None) -> bytes:
    body, content_type = kind.ok()
    return answer(200, body, {"Content-Type": content_type, **(headers or {})}, reason="OK")


def _error(kind: Kind, status: int, code: str | None, headers: dict[str, str] | None = None) -> bytes:
    body, content_type = kind.error(code) if code else (b"", "text/plain")
    return answer(status, body, {"Content-Type": content_type, **(headers or {})})


def _body(kind: Kind, body: bytes, **headers: str) -> bytes:
    return answer(200, body, {"Content-Type": kind.ok()[1], **headers}, reason="OK")


def always(make: Callable[[Kind], Action]) -> Callable[[Kind], Callable[[int, Seen], Action]]:
    return lambda kind: lambda n, seen: make(kind)


def first(make: Callable[[Kind], Action]) -> Callable[[Kind], Callable[[int, Seen], Action]]:
    """`make` for the first request, a good answer after it."""
    return lambda kind: lambda n, seen: make(kind) if n == 0 else reply(_ok(kind))


def _key_answer(kind: Kind, der: bytes | None = None, pem: str | None = None) -> bytes:
    """A 200 carrying another key: base64 DER for AWS, PEM text elsewhere."""
    if kind.name == "aws":
        text = base64.b64encode(der).decode() if der is not None else (pem or "")
        return _body(kind, json.dumps({"KeyId": clients.KEY_ID, "PublicKey": text}).encode())
    text = pem if pem is not None else clients.PEM.replace(base64.b64encode(clients.DER).decode()[:10], "")
    if der is not None:
        body = base64.b64encode(der).decode()
        text = "-----BEGIN PUBLIC KEY-----\n" + body + "\n-----END PUBLIC KEY-----\n"
    if kind.name == "alibaba-instance":
        from kms_pubkey_alibaba.instance_proto import GetPublicKeyResponse

        return _body(kind, GetPublicKeyResponse(key_id=clients.KEY_ID, public_key=text).encode())
    field = {"huawei": ("key_id", "public_key")}.get(kind.name, ("KeyId", "PublicKey"))
    extra = {} if kind.name == "huawei" else {"KeyVersionId": clients.KEY_VERSION}
    key_id = clients.HUAWEI_KEY if kind.name == "huawei" else clients.KEY_ID
    return _body(kind, json.dumps({field[0]: key_id, field[1]: text, **extra}).encode())


OTHER_KEY_ID = "5678efab-56ef-78ab-90cd-567890abcdef"


def _naming(kind: Kind, key_id: str | None = None, version: str | None = None) -> bytes:
    """The good answer with its key id replaced (removed when `key_id` is empty) or its key version."""
    if not kind.json:
        from kms_pubkey_alibaba.instance_proto import GetPublicKeyResponse

        body = GetPublicKeyResponse(key_id=key_id or "", public_key=clients.PEM, request_id="req-1")
        return _body(kind, body.encode())
    document = json.loads(kind.ok()[0])
    field = "key_id" if kind.name == "huawei" else "KeyId"
    if key_id:
        document[field] = f"arn:aws:kms:us-east-1:111122223333:key/{key_id}" if kind.name == "aws" else key_id
    elif key_id is not None:
        del document[field]
    if version is not None:
        document["KeyVersionId"] = version
    return _body(kind, json.dumps(document).encode())


HUGE_OID = tlv(
    0x30, tlv(0x30, tlv(0x06, b"\x2a" + b"\xff" * 4000 + b"\x7f")) + tlv(0x03, b"\x00\x04" + b"\x01" * 64)
)


def _unknown_enum(kind: Kind) -> bytes:
    body, _ = kind.ok()
    if not kind.json:
        # An unknown protobuf field (number 9, a string) next to the known ones.
        return _body(kind, body + b"\x4a\x05hello")
    document = json.loads(body)
    if kind.name == "aws":
        document.update(KeyUsage="SOMETHING_NEW", SigningAlgorithms=["ALGORITHM_OF_2030"], NewField=1)
    else:
        document.update(SomethingNew="value", Another={"nested": [1, 2]})
    return _body(kind, json.dumps(document).encode())


def _deep(kind: Kind) -> bytes:
    if kind.json:
        return b'{"PublicKey": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    # Protobuf groups nested past any reason (field 9, start-group).
    return b"\x4b" * 100_000 + b"\x4c" * 100_000


def _retry_after_date() -> str:
    return email.utils.formatdate(time.time() + 2, usegmt=True)


# 20 minutes after the clients' ticking clock starts (Fri, 02 Jan 2026 03:04:05 UTC).
SERVER_DATE = "Fri, 02 Jan 2026 03:24:05 GMT"


def _skew(kind: Kind, date: str | None = SERVER_DATE) -> bytes:
    status, body, content_type = clients.skew_error(kind)
    return answer(status, body, {"Content-Type": content_type, **({"Date": date} if date else {})})


def _skew_then(then: Callable[[Kind], Action]) -> Callable[[Kind], Callable[[int, Seen], Action]]:
    """The vendor's skew error with a usable Date first, then `then` once, then a good answer."""
    steps: list[Callable[[Kind], Action]] = [lambda k: reply(_skew(k)), then]
    return lambda kind: lambda n, seen: steps[n](kind) if n < len(steps) else reply(_ok(kind))


def _gzip_bomb() -> bytes:
    return gzip.compress(b"\x00" * (8 * 1024 * 1024), compresslevel=9)


FAULTS = [
    Fault("ok", always(lambda k: reply(_ok(k))), None, 1),
    Fault("503", always(lambda k: reply(_error(k, 503, "InternalFailure"))), ApiError, 3),
    Fault("503-then-ok", first(lambda k: reply(_error(k, 503, None))), None, 2),
    Fault("502-html", always(lambda k: reply(answer(502, b"<html>bad gateway</html>"))), ApiError, 3),
    Fault(
        "429-code",
        always(lambda k: reply(_error(k, 429, clients.THROTTLE_CODES[k.name]))),
        ThrottlingError,
        3,
    ),
    Fault(
        "429-unknown-code",
        always(lambda k: reply(_error(k, 429, clients.UNKNOWN_CODES[k.name]))),
        ThrottlingError,
        3,
    ),
    Fault("429-no-code", always(lambda k: reply(_error(k, 429, None))), ThrottlingError, 3),
    Fault(
        "retry-after-seconds",
        first(lambda k: reply(_error(k, 429, None, {"Retry-After": "1"}))),
        None,
        2,
        delays=lambda d: d == [1.0],
    ),
    Fault(
        "retry-after-date",
        first(lambda k: reply(_error(k, 429, None, {"Retry-After": _retry_after_date()}))),
        None,
        2,
        delays=lambda d: len(d) == 1 and 0.0 <= d[0] <= 3.0,
    ),
    Fault(
        "retry-after-non-ascii-digit",
        first(lambda k: reply(_error(k, 429, None, {"Retry-After": "¹"}))),
        None,
        2,
        delays=lambda d: len(d) == 1 and d[0] <= defaults.BACKOFF_BASE_SECONDS,  # ignored: backoff instead
    ),
    Fault(
        "retry-after-too-long",
        always(lambda k: reply(_error(k, 429, None, {"Retry-After": "3600"}))),
        ThrottlingError,
        1,
    ),
    Fault("reset", always(lambda k: reset()), TransportError, 3),
    Fault("reset-then-ok", first(lambda k: reset()), None, 2),
    Fault("mid-body-close", always(lambda k: reply(_ok(k)[:-10])), TransportError, 3),
    Fault("never-answers", always(lambda k: hang()), TransportError, 2, retries=1),
    Fault(
        "slow-drip",
        always(lambda k: drip(_ok(k), head_bytes=_ok(k).index(b"\r\n\r\n") + 4, pieces=40, interval=0.05)),
        TransportError,
        2,
        retries=1,
    ),
    Fault(
        "slow-drip-headers",
        always(lambda k: drip(_ok(k), head_bytes=0, pieces=40, interval=0.05)),
        TransportError,
        2,
        retries=1,
    ),
    Fault(
        "malformed-status-line",
        always(lambda k: reply(b"HTTP/1.1 two hundred OK\r\n\r\n")),
        TransportError,
        3,
    ),
    Fault("empty-200", always(lambda k: reply(_body(k, b""))), ResponseError, 1),
    Fault(
        "garbage-200", always(lambda k: reply(_body(k, b"\xff\xfe<<not an answer>>\x00"))), ResponseError, 1
    ),
    Fault("truncated-200", always(lambda k: reply(_body(k, k.ok()[0][:-12]))), ResponseError, 1),
    Fault(
        "oversized-200",
        always(lambda k: reply(_body(k, b" " * (defaults.MAX_ANSWER_BYTES + 1)))),
        ResponseError,
        1,
    ),
    Fault("oversized-chunked", always(lambda k: chunked(200, b" " * 65536, 40)), ResponseError, 1),
    # An error answer past a limit is classed by its status alone: a 500 is retried.
    Fault("oversized-error", always(lambda k: chunked(500, b" " * 65536, 40)), ApiError, 3),
    # 1 MiB of list items: under the size cap, but ~0.5 s of parsing for the generated code.
    Fault("many-values", always(lambda k: reply(_body(k, b"[" + b"1," * 400_000 + b"1]"))), ResponseError, 1),
    Fault(
        "gzip-bomb",
        always(lambda k: reply(_body(k, _gzip_bomb(), **{"Content-Encoding": "gzip"}))),
        ResponseError,
        1,
    ),
    Fault(
        "gzip-ok",
        always(lambda k: reply(_body(k, gzip.compress(k.ok()[0]), **{"Content-Encoding": "gzip"}))),
        None,
        1,
    ),
    Fault(
        "unasked-encoding",
        always(lambda k: reply(_body(k, b"xx", **{"Content-Encoding": "br"}))),
        ResponseError,
        1,
    ),
    Fault("private-key", always(lambda k: reply(_key_answer(k, pem=clients.PRIVATE_PEM))), ResponseError, 1),
    Fault("huge-oid", always(lambda k: reply(_key_answer(k, der=HUGE_OID))), ResponseError, 1),
    Fault("unknown-enum-or-field", always(lambda k: reply(_unknown_enum(k))), None, 1),
    # An answer about another key than asked: a proxy or cache mix-up, never retried into success.
    Fault("wrong-key-id", always(lambda k: reply(_naming(k, key_id=OTHER_KEY_ID))), ResponseError, 1),
    Fault(
        "wrong-key-version",
        always(lambda k: reply(_naming(k, version="key-version-2"))),
        ResponseError,
        1,
        kinds=tuple(k for k in KINDS if k.name.startswith("alibaba-v")),
    ),
    Fault("no-key-id", always(lambda k: reply(_naming(k, key_id=""))), None, 1),
    Fault("deep-nesting-200", always(lambda k: reply(_body(k, _deep(k)))), ResponseError, 1),
    # Clock skew: corrected from the Date and sent again at once, outside max_retries' count.
    Fault("clock-skew-then-ok", _skew_then(lambda k: reply(_ok(k))), None, 2, delays=lambda d: d == []),
    Fault(
        "clock-skew-then-503-then-ok",
        _skew_then(lambda k: reply(_error(k, 503, None))),
        None,
        3,
        retries=1,
    ),
    Fault("clock-skew-max-retries-0", _skew_then(lambda k: reply(_ok(k))), None, 2, retries=0),
    Fault("clock-skew-no-date", always(lambda k: reply(_skew(k, None))), AuthError, 1),
    Fault(
        "clock-skew-bad-date",
        always(lambda k: reply(_skew(k, "Fri, 02 Jan 2026 03:24:05 UTC"))),
        AuthError,
        1,
    ),
    Fault("clock-skew-again", always(lambda k: reply(_skew(k))), AuthError, 2),
    Fault(
        "deep-nesting-error",
        always(lambda k: reply(answer(500, _deep(k), {"Content-Type": k.ok()[1]}))),
        ApiError,
        3,
    ),
]


@pytest.fixture
def delays(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[float]]:
    waited: list[float] = []

    async def asleep(seconds: float) -> None:
        waited.append(seconds)

    monkeypatch.setattr(transport, "default_sleep", waited.append)
    monkeypatch.setattr(transport, "default_async_sleep", asleep)
    yield waited


def _run(kind: Kind, url: str, mode: str, retries: int) -> Any:
    asynchronous = mode != "sync"
    client = kind.build(
        url, asynchronous=asynchronous, timeout=TIMEOUT, max_retries=retries, **TRANSPORTS[mode]()
    )
    if not asynchronous:
        with client:
            return kind.call(client)

    async def main() -> Any:
        async with client:
            return await kind.call(client)

    return asyncio.run(main())


@pytest.mark.parametrize("mode", list(TRANSPORTS))
@pytest.mark.parametrize(
    ("fault", "kind"),
    [pytest.param(f, k, id=f"{f.name}-{k.name}") for f in FAULTS for k in f.kinds],
)
def test_fault(fault: Fault, kind: Kind, mode: str, delays: list[float]) -> None:
    with RawServer(fault.script(kind)) as server:
        if fault.expected is None:
            key = _run(kind, server.url, mode, fault.retries)
            assert key.der == clients.DER
        else:
            with pytest.raises(fault.expected) as caught:
                _run(kind, server.url, mode, fault.retries)
            assert not type(caught.value).__name__.startswith("_"), "only public classes reach the caller"
            if fault.expected is ApiError:
                assert type(caught.value) is ApiError  # not a subclass: neither auth nor throttling
            text = str(caught.value) + repr(caught.value)
            assert not any(secret in text for secret in clients.SECRETS)
    assert len(server.seen) == fault.requests, [s.target for s in server.seen]
    signatures = [kind.signature(seen) for seen in server.seen]
    assert all(signatures), "every attempt is signed"
    if kind is not clients.HUAWEI_TOKEN:
        assert len(set(signatures)) == len(signatures), "each retry is signed afresh"
    if fault.delays is not None:
        assert fault.delays(delays), delays
