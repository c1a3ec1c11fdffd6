"""`fetch(uri)` and `afetch(uri)`: the key a URI names, through whichever vendor wheel is installed.

Each vendor wheel declares a `UriScheme` per scheme under the entry point group
`kms_pubkey.key_uris`; core opens that vendor's client with the URI's place and the caller's
options, asks for the key, and closes the client. Credentials come from the vendor's usual
chain (or from the options, as the vendor's client takes them).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from kms_pubkey.errors import ValidationError
from kms_pubkey.frozen import Frozen
from kms_pubkey.key_uri import KeyUri, parse_key_uri
from kms_pubkey.plugins import KEY_URI_GROUP, VENDOR_WHEELS, load_one
from kms_pubkey.public_key import PublicKey


class UriScheme(Frozen):
    """How a vendor wheel fetches the keys of one URI scheme.

    `settings(uri, options)` gives the client's keyword arguments: the caller's `options`
    with the URI's region and endpoint added (an `endpoint=` option, a full URL, wins over
    the URI's, so a test can point an https URI at a plain-http emulator).
    `arguments(uri)` gives `get_public_key`'s positional arguments.
    """

    __slots__ = ("arguments", "async_client", "scheme", "settings", "sync_client")
    scheme: str
    sync_client: Callable[..., Any]
    async_client: Callable[..., Any]
    settings: Callable[[KeyUri, Mapping[str, Any]], dict[str, Any]]
    arguments: Callable[[KeyUri], tuple[str, ...]]

    def __init__(
        self,
        scheme: str,
        sync_client: Callable[..., Any],
        async_client: Callable[..., Any],
        settings: Callable[[KeyUri, Mapping[str, Any]], dict[str, Any]],
        arguments: Callable[[KeyUri], tuple[str, ...]],
    ) -> None:
        self._set(
            scheme=scheme,
            sync_client=sync_client,
            async_client=async_client,
            settings=settings,
            arguments=arguments,
        )


_FOUND: dict[str, UriScheme] = {}  # schemes already looked up: entry points are slow to scan


def scheme_for(uri: KeyUri) -> UriScheme:
    """The installed `UriScheme` for the URI, or a `ValidationError` naming the wheel to install."""
    found = _FOUND.get(uri.scheme)
    if found is None:
        loaded = load_one(KEY_URI_GROUP, uri.scheme)
        if not isinstance(loaded, UriScheme):
            wheel = VENDOR_WHEELS[uri.vendor]
            raise ValidationError(f"{uri.scheme}:// keys need the {wheel} wheel: pip install {wheel}")
        found = _FOUND[uri.scheme] = loaded
    return found


def fetch(uri: str | KeyUri, **client_options: Any) -> PublicKey:
    """The public key `uri` names. `client_options` go to the vendor's client (timeout=, profile=...)."""
    parsed = parse_key_uri(uri)
    scheme = scheme_for(parsed)
    with scheme.sync_client(**scheme.settings(parsed, client_options)) as client:
        key: PublicKey = client.get_public_key(*scheme.arguments(parsed))
        return key


async def afetch(uri: str | KeyUri, **client_options: Any) -> PublicKey:
    """The async twin of `fetch`."""
    parsed = parse_key_uri(uri)
    scheme = scheme_for(parsed)
    async with scheme.async_client(**scheme.settings(parsed, client_options)) as client:
        key: PublicKey = await client.get_public_key(*scheme.arguments(parsed))
        return key


def place(uri: KeyUri, options: Mapping[str, Any]) -> dict[str, Any]:
    """`options` with the URI's `region` and `endpoint` (https) added where the caller gave none.

    A region written in the URI (an ARN's, or PLACE) is where the key lives, so it wins over a
    `region=` option.
    """
    settings = dict(options)
    if uri.region is not None:
        settings["region"] = uri.region
    if settings.get("endpoint") is None and uri.endpoint_url is not None:
        settings["endpoint"] = uri.endpoint_url
    return settings
