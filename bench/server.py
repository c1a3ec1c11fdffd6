"""Loopback server for `make bench`: every request gets a canned GetPublicKey answer.

It speaks just enough HTTP/1.1 (keep-alive, Content-Length bodies) to answer each
vendor's client as fast as possible, so the benchmark measures the client, not the server.
The vendor is picked from the request:
- `X-Amz-Target` header: AWS KMS JSON (base64 DER SPKI, KeySpec, algorithms);
- a path containing `/kms/get-publickey`: Huawei KMS JSON (PEM);
- anything else: Alibaba KMS JSON (PEM).

Usage: python server.py [--port N] [--lifetime SECONDS]
It prints `READY <port>` once it listens, and stops by itself when stdin closes
(its parent went away) or when the lifetime runs out, whichever is first.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import sys
import threading
import uuid

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

KEY_ID = "1234abcd-12ab-34cd-56ef-1234567890ab"
AWS_ARN = f"arn:aws:kms:us-east-1:111122223333:key/{KEY_ID}"
HUAWEI_KEY_ID = "0d0466b0-e727-4d9c-b35d-f84bb474a37f"
ALIBABA_VERSION_ID = "2ab1a983-7072-4bbc-a582-584b5bd8****".replace("*", "0")


def _bodies() -> dict[str, tuple[bytes, bytes]]:
    """(extra headers, body) per vendor, for one fresh RSA-2048 key."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048).public_key()
    der = key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    pem = key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode()
    request_id = str(uuid.UUID(int=1))
    aws = {
        "CustomerMasterKeySpec": "RSA_2048",
        "KeyId": AWS_ARN,
        "KeySpec": "RSA_2048",
        "KeyUsage": "SIGN_VERIFY",
        "PublicKey": base64.b64encode(der).decode(),
        "SigningAlgorithms": [
            "RSASSA_PKCS1_V1_5_SHA_256",
            "RSASSA_PKCS1_V1_5_SHA_384",
            "RSASSA_PKCS1_V1_5_SHA_512",
            "RSASSA_PSS_SHA_256",
            "RSASSA_PSS_SHA_384",
            "RSASSA_PSS_SHA_512",
        ],
    }
    alibaba = {
        "RequestId": request_id,
        "KeyId": KEY_ID,
        "KeyVersionId": ALIBABA_VERSION_ID,
        "PublicKey": pem,
    }
    huawei = {"key_id": HUAWEI_KEY_ID, "public_key": pem}
    return {
        "aws": (
            b"Content-Type: application/x-amz-json-1.1\r\nx-amzn-RequestId: " + request_id.encode() + b"\r\n",
            json.dumps(aws).encode(),
        ),
        "alibaba": (
            b"Content-Type: application/json;charset=utf-8\r\nx-acs-request-id: "
            + request_id.encode()
            + b"\r\n",
            json.dumps(alibaba).encode(),
        ),
        "huawei": (
            b"Content-Type: application/json;charset=UTF-8\r\nX-Request-Id: " + request_id.encode() + b"\r\n",
            json.dumps(huawei).encode(),
        ),
    }


def _responses() -> dict[str, bytes]:
    out = {}
    for vendor, (headers, body) in _bodies().items():
        out[vendor] = (
            b"HTTP/1.1 200 OK\r\nServer: kms-bench\r\nConnection: keep-alive\r\n"
            + headers
            + b"Content-Length: "
            + str(len(body)).encode()
            + b"\r\n\r\n"
            + body
        )
    return out


RESPONSES = _responses()


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
            self.buffer = self.buffer[total:]
            if b"\r\nx-amz-target:" in head:
                vendor = "aws"
            elif b"/kms/get-publickey" in head[: head.find(b"\r\n")]:
                vendor = "huawei"
            else:
                vendor = "alibaba"
            assert self.transport is not None
            self.transport.write(RESPONSES[vendor])


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
