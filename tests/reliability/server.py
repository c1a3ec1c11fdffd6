"""A raw-socket HTTP/1.1 server on 127.0.0.1 that plays scripted faults, byte for byte.

Unlike http.server it can answer with anything: a reset, half a body, a malformed status
line, nothing at all, or a valid answer dripped slowly. Each request it reads completely is
recorded (`Seen`); the script decides what the n-th request (from 0) gets. Every wait is
bounded and `stop()` ends every connection, so a test never hangs on it.
"""

from __future__ import annotations

import contextlib
import socket
import struct
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlsplit

MAX_WAIT = 10.0


@dataclass
class Seen:
    method: str
    target: str
    headers: dict[str, str]
    body: bytes

    @property
    def query(self) -> dict[str, str]:
        return dict(parse_qsl(urlsplit(self.target).query, keep_blank_values=True))


Action = Callable[[socket.socket, threading.Event], None]
Script = Callable[[int, Seen], Action]


def answer(
    status: int,
    body: bytes = b"",
    headers: dict[str, str] | None = None,
    *,
    reason: str = "Whatever",
    length: int | None = None,
) -> bytes:
    """The bytes of a whole HTTP/1.1 answer (Connection: close); `length` overrides Content-Length."""
    fields = {"Connection": "close", "Content-Length": str(len(body) if length is None else length)}
    fields.update(headers or {})
    head = f"HTTP/1.1 {status} {reason}\r\n" + "".join(f"{k}: {v}\r\n" for k, v in fields.items())
    return head.encode("latin-1") + b"\r\n" + body


def reply(raw: bytes) -> Action:
    """Send `raw`, then close; a head promising more body than `raw` holds is a mid-body close."""

    def act(conn: socket.socket, stop: threading.Event) -> None:
        conn.sendall(raw)

    return act


def reset() -> Action:
    def act(conn: socket.socket, stop: threading.Event) -> None:
        conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))  # close sends RST

    return act


def hang() -> Action:
    def act(conn: socket.socket, stop: threading.Event) -> None:
        stop.wait(MAX_WAIT)

    return act


def drip(raw: bytes, *, head_bytes: int, pieces: int, interval: float) -> Action:
    """Send the head at once, then the rest in `pieces` slices `interval` seconds apart."""

    def act(conn: socket.socket, stop: threading.Event) -> None:
        conn.sendall(raw[:head_bytes])
        rest = raw[head_bytes:]
        size = max(1, len(rest) // pieces + 1)
        for start in range(0, len(rest), size):
            if stop.wait(interval):
                return
            conn.sendall(rest[start : start + size])

    return act


def chunked(status: int, chunk: bytes, count: int, headers: dict[str, str] | None = None) -> Action:
    """A chunked answer of `count` chunks, no Content-Length: its size is learnt only by reading."""

    def act(conn: socket.socket, stop: threading.Event) -> None:
        fields = {"Connection": "close", "Transfer-Encoding": "chunked", **(headers or {})}
        head = f"HTTP/1.1 {status} OK\r\n" + "".join(f"{k}: {v}\r\n" for k, v in fields.items())
        conn.sendall(head.encode("latin-1") + b"\r\n")
        piece = f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n"
        for _ in range(count):
            if stop.is_set():
                return
            conn.sendall(piece)
        conn.sendall(b"0\r\n\r\n")

    return act


class RawServer:
    def __init__(self, script: Script) -> None:
        self.script = script
        self.seen: list[Seen] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(64)
        self._sock.settimeout(0.05)
        self._threads: list[threading.Thread] = []
        self._accepter = threading.Thread(target=self._accept, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._sock.getsockname()[1]}"

    def __enter__(self) -> RawServer:
        self._accepter.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def stop(self) -> None:
        self._stop.set()
        self._accepter.join(MAX_WAIT)
        for thread in self._threads:
            thread.join(MAX_WAIT)
        self._sock.close()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            thread = threading.Thread(target=self._serve, args=(conn,), daemon=True)
            self._threads.append(thread)
            thread.start()

    def _serve(self, conn: socket.socket) -> None:
        conn.settimeout(MAX_WAIT)
        try:
            seen = _read_request(conn)
            if seen is None:
                return
            with self._lock:
                number = len(self.seen)
                self.seen.append(seen)
            self.script(number, seen)(conn, self._stop)
        except OSError:
            pass  # the client gave up first (closed, reset): that is its right
        finally:
            with contextlib.suppress(OSError):
                conn.close()


def _read_request(conn: socket.socket) -> Seen | None:
    data = b""
    deadline = time.monotonic() + MAX_WAIT
    while b"\r\n\r\n" not in data:
        if time.monotonic() > deadline or len(data) > 1 << 20:
            return None
        piece = conn.recv(65536)
        if not piece:
            return None
        data += piece
    head, body = data.split(b"\r\n\r\n", 1)
    lines = head.decode("latin-1").split("\r\n")
    method, target, _ = lines[0].split(" ", 2)
    headers: dict[str, str] = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    length = int(headers.get("content-length", "0"))
    while len(body) < length:
        piece = conn.recv(65536)
        if not piece:
            break
        body += piece
    return Seen(method, target, headers, body)
