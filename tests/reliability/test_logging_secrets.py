"""No secret, token, signature or Authorization value reaches a DEBUG record of ours, httpx or httpcore.

Each credential kind makes one call that fails once (503) and is retried, so the retry
lines are logged too. What must stay out is taken from what the server received (the
Authorization header and its signature, the token headers, Alibaba v1's Signature and
SecurityToken query values) and from the credentials given.
"""

from __future__ import annotations

import asyncio
import logging
import re

import pytest

from kms_pubkey import log_masking, transport
from tests.reliability import clients
from tests.reliability.clients import LOGGED_KINDS, Kind
from tests.reliability.server import RawServer, Seen, answer, reply

LOGGERS = ("kms_pubkey", "httpx", "httpcore")


def _secret_parts(value: str) -> set[str]:
    """The value itself and each long piece of it (a signature inside an Authorization header)."""
    pieces = {value} if value else set()
    for piece in re.split(r"[\s,=]+", value):
        if len(piece) >= 16 and not piece.startswith(("AWS4-", "ACS3-", "SDK-")):
            pieces.add(piece)
    return pieces


def _script(kind: Kind):  # type: ignore[no-untyped-def]
    def play(n: int, seen: Seen):  # type: ignore[no-untyped-def]
        if n == 0:
            return reply(answer(503, b"busy"))
        body, content_type = kind.ok()
        return reply(answer(200, body, {"Content-Type": content_type}, reason="OK"))

    return play


@pytest.mark.parametrize("asynchronous", [False, True], ids=["sync", "async"])
@pytest.mark.parametrize("kind", LOGGED_KINDS, ids=[k.name for k in LOGGED_KINDS])
def test_no_secret_in_any_record(
    kind: Kind, asynchronous: bool, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def no_wait(seconds: float) -> None:
        return None

    monkeypatch.setattr(transport, "default_sleep", lambda seconds: None)
    monkeypatch.setattr(transport, "default_async_sleep", no_wait)
    caplog.set_level(logging.DEBUG)
    with RawServer(_script(kind)) as server:
        client = kind.build(server.url, asynchronous=asynchronous, timeout=5.0, max_retries=1)
        if asynchronous:

            async def main() -> None:
                async with client:
                    await kind.call(client)

            asyncio.run(main())
        else:
            with client:
                kind.call(client)
    assert len(server.seen) == 2
    secrets = set(clients.SECRETS)
    for seen in server.seen:
        for value in kind.secrets_on_wire(seen):
            secrets |= _secret_parts(value)
    assert any(kind.signature(seen) for seen in server.seen)
    records = [r for r in caplog.records if r.name.split(".")[0] in LOGGERS]
    names = {r.name.split(".")[0] for r in records}
    assert names == set(LOGGERS), names  # every source did log: the check below is not vacuous
    assert any("retrying" in r.getMessage() for r in records)
    for record in records:
        text = record.getMessage() + repr(record.args) + (record.exc_text or "")
        leaked = [s for s in secrets if s in text]
        assert not leaked, (record.name, text)


def test_v1_query_is_masked_but_kept_readable(caplog: pytest.LogCaptureFixture) -> None:
    """The httpx request line still shows the call, only the secret values are masked."""
    caplog.set_level(logging.INFO)
    record = logging.LogRecord(
        "httpx",
        logging.INFO,
        __file__,
        1,
        "HTTP Request: %s %s",
        ("POST", "https://h/?A=1&Signature=abc%2Bdef&SecurityToken=t0k&B=2"),
        None,
    )
    log_masking.install_log_filter()
    assert logging.getLogger("httpx").filters
    for f in logging.getLogger("httpx").filters:
        f.filter(record)  # type: ignore[union-attr]
    assert record.getMessage() == "HTTP Request: POST https://h/?A=1&Signature=***&SecurityToken=***&B=2"
