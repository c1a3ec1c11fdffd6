"""A scripted HTTP server on 127.0.0.1 for credential providers' peers: metadata services,
container endpoints, STS stand-ins. Each route answers from a list the test sets, and every
request is recorded, so a test can assert what was asked and how often.

It is a real socket server (http.server in a thread), not a mock transport: the providers
and the official libraries used as oracles reach it over TCP exactly as they would reach the
real service.
"""

from __future__ import annotations

import http.server
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field


@dataclass
class Reply:
    status: int = 200
    body: bytes | str = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    """Seconds to wait before answering: a slow metadata service, for timeout tests."""


@dataclass
class Seen:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


Handler = Callable[[Seen], Reply]


@dataclass
class RouteServer:
    url: str = ""
    routes: dict[tuple[str, str], Handler | Reply] = field(default_factory=dict)
    """(method, path without query) -> the reply, or a function of the request that makes one."""
    seen: list[Seen] = field(default_factory=list)

    def route(self, method: str, path: str, reply: Handler | Reply) -> None:
        self.routes[(method, path)] = reply

    def count(self, method: str, path: str) -> int:
        return sum(1 for s in self.seen if s.method == method and s.path.split("?")[0] == path)


@contextmanager
def serve_routes() -> Iterator[RouteServer]:
    """A `RouteServer` on 127.0.0.1 at a free port, stopped (with a bounded join) on exit.
    An unknown route answers 404."""
    state = RouteServer()
    stop = threading.Event()

    class _Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _answer(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            seen = Seen(
                self.command,
                self.path,
                {k.lower(): v for k, v in self.headers.items()},
                self.rfile.read(length),
            )
            state.seen.append(seen)
            reply = state.routes.get((self.command, self.path.split("?")[0]))
            made = Reply(404, b"not found") if reply is None else reply(seen) if callable(reply) else reply
            if made.delay:
                stop.wait(made.delay)
            body = made.body.encode() if isinstance(made.body, str) else made.body
            self.send_response(made.status)
            for name, value in made.headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_PUT = do_POST = _answer

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield state
    finally:
        stop.set()
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
