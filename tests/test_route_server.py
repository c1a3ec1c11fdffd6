"""The scripted server the credential tests use answers what it is told and records requests."""

import httpx

from tests.support.route_server import Reply, serve_routes


def test_route_server_answers_and_records() -> None:
    with serve_routes() as server:
        server.route("PUT", "/token", Reply(200, "tok", {"X-Ttl": "21600"}))
        server.route("GET", "/echo", lambda seen: Reply(201, seen.headers.get("x-a", "none")))
        put = httpx.put(f"{server.url}/token", headers={"X-Ask": "1"}, timeout=5)
        echo = httpx.get(f"{server.url}/echo?q=1", headers={"X-A": "b"}, timeout=5)
        missing = httpx.get(f"{server.url}/nope", timeout=5)
    assert (put.status_code, put.text, put.headers["x-ttl"]) == (200, "tok", "21600")
    assert (echo.status_code, echo.text) == (201, "b")
    assert missing.status_code == 404
    assert server.count("GET", "/echo") == 1 and server.seen[0].headers["x-ask"] == "1"
