"""Access-key credentials and the env/file look-ups every vendor's chain is built from."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from kms_pubkey.errors import ValidationError
from kms_pubkey.frozen import Frozen

if TYPE_CHECKING:
    import configparser


class Credentials(Frozen):
    """An access key pair, with the temporary-credential token when there is one.

    The secret and the token never appear in a repr, a message or a log.
    """

    __slots__ = ("access_key_id", "expiry", "secret", "source", "token")
    _hidden = frozenset({"secret", "token"})
    access_key_id: str
    secret: str
    token: str | None
    source: str
    expiry: datetime | None
    """When temporary credentials stop working (aware, UTC); None for long-lived keys."""

    def __init__(
        self,
        access_key_id: str,
        secret: str,
        token: str | None = None,
        source: str = "explicit",
        expiry: datetime | None = None,
    ) -> None:
        if not access_key_id or not secret:
            raise ValidationError(f"credentials from {source} need both an access key id and a secret")
        self._set(access_key_id=access_key_id, secret=secret, token=token, source=source, expiry=expiry)


def from_arguments(
    key_id: str | None, secret: str | None, token: str | None, names: tuple[str, str, str]
) -> Credentials | None:
    """The explicit pair, when given: both or neither; a token needs the pair."""
    if key_id or secret:
        if not (key_id and secret):
            raise ValidationError(f"pass both {names[0]} and {names[1]}, or neither")
        return Credentials(key_id, secret, token or None, "arguments")
    if token:
        raise ValidationError(f"{names[2]} was given without {names[0]} and {names[1]}")
    return None


def from_environment(
    env: Mapping[str, str], pairs: tuple[tuple[str, str], ...], token: str
) -> Credentials | None:
    """The first (key id, secret) variable pair that is set, with the token variable beside it."""
    for id_name, secret_name in pairs:
        key_id, secret = env.get(id_name), env.get(secret_name)
        if key_id and secret:
            return Credentials(key_id, secret, env.get(token) or None, "environment")
        if key_id or secret:
            raise ValidationError(f"set both {id_name} and {secret_name}, or neither")
    return None


def first_env(names: tuple[str, ...], environ: Mapping[str, str] | None = None) -> str | None:
    env = os.environ if environ is None else environ
    for name in names:
        value = env.get(name)
        if value:
            return value
    return None


def read_ini(path: Path) -> configparser.RawConfigParser | None:
    """An INI file as the vendor CLIs write it, or None when it does not exist."""
    try:
        with path.open(encoding="utf-8") as handle:
            text = handle.read()
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        raise ValidationError(f"cannot read {path}: {type(exc).__name__}") from None
    import configparser  # only for a file that exists: explicit or env credentials never need it

    parser = configparser.RawConfigParser()
    try:
        parser.read_string(text, source=str(path))
    except configparser.Error as exc:
        raise ValidationError(f"cannot read {path}: {type(exc).__name__}") from None
    return parser


class Fetcher(Frozen):
    """A provider of temporary credentials (metadata service, STS, a process): each call of
    `fetch` gets a fresh set with its `expiry`, or raises `CredentialsError` naming `name`.

    A credential chain returns one of these, not credentials, when its winning provider is a
    remote one: nothing is fetched until the first request needs it, so building a client
    never blocks on the network, and the refresh logic (`kms_pubkey.credential_sources`)
    decides when to call it again.
    """

    __slots__ = ("fetch", "name")
    _hidden = frozenset({"fetch"})
    name: str
    fetch: Callable[[], Credentials]

    def __init__(self, name: str, fetch: Callable[[], Credentials]) -> None:
        self._set(name=name, fetch=fetch)
