"""`AiohttpTransport`: the async clients' HTTP over aiohttp (`pip install 'kms-pubkey[aiohttp]'`).

httpx keeps the API, the signing flow, the hooks and the retry loop; only the socket-level
HTTP/1.1 goes through aiohttp, whose connection pool and C parser cost far less per request
than httpcore's under many concurrent tasks. Give it to any async client as `transport=`:

    transport = AiohttpTransport()
    async with AsyncAwsKmsClient("us-east-1", transport=transport) as client: ...

One instance may serve many clients, which then share its connection pool. Each client
binds its own TLS settings (`ca_bundle`, `ca_file`) per request, so clients that trust
different CAs never share a connection. The session the transport made is closed when the
last client using it closes; a session given as `session=` belongs to the caller.

Written here rather than taken from httpx-aiohttp (which the Stainless SDKs use) so that
every aiohttp failure maps onto the httpx exception our retry rules and messages expect:
a reset or a malformed answer is a read error, not a connect timeout, and a certificate
failure keeps its `ssl` error as the cause.
"""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager

import httpx

try:
    import aiohttp
    from yarl import URL
except ModuleNotFoundError as missing:  # the default install has no aiohttp
    raise ModuleNotFoundError(
        "kms_pubkey.aiohttp_transport needs aiohttp: pip install 'kms-pubkey[aiohttp]'", name=missing.name
    ) from None

from kms_pubkey.shared_transport import SharedTransport

DEFAULT_CONNECTIONS = 100
"""Connections per transport, as httpx's default pool allows."""


class AiohttpTransport(SharedTransport):
    """An httpx async transport over one aiohttp `ClientSession`, shared by the clients given it."""

    def __init__(self, session: aiohttp.ClientSession | None = None, *, limit: int = DEFAULT_CONNECTIONS):
        self._session = session
        self._owned = session is None
        self._limit = limit
        self._users = 0
        self._default_tls: ssl.SSLContext | None = None

    def bind(self, verify: ssl.SSLContext | bool) -> httpx.AsyncBaseTransport:
        self._users += 1
        return _Bound(self, verify)

    def _session_now(self) -> aiohttp.ClientSession:
        """The session, made on first use: aiohttp wants it made inside the running loop."""
        session = self._session
        if session is None or (self._owned and session.closed):
            connector = aiohttp.TCPConnector(limit=self._limit)
            # gzip and deflate are decoded by kms_pubkey.answer_guard, under the answer-size cap.
            session = self._session = aiohttp.ClientSession(connector=connector, auto_decompress=False)
        return session

    def _tls(self, verify: ssl.SSLContext | bool) -> ssl.SSLContext | bool:
        """What aiohttp is given for TLS: the client's context, or httpx's default trust (certifi)."""
        if verify is True:
            if self._default_tls is None:
                self._default_tls = httpx.create_ssl_context()
            return self._default_tls
        return verify

    async def _release(self) -> None:
        self._users -= 1
        if self._users <= 0 and self._owned and self._session is not None:
            session, self._session = self._session, None
            await session.close()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        return await _send(self, request, True)

    async def aclose(self) -> None:
        """Close the session this transport made (the clients using it can no longer send)."""
        if self._owned and self._session is not None:
            session, self._session = self._session, None
            await session.close()


class _Bound(httpx.AsyncBaseTransport):
    """One client's view of a shared transport: its TLS settings, and its share of the session."""

    def __init__(self, shared: AiohttpTransport, verify: ssl.SSLContext | bool) -> None:
        self._shared, self._verify = shared, verify
        self._closed = False

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        return await _send(self._shared, request, self._verify)

    async def aclose(self) -> None:
        if not self._closed:
            self._closed = True
            await self._shared._release()


async def _send(
    shared: AiohttpTransport, request: httpx.Request, verify: ssl.SSLContext | bool
) -> httpx.Response:
    url = request.url
    tls = shared._tls(verify) if url.scheme == "https" else True
    extensions = request.extensions
    timeouts = extensions.get("timeout") or {}
    timeout = aiohttp.ClientTimeout(
        total=None,
        connect=timeouts.get("pool"),
        sock_connect=timeouts.get("connect"),
        sock_read=timeouts.get("read"),
    )
    body = request.content  # the generated client sends bytes; signing has read it already
    with _mapped(request):
        answer = await shared._session_now().request(
            request.method,
            URL(str(url), encoded=True),  # as signed: yarl must not requote the query
            # The raw pairs, as UTF-8 (what aiohttp writes): httpx's decoded views would
            # re-detect the encoding for every item.
            headers=[(name.decode(), value.decode()) for name, value in request.headers.raw],
            data=body or None,
            allow_redirects=False,
            timeout=timeout,
            ssl=tls,
            server_hostname=extensions.get("sni_hostname"),
        )
    reason = answer.reason
    return httpx.Response(
        answer.status,
        headers=answer.raw_headers,
        stream=_Body(answer, request),
        request=request,
        extensions={"http_version": b"HTTP/1.1", "reason_phrase": reason.encode() if reason else b""},
    )


class _Body(httpx.AsyncByteStream):
    def __init__(self, answer: aiohttp.ClientResponse, request: httpx.Request) -> None:
        self._answer, self._request = answer, request

    async def __aiter__(self) -> AsyncIterator[bytes]:
        content = self._answer.content
        with _mapped(self._request):
            while chunk := await content.readany():
                yield chunk

    async def aclose(self) -> None:
        # A body read to its end hands the connection back to the pool; any other is closed.
        self._answer.release()


@contextmanager
def _mapped(request: httpx.Request) -> Iterator[None]:
    """aiohttp's failures as the httpx exceptions the retry loop classifies."""
    try:
        yield
    except asyncio.CancelledError:
        raise
    except aiohttp.ClientConnectorCertificateError as exc:
        raise httpx.ConnectError(str(exc), request=request) from exc.certificate_error
    except aiohttp.ClientConnectorError as exc:
        raise httpx.ConnectError(str(exc), request=request) from exc
    except aiohttp.ConnectionTimeoutError as exc:
        raise httpx.ConnectTimeout(str(exc) or "connect timed out", request=request) from exc
    except aiohttp.ServerTimeoutError as exc:
        raise httpx.ReadTimeout(str(exc) or "read timed out", request=request) from exc
    except aiohttp.InvalidURL as exc:
        raise httpx.UnsupportedProtocol(str(exc), request=request) from exc
    except aiohttp.ClientResponseError as exc:  # the answer is not HTTP/1.1 (aiohttp's parser)
        raise httpx.RemoteProtocolError(exc.message or "malformed answer", request=request) from exc
    except (aiohttp.ClientError, OSError) as exc:  # reset, disconnected, payload cut short
        raise httpx.ReadError(str(exc) or type(exc).__name__, request=request) from exc
