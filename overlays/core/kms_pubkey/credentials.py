"""Access-key credentials and the env/file look-ups every vendor's chain is built from."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import attrs

from kms_pubkey.errors import ValidationError

if TYPE_CHECKING:
    import configparser


@attrs.frozen
class Credentials:
    """An access key pair, with the temporary-credential token when there is one.

    The secret and the token never appear in a repr, a message or a log.
    """

    access_key_id: str
    secret: str = attrs.field(repr=False)
    token: str | None = attrs.field(default=None, repr=False)
    source: str = "explicit"
    expiry: datetime | None = None
    """When temporary credentials stop working (aware, UTC); None for long-lived keys."""

    def __attrs_post_init__(self) -> None:
        if not self.access_key_id or not self.secret:
            raise ValidationError(f"credentials from {self.source} need both an access key id and a secret")


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
    import configparser  # only when a file is read: explicit or env credentials never need it

    parser = configparser.RawConfigParser()
    try:
        with path.open(encoding="utf-8") as handle:
            parser.read_file(handle)
    except FileNotFoundError:
        return None
    except (OSError, configparser.Error, UnicodeDecodeError) as exc:
        raise ValidationError(f"cannot read {path}: {type(exc).__name__}") from None
    return parser


@attrs.frozen
class Fetcher:
    """A provider of temporary credentials (metadata service, STS, a process): each call of
    `fetch` gets a fresh set with its `expiry`, or raises `CredentialsError` naming `name`.

    A credential chain returns one of these, not credentials, when its winning provider is a
    remote one: nothing is fetched until the first request needs it, so building a client
    never blocks on the network, and the refresh logic (`kms_pubkey.credential_sources`)
    decides when to call it again.
    """

    name: str
    fetch: Callable[[], Credentials] = attrs.field(repr=False)
