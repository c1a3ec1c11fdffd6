"""The JWKS apps in real servers on 127.0.0.1: `JwksApp` under werkzeug's server (WSGI),
`AsyncJwksApp` under uvicorn (ASGI). httpx is the client.

Checked: the document and its media type, `Cache-Control`, a strong `ETag`, 304 for a matching
`If-None-Match` (RFC 9110 13.1.2: weak comparison, `*`, lists), HEAD, 405, a new ETag when the
keys change, and 503 (not cached) when the keys cannot be loaded.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import uvicorn
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from joserfc.jwk import KeySet
from werkzeug.serving import make_server

import kms_pubkey
from kms_pubkey import AsyncJwksApp, JwksApp, NotFoundError, PublicKey, load_public_key

pytestmark = pytest.mark.integration

START_TIMEOUT = 30.0


def new_key(kind: str) -> PublicKey:
    private: Any = (
        ec.generate_private_key(ec.SECP256R1()) if kind == "ec" else ed25519.Ed25519PrivateKey.generate()
    )
    der = private.public_key().public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)
    return load_public_key(der, vendor="aws", key_usage="SIGN_VERIFY")


class Source:
    """The keys the app asks for; counts the calls, and can fail like a KMS."""

    def __init__(self) -> None:
        self.keys = [new_key("ec"), new_key("ed")]
        self.calls = 0
        self.failing = False

    def get(self) -> list[PublicKey]:
        self.calls += 1
        if self.failing:
            raise NotFoundError("key disabled", vendor="aws", status_code=400, code="NotFoundException")
        return list(self.keys)

    async def aget(self) -> list[PublicKey]:
        return self.get()


def serve_wsgi(app: Any) -> tuple[str, Any]:
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()

    def stop() -> None:
        server.shutdown()
        thread.join(timeout=10)

    return f"http://127.0.0.1:{server.server_port}", stop


def serve_asgi(app: Any) -> tuple[str, Any]:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, lifespan="on", log_level="warning"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + START_TIMEOUT
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)

    def stop() -> None:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()
        assert not thread.is_alive()

    return f"http://127.0.0.1:{sock.getsockname()[1]}", stop


@pytest.fixture(params=["wsgi-werkzeug", "asgi-uvicorn"])
def served(request: pytest.FixtureRequest) -> Iterator[tuple[str, Source]]:
    source = Source()
    if request.param == "wsgi-werkzeug":
        url, stop = serve_wsgi(JwksApp(source.get, max_age=60))
    else:
        url, stop = serve_asgi(AsyncJwksApp(source.aget, max_age=60))
    try:
        yield url + "/.well-known/jwks.json", source
    finally:
        stop()


def test_document_and_caching_headers(served: tuple[str, Source]) -> None:
    url, source = served
    with httpx.Client(timeout=10) as client:
        first = client.get(url)
        assert first.status_code == 200
        assert first.headers["content-type"] == "application/jwk-set+json"
        assert first.headers["cache-control"] == "public, max-age=60"
        etag = first.headers["etag"]
        assert etag.startswith('"') and etag.endswith('"') and not etag.startswith("W/")
        document = first.json()
        assert document == kms_pubkey.jwks(source.keys)
        assert [k.kid for k in KeySet.import_key_set(document).keys] == [k["kid"] for k in document["keys"]]
        assert int(first.headers["content-length"]) == len(first.content)

        again = client.get(url, headers={"If-None-Match": etag})
        assert again.status_code == 304 and again.content == b""
        assert again.headers["etag"] == etag and again.headers["cache-control"] == "public, max-age=60"
        for matching in (f"W/{etag}", f'"other", {etag}', "*"):
            assert client.get(url, headers={"If-None-Match": matching}).status_code == 304, matching
        assert client.get(url, headers={"If-None-Match": '"other"'}).status_code == 200

        head = client.head(url)
        assert head.status_code == 200 and head.content == b""
        assert (
            head.headers["etag"] == etag and head.headers["content-length"] == first.headers["content-length"]
        )


def test_other_methods_get_405(served: tuple[str, Source]) -> None:
    url, source = served
    calls = source.calls
    for method in ("POST", "PUT", "DELETE", "PATCH"):
        answer = httpx.request(method, url, timeout=10)
        assert answer.status_code == 405, method
        assert answer.headers["allow"] == "GET, HEAD"
    assert source.calls == calls  # refused before the keys are asked for


def test_new_keys_new_etag_and_errors_are_not_cached(served: tuple[str, Source]) -> None:
    url, source = served
    with httpx.Client(timeout=10) as client:
        old = client.get(url)
        source.keys = [*source.keys, new_key("ec")]
        new = client.get(url, headers={"If-None-Match": old.headers["etag"]})
        assert new.status_code == 200 and new.headers["etag"] != old.headers["etag"]
        assert len(json.loads(new.content)["keys"]) == 3
        source.failing = True
        failed = client.get(url)
        assert failed.status_code == 503
        assert failed.headers["cache-control"] == "no-store" and "etag" not in failed.headers
        assert b"key disabled" not in failed.content  # the service's words stay in the log
        source.failing = False
        assert client.get(url, headers={"If-None-Match": new.headers["etag"]}).status_code == 304


def test_max_age_is_checked() -> None:
    with pytest.raises(kms_pubkey.ValidationError):
        JwksApp(list, max_age=-1)
