"""The lean httpx clients (`kms_pubkey.httpx_clients`): no cookie is kept or sent back, and
a remembered path is still sent under the endpoint's own base path."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from kms_pubkey.httpx_clients import LeanClient
from tests.reliability import clients
from tests.reliability.server import Action, RawServer, Seen, answer, reply
from tests.support.transports import ASYNC_TRANSPORTS, transport_args


def _with_cookie(number: int, seen: Seen) -> Action:
    body, content_type = clients.AWS.ok()
    return reply(
        answer(200, body, {"Content-Type": content_type, "Set-Cookie": f"session=s{number}; Path=/"})
    )


@pytest.mark.parametrize("mode", ["sync", *ASYNC_TRANSPORTS])
def test_a_cookie_set_by_an_answer_is_never_sent_back(mode: str) -> None:
    with RawServer(_with_cookie) as server:
        if mode == "sync":
            with clients.AWS.build(server.url, asynchronous=False) as client:
                for _ in range(2):
                    assert client.get_public_key(clients.KEY_ID).der == clients.DER
        else:

            async def main() -> None:
                async with clients.AWS.build(server.url, asynchronous=True, **transport_args(mode)) as client:
                    for _ in range(2):
                        assert (await client.get_public_key(clients.KEY_ID)).der == clients.DER

            asyncio.run(main())
    assert len(server.seen) == 2
    assert all("cookie" not in seen.headers for seen in server.seen)


def test_merged_urls_keep_the_base_path() -> None:
    client = LeanClient(base_url="http://127.0.0.1:9/prefix")
    first: Any = client.build_request("POST", "/v1.0/p/kms/get-publickey").url
    assert str(first) == "http://127.0.0.1:9/prefix/v1.0/p/kms/get-publickey"
    assert client.build_request("POST", "/v1.0/p/kms/get-publickey").url == first  # from the memo
    assert str(client.build_request("GET", "http://127.0.0.1:9/other").url) == "http://127.0.0.1:9/other"
    with pytest.raises(ValueError, match="no cookies"):
        client.cookies = {"a": "b"}
    client.close()


@pytest.mark.parametrize(
    "params",
    [
        {"KeyId": "key-hzz63a2f9a1b3c7d8e9f0", "KeyVersionId": "2ab1a983-7072-4bbc-a582-584b5bd80000"},
        {"KeyId": "alias/a b+c/d%2F~*\u00e9\U0001f600", "Empty": "", "Odd": "&=?#"},
    ],
)
def test_a_remembered_query_is_what_httpx_itself_sends(params: dict[str, str]) -> None:
    import httpx

    lean = LeanClient(base_url="https://kms.example.test/prefix")
    plain = httpx.Client(base_url="https://kms.example.test/prefix")
    for _ in range(2):  # built, then from the memo
        ours = lean.build_request("POST", "/", params=params).url
        theirs = plain.build_request("POST", "/", params=params).url
        assert (ours.raw_path, str(ours)) == (theirs.raw_path, str(theirs))
    # Not plain text, or a client with parameters of its own: httpx merges them as usual.
    assert (
        lean.build_request("GET", "/", params={"n": 1}).url
        == plain.build_request("GET", "/", params={"n": 1}).url
    )
    with_own = LeanClient(base_url="https://kms.example.test/", params={"a": "1"})
    assert (
        str(with_own.build_request("GET", "/", params={"b": "2"}).url) == "https://kms.example.test/?a=1&b=2"
    )
    for client in (lean, plain, with_own):
        client.close()
