"""The async clients' HTTP transports: every async client test parametrized over these runs
over httpx's own transport and over `kms_pubkey.aiohttp_transport` (`kms-pubkey[aiohttp]`)."""

from __future__ import annotations

from typing import Any

ASYNC_TRANSPORTS = ("httpx", "aiohttp")


def transport_args(name: str) -> dict[str, Any]:
    """The client keyword arguments that select the transport `name` (none for httpx's own)."""
    if name == "httpx":
        return {}
    from kms_pubkey.aiohttp_transport import AiohttpTransport

    return {"transport": AiohttpTransport()}
