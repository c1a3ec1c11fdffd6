"""`kms_pubkey.aiohttp_transport`: what the shared client tests do not cover by themselves.

The fault matrix (tests/reliability) and every vendor's async emulator test run over both
transports (`tests.support.transports`); here: cancellation, sharing one transport between
clients, TLS settings per client, and that the default install never imports aiohttp.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
import threading
from typing import Any

import pytest

from kms_pubkey import CertificateVerificationError, ValidationError
from kms_pubkey.aiohttp_transport import AiohttpTransport
from kms_pubkey_aws import AsyncAwsKmsClient, AwsKmsClient
from tests.reliability import clients
from tests.reliability.server import Action, RawServer, Seen, answer, hang, reply
from tests.support.tls import serve_over_tls
from tests.support.transports import ASYNC_TRANSPORTS, transport_args


def test_importing_and_building_the_clients_does_not_import_aiohttp() -> None:
    code = (
        "import sys, asyncio\n"
        "import kms_pubkey, kms_pubkey_aws, kms_pubkey_alibaba, kms_pubkey_huawei\n"
        "from kms_pubkey_aws import AsyncAwsKmsClient\n"
        "async def main():\n"
        "    async with AsyncAwsKmsClient('us-east-1', access_key_id='a', secret_access_key='b'):\n"
        "        pass\n"
        "asyncio.run(main())\n"
        "assert 'aiohttp' not in sys.modules, 'aiohttp imported'\n"
        "print('clean')\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "clean"


def _first_hangs(seen_first: threading.Event) -> Any:
    """The first request hangs (until the server stops); every later one gets a good answer."""

    def script(number: int, seen: Seen) -> Action:
        if number == 0:
            seen_first.set()
            return hang()
        body, content_type = clients.AWS.ok()
        return reply(answer(200, body, {"Content-Type": content_type, "Connection": "keep-alive"}))

    return script


@pytest.mark.parametrize("transport", ASYNC_TRANSPORTS)
def test_a_cancelled_call_raises_cancelled_and_leaves_the_client_usable(transport: str) -> None:
    seen_first = threading.Event()
    with RawServer(_first_hangs(seen_first)) as server:

        async def main() -> bytes:
            client = clients.AWS.build(server.url, asynchronous=True, **transport_args(transport))
            async with client:
                task = asyncio.create_task(clients.AWS.call(client))
                for _ in range(500):  # bounded: until the server holds the request
                    if seen_first.is_set():
                        break
                    await asyncio.sleep(0.01)
                assert seen_first.is_set()
                task.cancel()
                with pytest.raises(asyncio.CancelledError):
                    await task
                key = await clients.AWS.call(client)
                return bytes(key.der)

        assert asyncio.run(main()) == clients.DER
        assert len(server.seen) == 2  # the cancelled attempt was not retried


def _always_ok(kind: clients.Kind) -> Any:
    def script(number: int, seen: Seen) -> Action:
        body, content_type = kind.ok()
        return reply(answer(200, body, {"Content-Type": content_type}))

    return script


def test_one_transport_serves_several_clients_and_closes_with_the_last() -> None:
    transport = AiohttpTransport()
    with RawServer(_always_ok(clients.AWS)) as aws, RawServer(_always_ok(clients.HUAWEI)) as huawei:

        async def main() -> None:
            first = clients.AWS.build(aws.url, asynchronous=True, transport=transport)
            second = clients.HUAWEI.build(huawei.url, asynchronous=True, transport=transport)
            unused = clients.AWS.build(aws.url, asynchronous=True, transport=transport)
            assert (await clients.AWS.call(first)).der == clients.DER
            assert (await clients.HUAWEI.call(second)).der == clients.DER
            session = transport._session
            assert session is not None
            await first.close()
            assert (await clients.HUAWEI.call(second)).der == clients.DER  # still open for the others
            await unused.close()
            assert not session.closed
            await second.close()
            assert session.closed  # the last client took it down

        asyncio.run(main())


def test_a_caller_session_is_left_open() -> None:
    import aiohttp

    with RawServer(_always_ok(clients.AWS)) as server:

        async def main() -> None:
            async with aiohttp.ClientSession(auto_decompress=False) as session:
                client = clients.AWS.build(server.url, asynchronous=True, transport=AiohttpTransport(session))
                async with client:
                    assert (await clients.AWS.call(client)).der == clients.DER
                assert not session.closed

        asyncio.run(main())


def test_a_sync_client_refuses_it() -> None:
    with pytest.raises(ValidationError, match="async clients only"):
        AwsKmsClient(
            "us-east-1",
            access_key_id="a",
            secret_access_key="b",
            transport=AiohttpTransport(),  # type: ignore[arg-type]
        )


@pytest.mark.integration
def test_each_client_keeps_its_own_ca_on_a_shared_transport(emulator: Any) -> None:
    """The transport is shared, the trust is not: the client given the emulator's CA gets the
    key over TLS, the one without it is refused by certificate verification, not retried."""
    transport = AiohttpTransport()
    key_id = emulator.keys_for("aws")[0].key_id
    c = emulator.config
    keys = {"access_key_id": c.access_key_id, "secret_access_key": c.secret_access_key}
    with serve_over_tls(emulator) as url:

        async def main() -> None:
            trusted = AsyncAwsKmsClient(
                "us-east-1", endpoint=url, ca_bundle=str(emulator.ca_file), transport=transport, **keys
            )
            untrusted = AsyncAwsKmsClient("us-east-1", endpoint=url, transport=transport, **keys)
            async with trusted, untrusted:
                assert (await trusted.get_public_key(key_id)).vendor == "aws"
                with pytest.raises(CertificateVerificationError):
                    await untrusted.get_public_key(key_id)
                assert (await trusted.get_public_key(key_id)).vendor == "aws"

        asyncio.run(main())
