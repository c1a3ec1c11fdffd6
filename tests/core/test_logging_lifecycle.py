"""The SDK's log records, transport error messages and closed clients, against a real 127.0.0.1 server.

The server answers 503 once and then a valid answer in the vendor's own shape, so each call makes
exactly two attempts. Every vendor's secret, session token, Authorization value and signature are
then searched for in every record the `kms_pubkey` logger emitted.
"""

from __future__ import annotations

import asyncio
import base64
import json
import logging
import socket
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from kms_pubkey import ClientClosedError, KmsError, TransportError, transport
from kms_pubkey_alibaba import AlibabaKmsClient, AsyncAlibabaKmsClient
from kms_pubkey_aws import AsyncAwsKmsClient, AwsKmsClient
from kms_pubkey_huawei import AsyncHuaweiKmsClient, HuaweiKmsClient

_KEY = ec.generate_private_key(ec.SECP256R1()).public_key()
DER = _KEY.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
PEM = _KEY.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()

SECRET = "sEcReT-value-0123456789"
TOKEN = "ToKeN/value+0123456789=="
HUAWEI_KEY_ID = "0d0466b0-e727-4d9c-b35d-f84bb474a37f"
PROJECT = "0123456789abcdef0123456789abcdef"

ANSWERS: dict[str, bytes] = {
    "aws": json.dumps({"KeyId": "k", "PublicKey": base64.b64encode(DER).decode()}).encode(),
    "alibaba": json.dumps({"KeyId": "k", "KeyVersionId": "v", "PublicKey": PEM, "RequestId": "r"}).encode(),
    "huawei": json.dumps({"key_id": HUAWEI_KEY_ID, "public_key": PEM}).encode(),
}


class _Server:
    """Answers 503 for the first `failures` requests, then the vendor's valid answer; records headers."""

    def __init__(self, body: bytes, failures: int = 1) -> None:
        self.body = body
        self.failures = failures
        self.seen: list[tuple[str, dict[str, str]]] = []
        self.lock = threading.Lock()


def _handler(state: _Server) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("content-length", "0")))
            with state.lock:
                state.seen.append((self.path, {k.lower(): v for k, v in self.headers.items()}))
                fail = len(state.seen) <= state.failures
            status, body = (503, b"") if fail else (200, state.body)
            self.send_response(status)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    return Handler


@pytest.fixture
def serve() -> Iterator[Callable[[bytes], tuple[str, _Server]]]:
    started: list[tuple[ThreadingHTTPServer, threading.Thread]] = []

    def start(body: bytes) -> tuple[str, _Server]:
        state = _Server(body)
        httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
        thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        thread.start()
        started.append((httpd, thread))
        return f"http://127.0.0.1:{httpd.server_address[1]}", state

    yield start
    for httpd, thread in started:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)


@pytest.fixture(autouse=True)
def no_sleep(monkeypatch: pytest.MonkeyPatch) -> None:
    async def nothing(seconds: float) -> None:
        pass

    monkeypatch.setattr(transport, "default_sleep", lambda seconds: None)
    monkeypatch.setattr(transport, "default_async_sleep", nothing)


def _clients(vendor: str, url: str, asynchronous: bool) -> Any:
    if vendor == "aws":
        cls: Any = AsyncAwsKmsClient if asynchronous else AwsKmsClient
        return cls(
            "us-east-1", endpoint=url, access_key_id="AKIDLOG", secret_access_key=SECRET, session_token=TOKEN
        ), ("alias/x",)
    if vendor.startswith("alibaba"):
        cls = AsyncAlibabaKmsClient if asynchronous else AlibabaKmsClient
        version = "v1" if vendor.endswith("v1") else "v3"
        return cls(
            "cn-hangzhou",
            endpoint=url,
            access_key_id="AKIDLOG",
            access_key_secret=SECRET,
            security_token=TOKEN,
            signature_version=version,
        ), ("k", "v")
    cls = AsyncHuaweiKmsClient if asynchronous else HuaweiKmsClient
    return cls(
        "cn-north-4",
        endpoint=url,
        project_id=PROJECT,
        access_key="AKIDLOG",
        secret_key=SECRET,
        security_token=TOKEN,
    ), (HUAWEI_KEY_ID,)


def _fetch(vendor: str, url: str, asynchronous: bool) -> Any:
    client, args = _clients(vendor, url, asynchronous)
    if not asynchronous:
        with client:
            return client.get_public_key(*args)

    async def run() -> Any:
        async with client:
            return await client.get_public_key(*args)

    return asyncio.run(run())


VENDORS = ["aws", "alibaba-v3", "alibaba-v1", "huawei"]


@pytest.mark.parametrize("asynchronous", [False, True], ids=["sync", "async"])
@pytest.mark.parametrize("vendor", VENDORS)
def test_one_debug_record_per_attempt_one_info_per_retry_and_no_secret(
    vendor: str, asynchronous: bool, serve: Any, caplog: pytest.LogCaptureFixture
) -> None:
    url, state = serve(ANSWERS[vendor.split("-")[0]])
    caplog.set_level(logging.DEBUG, logger="kms_pubkey")
    key = _fetch(vendor, url, asynchronous)
    assert key.der == DER
    assert len(state.seen) == 2

    ours = [r for r in caplog.records if r.name == "kms_pubkey"]
    debug = [r.getMessage() for r in ours if r.levelno == logging.DEBUG]
    info = [r.getMessage() for r in ours if r.levelno == logging.INFO]
    path = state.seen[0][0].split("?")[0]
    name = "aws" if vendor == "aws" else vendor.split("-")[0]
    operation = "ShowPublicKey" if vendor == "huawei" else "GetPublicKey"
    assert debug == [
        f"{name} {operation}: attempt 1: POST {url}{path} -> 503",
        f"{name} {operation}: attempt 2: POST {url}{path} -> 200",
    ]
    assert len(info) == 1
    assert info[0].startswith(f"{name} {operation}: attempt 1 of 4 failed (HTTP 503); retrying in ")

    # What a leak would look like: every credential-bearing header value and query parameter sent.
    forbidden = {SECRET, TOKEN, "AKIDLOG"}
    for request_path, headers in state.seen:
        forbidden.update(
            v
            for k, v in headers.items()
            if k in ("authorization", "x-amz-security-token", "x-acs-security-token", "x-security-token")
        )
        if "?" in request_path:
            forbidden.add(request_path.split("?", 1)[1])
            forbidden.update(
                p.split("=", 1)[1]
                for p in request_path.split("?", 1)[1].split("&")
                if p.split("=", 1)[0] in ("Signature", "SecurityToken", "AccessKeyId")
            )
    forbidden.discard("")
    text = "\n".join(debug + info)
    for value in forbidden:
        assert value not in text


def test_nothing_is_logged_at_the_default_level(serve: Any, caplog: pytest.LogCaptureFixture) -> None:
    url, _ = serve(ANSWERS["aws"])
    caplog.set_level(logging.WARNING, logger="kms_pubkey")
    _fetch("aws", url, asynchronous=False)
    assert [r for r in caplog.records if r.name == "kms_pubkey"] == []


def _closed_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.parametrize("asynchronous", [False, True], ids=["sync", "async"])
def test_transport_error_names_the_origin_and_the_attempts(
    asynchronous: bool, caplog: pytest.LogCaptureFixture
) -> None:
    port = _closed_port()
    caplog.set_level(logging.DEBUG, logger="kms_pubkey")
    with pytest.raises(TransportError) as caught:
        _fetch("aws", f"http://127.0.0.1:{port}", asynchronous)
    message = str(caught.value)
    origin = f"http://127.0.0.1:{port}"
    assert message.startswith(f"aws GetPublicKey: could not connect to {origin} after 4 attempts: ")
    assert "[Errno 111]" in message  # the OS reason, sync and async alike
    assert SECRET not in message and TOKEN not in message
    ours = [r for r in caplog.records if r.name == "kms_pubkey"]
    assert [r.levelno for r in ours] == [logging.DEBUG, logging.INFO] * 3 + [logging.DEBUG]
    assert ours[0].getMessage() == f"aws GetPublicKey: attempt 1: POST {origin} -> ConnectError"


def test_one_attempt_is_said_in_the_singular() -> None:
    port = _closed_port()
    client = AwsKmsClient(
        "us-east-1",
        endpoint=f"http://127.0.0.1:{port}",
        access_key_id="A",
        secret_access_key=SECRET,
        max_retries=0,
    )
    with client, pytest.raises(TransportError, match=r"after 1 attempt: "):
        client.get_public_key("k")


# --- closed clients -------------------------------------------------------------------------------


@pytest.mark.parametrize("vendor", VENDORS)
def test_a_closed_client_says_so_and_sends_nothing(vendor: str, serve: Any) -> None:
    url, state = serve(ANSWERS[vendor.split("-")[0]])
    client, args = _clients(vendor, url, asynchronous=False)
    with client:
        client.get_public_key(*args)
    sent = len(state.seen)
    with pytest.raises(ClientClosedError, match=r"^this \S+ client is closed; create a new one$"):
        client.get_public_key(*args)
    assert len(state.seen) == sent
    assert isinstance(ClientClosedError("x"), KmsError)


@pytest.mark.parametrize("vendor", VENDORS)
def test_a_closed_async_client_says_so_and_sends_nothing(vendor: str, serve: Any) -> None:
    url, state = serve(ANSWERS[vendor.split("-")[0]])
    client, args = _clients(vendor, url, asynchronous=True)

    async def run() -> None:
        async with client:
            await client.get_public_key(*args)
        with pytest.raises(ClientClosedError):
            await client.get_public_key(*args)

    asyncio.run(run())
    assert len(state.seen) == 2  # the 503 and the answer; nothing after close


@pytest.mark.parametrize("asynchronous", [False, True], ids=["sync", "async"])
def test_closing_an_unused_client_builds_no_http_client(asynchronous: bool) -> None:
    client, _ = _clients("aws", "http://127.0.0.1:9", asynchronous)
    if asynchronous:
        asyncio.run(client.close())
        assert client._api._async_client is None
    else:
        client.close()
        assert client._api._client is None
    with pytest.raises(ClientClosedError):
        if asynchronous:
            asyncio.run(client.get_public_key("k"))
        else:
            client.get_public_key("k")
