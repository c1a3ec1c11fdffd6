"""Loopback server for `make bench`: every request gets a canned GetPublicKey answer,
naming the key id (and version) the request asked for.

It speaks just enough HTTP/1.1 (keep-alive, Content-Length bodies) to answer each
vendor's client as fast as possible, so the benchmark measures the client, not the server.
The vendor is picked from the request:
- `X-Amz-Target` header: AWS KMS JSON (base64 DER SPKI, KeySpec, algorithms);
- a path containing `/kms/get-publickey`: Huawei KMS JSON (PEM);
- anything else: Alibaba KMS JSON (PEM).

`GET /_count` answers the number of GetPublicKey requests answered so far.

Usage: python server.py [--port N] [--lifetime SECONDS]
It prints `READY <port>` once it listens, and stops by itself when stdin closes
(its parent went away) or when the lifetime runs out, whichever is first.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import re
import sys
import threading
import uuid

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

KEY_ID = "1234abcd-12ab-34cd-56ef-1234567890ab"
AWS_ARN = f"arn:aws:kms:us-east-1:111122223333:key/{KEY_ID}"
HUAWEI_KEY_ID = "0d0466b0-e727-4d9c-b35d-f84bb474a37f"
ALIBABA_VERSION_ID = "2ab1a983-7072-4bbc-a582-584b5bd8****".replace("*", "0")


SCALE_PREFIX = "5ca1e000-"
"""Key ids starting with this get a key of their own (EC P-256, made on first request), for
the scale figure; every other key id gets the one RSA-2048 key."""

RSA_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048).public_key()
REQUEST_ID = str(uuid.UUID(int=1))


def _body(vendor: str, key_id: str, version: str | None) -> tuple[bytes, bytes]:
    """(extra headers, body) of one vendor's answer for `key_id`, named as the client asked."""
    key = ec.generate_private_key(ec.SECP256R1()).public_key() if key_id.startswith(SCALE_PREFIX) else RSA_KEY
    der = key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    pem = key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode()
    rsa_key = key is RSA_KEY
    if vendor == "aws":
        arn = key_id if key_id.startswith("arn:") else f"arn:aws:kms:us-east-1:111122223333:key/{key_id}"
        spec = "RSA_2048" if rsa_key else "ECC_NIST_P256"
        algorithms = (
            [f"RSASSA_{pad}_SHA_{bits}" for pad in ("PKCS1_V1_5", "PSS") for bits in (256, 384, 512)]
            if rsa_key
            else ["ECDSA_SHA_256"]
        )
        body = {
            "CustomerMasterKeySpec": spec,
            "KeyId": arn,
            "KeySpec": spec,
            "KeyUsage": "SIGN_VERIFY",
            "PublicKey": base64.b64encode(der).decode(),
            "SigningAlgorithms": algorithms,
        }
        headers = b"Content-Type: application/x-amz-json-1.1\r\nx-amzn-RequestId: "
    elif vendor == "alibaba":
        body = {"RequestId": REQUEST_ID, "KeyId": key_id, "KeyVersionId": version, "PublicKey": pem}
        headers = b"Content-Type: application/json;charset=utf-8\r\nx-acs-request-id: "
    else:
        body = {"key_id": key_id, "public_key": pem}
        headers = b"Content-Type: application/json;charset=UTF-8\r\nX-Request-Id: "
    return headers + REQUEST_ID.encode() + b"\r\n", json.dumps(body).encode()


def _response(vendor: str, key_id: str, version: str | None) -> bytes:
    headers, body = _body(vendor, key_id, version)
    return (
        b"HTTP/1.1 200 OK\r\nServer: kms-bench\r\nConnection: keep-alive\r\n"
        + headers
        + b"Content-Length: "
        + str(len(body)).encode()
        + b"\r\n\r\n"
        + body
    )


ANSWERED = [0]
"""GetPublicKey requests answered so far (`GET /_count` tells): the KMS calls of a figure."""
RESPONSES: dict[tuple[str, bytes, bytes], bytes] = {}
"""Every answer made so far, by (vendor, key id, key version) as the request named them."""


JSON_KEY_ID = {
    "aws": re.compile(rb'"KeyId"\s*:\s*"([^"]*)"'),
    "huawei": re.compile(rb'"key_id"\s*:\s*"([^"]*)"'),
}
QUERY = re.compile(rb"[?&](KeyId|KeyVersionId)=([^& ]*)")


def answer(vendor: str, request_line: bytes, body: bytes) -> bytes:
    """The answer for the key (and version) the request names: AWS and Huawei in the JSON
    body, Alibaba in the query (percent-encoded ids are not used here)."""
    if vendor in JSON_KEY_ID:
        found_id = JSON_KEY_ID[vendor].search(body)
        key_id, version = (found_id.group(1) if found_id else b""), b""
    else:
        query = dict(QUERY.findall(request_line))
        key_id, version = query.get(b"KeyId", b""), query.get(b"KeyVersionId", b"")
    found = RESPONSES.get((vendor, key_id, version))
    if found is None:
        found = RESPONSES[(vendor, key_id, version)] = _response(
            vendor, key_id.decode(), version.decode() or None
        )
    return found


class Handler(asyncio.Protocol):
    def __init__(self) -> None:
        self.buffer = b""
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while True:
            end = self.buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            head = self.buffer[:end].lower()
            length = 0
            at = head.find(b"\r\ncontent-length:")
            if at >= 0:
                stop = head.find(b"\r\n", at + 2)
                length = int(head[at + 17 : stop if stop >= 0 else None])
            total = end + 4 + length
            if len(self.buffer) < total:
                return
            body = self.buffer[end + 4 : total]
            raw_line = self.buffer[: self.buffer.find(b"\r\n")]  # head is lower-cased; ids keep their case
            self.buffer = self.buffer[total:]
            line = head[: head.find(b"\r\n")]
            assert self.transport is not None
            if line.startswith(b"get /_count "):
                count = str(ANSWERED[0]).encode()
                self.transport.write(
                    b"HTTP/1.1 200 OK\r\nContent-Length: " + str(len(count)).encode() + b"\r\n\r\n" + count
                )
                continue
            ANSWERED[0] += 1
            if b"\r\nx-amz-target:" in head:
                vendor = "aws"
            elif b"/kms/get-publickey" in line:
                vendor = "huawei"
            else:
                vendor = "alibaba"
            self.transport.write(answer(vendor, raw_line, body))


async def _serve(port: int, lifetime: float) -> None:
    loop = asyncio.get_running_loop()
    server = await loop.create_server(Handler, "127.0.0.1", port, backlog=1024)
    print(f"READY {server.sockets[0].getsockname()[1]}", flush=True)
    stdin_closed = asyncio.Event()

    def watch_stdin() -> None:
        sys.stdin.buffer.read()
        loop.call_soon_threadsafe(stdin_closed.set)

    threading.Thread(target=watch_stdin, daemon=True).start()
    try:
        await asyncio.wait_for(stdin_closed.wait(), timeout=lifetime)
    except TimeoutError:
        print("bench server: lifetime over, stopping", file=sys.stderr)
    server.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--lifetime", type=float, default=900.0)
    args = parser.parse_args()
    asyncio.run(_serve(args.port, args.lifetime))


if __name__ == "__main__":
    main()
