"""total_timeout, certificate failures and the answer-size cap, through a real client.

Counts, never durations: how many attempts a total budget allows, how many connections a
certificate failure makes, how many chunks of a hostile body are pulled before refusal.
"""

from __future__ import annotations

import asyncio
import datetime
import gzip
import inspect
import socket
import ssl
import threading
from collections.abc import Iterator

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from kms_pubkey import ResponseError, TransportError, ValidationError, defaults, transport
from kms_pubkey.client_base import VendorClient
from kms_pubkey.errors import CertificateVerificationError
from kms_pubkey.transport import RequestPolicy
from kms_pubkey_aws import AsyncAwsKmsClient, AwsKmsClient
from tests.reliability.server import RawServer, hang

CREDS = {"region": "us-east-1", "access_key_id": "AKIDEXAMPLE", "secret_access_key": "secret"}


@pytest.fixture(autouse=True)
def no_sleep(monkeypatch: pytest.MonkeyPatch) -> None:
    async def no_wait(seconds: float) -> None:
        return None

    monkeypatch.setattr(transport, "default_sleep", lambda seconds: None)
    monkeypatch.setattr(transport, "default_async_sleep", no_wait)


@pytest.mark.parametrize("value", [0, -1, float("inf"), float("nan"), "5", True])
def test_total_timeout_must_be_positive_seconds(value: object) -> None:
    with pytest.raises(ValidationError, match="total_timeout"):
        RequestPolicy(total_timeout=value)  # type: ignore[arg-type]


def test_vendor_open_takes_total_timeout_defaulting_to_none() -> None:
    parameter = inspect.signature(VendorClient._open).parameters["total_timeout"]
    assert parameter.default is None is defaults.TOTAL_TIMEOUT_SECONDS


@pytest.mark.parametrize("asynchronous", [False, True], ids=["sync", "async"])
def test_total_timeout_stops_retrying(asynchronous: bool) -> None:
    # Each attempt hangs until its 0.2 s deadline; 10 retries would be allowed, the 0.5 s total
    # leaves room for three attempts at most (0.2 + 0.2 + the 0.1 that is left).
    with RawServer(lambda n, seen: hang()) as server:
        cls = AsyncAwsKmsClient if asynchronous else AwsKmsClient
        client = cls(endpoint=server.url, timeout=0.2, max_retries=10, total_timeout=0.5, **CREDS)
        with pytest.raises(TransportError, match="timed out"):
            if asynchronous:
                asyncio.run(client.get_public_key("k"))
            else:
                client.get_public_key("k")
    assert 2 <= len(server.seen) <= 3


def _self_signed(host: str) -> tuple[bytes, bytes]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, host)])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return cert.public_bytes(serialization.Encoding.PEM), key_pem


@pytest.fixture
def untrusted_tls(tmp_path: object) -> Iterator[tuple[str, list[int]]]:
    """A TLS server on 127.0.0.1 whose certificate no client trusts; counts connections."""
    from pathlib import Path

    folder = Path(str(tmp_path))
    cert, key = _self_signed("127.0.0.1")
    (folder / "c.pem").write_bytes(cert)
    (folder / "k.pem").write_bytes(key)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(folder / "c.pem", folder / "k.pem")
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    listener.settimeout(0.05)
    stop, accepted = threading.Event(), [0]

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            accepted[0] += 1
            conn.settimeout(5)
            try:
                context.wrap_socket(conn, server_side=True).close()
            except (OSError, ssl.SSLError):
                conn.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"https://127.0.0.1:{listener.getsockname()[1]}", accepted
    finally:
        stop.set()
        thread.join(5)
        listener.close()


@pytest.mark.parametrize("asynchronous", [False, True], ids=["sync", "async"])
def test_certificate_failure_is_named_and_not_retried(
    untrusted_tls: tuple[str, list[int]], asynchronous: bool
) -> None:
    url, accepted = untrusted_tls
    cls = AsyncAwsKmsClient if asynchronous else AwsKmsClient
    client = cls(endpoint=url, timeout=5.0, max_retries=3, **CREDS)
    with pytest.raises(CertificateVerificationError) as caught:
        if asynchronous:
            asyncio.run(client.get_public_key("k"))
        else:
            client.get_public_key("k")
    assert isinstance(caught.value, TransportError)
    assert "certificate verification failed for 127.0.0.1" in str(caught.value)
    assert accepted[0] == 1


class _Pulled:
    """A response body that counts how many of its chunks were taken."""

    def __init__(self, chunk: bytes, count: int) -> None:
        self.chunk, self.count, self.pulled = chunk, count, 0

    def __iter__(self) -> Iterator[bytes]:
        for _ in range(self.count):
            self.pulled += 1
            yield self.chunk


@pytest.mark.parametrize(("encoding", "chunk"), [(None, b" " * 65536), ("gzip", None)])
def test_oversized_body_is_refused_without_reading_past_the_cap(
    encoding: str | None, chunk: bytes | None
) -> None:
    if encoding == "gzip":
        # One gzip member cut into 4 KiB slices: each slice inflates to about 4 MiB of zeros.
        bomb = gzip.compress(b"\x00" * (64 * 1024 * 1024), compresslevel=9)
        slices = [bomb[i : i + 4096] for i in range(0, len(bomb), 4096)]
        body = _Pulled(b"", 0)

        def chunks() -> Iterator[bytes]:
            for piece in slices:
                body.pulled += 1
                yield piece

        stream: object = chunks()
        total = len(slices)
    else:
        body = _Pulled(chunk or b"", 100)
        stream, total = body, 100
    headers = {"Content-Encoding": encoding} if encoding else {}

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, headers=headers, content=stream)  # type: ignore[arg-type]

    client = AwsKmsClient(endpoint="https://127.0.0.1", transport=httpx.MockTransport(handler), **CREDS)
    with pytest.raises(ResponseError, match="larger than"):
        client.get_public_key("k")
    assert 0 < body.pulled < total
    if encoding is None:
        assert body.pulled <= defaults.MAX_ANSWER_BYTES // 65536 + 1


@pytest.mark.parametrize("asynchronous", [False, True], ids=["sync", "async"])
def test_in_memory_body_is_read_by_either_client(asynchronous: bool) -> None:
    # httpx.ByteStream is both a sync and an async stream: the guard must wrap it as the client's kind.
    from tests.reliability import clients

    body, content_type = clients.AWS.ok()

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=body, headers={"Content-Type": content_type})

    mock = httpx.MockTransport(handler)
    if asynchronous:

        async def main() -> bytes:
            async with AsyncAwsKmsClient(endpoint="https://127.0.0.1", transport=mock, **CREDS) as client:
                return (await client.get_public_key(clients.KEY_ID)).der

        assert asyncio.run(main()) == clients.DER
    else:
        with AwsKmsClient(endpoint="https://127.0.0.1", transport=mock, **CREDS) as client:
            assert client.get_public_key(clients.KEY_ID).der == clients.DER


@pytest.mark.parametrize("asynchronous", [False, True], ids=["sync", "async"])
def test_dripped_headers_cannot_hold_an_attempt(asynchronous: bool) -> None:
    # 4 KiB of headers, 8 bytes at a time: all of it would take ~5 s. Every single read returns
    # well within the read timeout, so only a deadline over the whole attempt stops it early;
    # we count how much of the head the server got to send before the client hung up.
    head = b"HTTP/1.1 200 OK\r\nX-Pad: " + b"a" * 4096 + b"\r\nContent-Length: 0\r\n\r\n"
    pieces = [head[i : i + 8] for i in range(0, len(head), 8)]
    sent = [0]

    def act(conn: socket.socket, stop: threading.Event) -> None:
        for piece in pieces:
            if stop.wait(0.01):
                return
            conn.sendall(piece)
            sent[0] += 1

    with RawServer(lambda n, seen: act) as server:
        cls = AsyncAwsKmsClient if asynchronous else AwsKmsClient
        client = cls(endpoint=server.url, timeout=0.3, max_retries=0, **CREDS)
        with pytest.raises(TransportError, match="timed out"):
            if asynchronous:
                asyncio.run(client.get_public_key("k"))
            else:
                client.get_public_key("k")
    assert len(server.seen) == 1
    assert sent[0] < len(pieces) // 2, (sent[0], len(pieces))
