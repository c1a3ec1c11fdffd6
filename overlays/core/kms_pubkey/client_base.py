"""The sync and async clients every vendor gets from its declaration (`kms_pubkey.vendor.Vendor`).

A vendor client writes its constructor once (the public keyword arguments, turned into
`Settings`) and a two-line `get_public_key` per twin; the generated client's settings,
lifecycle, retries, errors, repr and the checks on the answer's fields live here.
"""

from __future__ import annotations

import ssl
import sys
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, ClassVar, Generic, Self, TypeGuard, TypeVar

import httpx

from kms_pubkey import defaults, transport
from kms_pubkey.endpoints import is_loopback
from kms_pubkey.errors import ClientClosedError, KmsError, ResponseError, ValidationError
from kms_pubkey.frozen import Frozen
from kms_pubkey.httpx_clients import lean_client
from kms_pubkey.log_masking import install_log_filter
from kms_pubkey.public_key import PublicKey, from_service
from kms_pubkey.transport import OffsetClock, RequestPolicy
from kms_pubkey.vendor import Answer, Vendor, error_from_response

if TYPE_CHECKING:
    from kms_pubkey.shared_transport import SharedTransport

USER_AGENT = f"{defaults.USER_AGENT} python/{sys.version_info[0]}.{sys.version_info[1]}"

TransportT = TypeVar("TransportT", httpx.BaseTransport, httpx.AsyncBaseTransport)


class Settings(Frozen):
    """What a vendor makes of its constructor's arguments."""

    __slots__ = ("auth", "carries", "endpoint", "region", "secrets", "shown", "verify")
    _hidden = frozenset({"secrets"})
    endpoint: str
    auth: httpx.Auth
    region: str | None
    secrets: tuple[str | None, ...] | Callable[[], tuple[str, ...]]
    """Masked in any message the service echoes back (secret key, session token...): fixed
    values, or a function giving the current ones (`CredentialSource.secrets`, for
    credentials that are refreshed while the client lives)."""
    verify: ssl.SSLContext | bool
    shown: tuple[tuple[str, str], ...]
    """More (name, value) pairs for the repr and attributes, e.g. the signature version."""
    carries: str | None
    """What replayable credential each request carries ("a session token", ...), if any:
    it is then sent over https only (or plain http to a loopback address, for emulators)."""

    def __init__(
        self,
        endpoint: str,
        auth: httpx.Auth,
        region: str | None = None,
        secrets: tuple[str | None, ...] | Callable[[], tuple[str, ...]] = (),
        verify: ssl.SSLContext | bool = True,
        shown: tuple[tuple[str, str], ...] = (),
        carries: str | None = None,
    ) -> None:
        self._set(
            endpoint=endpoint,
            auth=auth,
            region=region,
            secrets=secrets,
            verify=verify,
            shown=shown,
            carries=carries,
        )


def offset_clock(auth: httpx.Auth) -> OffsetClock | None:
    """The signer's clock, wrapped in this client's own `OffsetClock` so a server's `Date` can
    correct it; None for a signer that puts no time in the request (an IAM token).

    Every signer keeps the clock its constructor was given as `_clock` and reads it once per
    attempt, so the wrapping here is all a vendor needs for clock-skew correction.
    """
    clock = getattr(auth, "_clock", None)
    if not callable(clock):
        return None
    wrapped = OffsetClock(clock)
    setattr(auth, "_clock", wrapped)  # noqa: B010 - the signer's own attribute, by convention
    return wrapped


def generated_client_args(
    vendor: Vendor,
    settings: Settings,
    policy: RequestPolicy,
    *,
    asynchronous: bool,
    transport: httpx.BaseTransport | httpx.AsyncBaseTransport | None = None,
) -> dict[str, Any]:
    """Keyword arguments for any generated `Client`: one policy for every vendor."""
    sync_hooks, async_hooks = transport_hooks(vendor, current_secrets(settings))
    httpx_args: dict[str, Any] = {
        "auth": settings.auth,
        "event_hooks": async_hooks if asynchronous else sync_hooks,
    }
    if transport is not None:
        httpx_args["transport"] = transport
    return {
        "base_url": settings.endpoint,
        "timeout": policy.httpx_timeout(),
        "verify_ssl": settings.verify,
        "follow_redirects": False,
        "raise_on_unexpected_status": False,
        # Only what kms_pubkey.transport decodes itself, under the answer-size cap (httpx adds br, zstd).
        "headers": {"User-Agent": USER_AGENT, "Accept-Encoding": "gzip, deflate"},
        "httpx_args": httpx_args,
    }


def current_secrets(settings: Settings) -> Callable[[], tuple[str, ...]]:
    """The settings' secrets as a function, read again for every error answer."""
    secrets = settings.secrets
    if callable(secrets):
        return secrets
    fixed = tuple(s for s in secrets if s)
    return lambda: fixed


def transport_hooks(
    vendor: Vendor, secrets: Callable[[], tuple[str, ...]]
) -> tuple[dict[str, list[Any]], dict[str, list[Any]]]:
    return transport.error_hooks(lambda response: error_from_response(vendor, response, secrets()))


def public_key(vendor: Vendor, answer: Answer, headers: Mapping[str, str]) -> PublicKey:
    """The key an answer carries, the generated model taken as it is: its parser has already
    refused any field of the wrong JSON type, and its enums are plain strings (literal_enums),
    so absent (UNSET) becomes None, nothing more."""
    unset = vendor.unset
    key_text: Any = answer.public_key
    if key_text is None or key_text is unset:
        key_text = ""
    if len(key_text) > defaults.MAX_KEY_TEXT_BYTES:
        # Bounded before any reading, so an async client never spends long on one.
        raise ResponseError(
            f"{vendor.name} answered {vendor.operation.name} with a public key of {len(key_text)} "
            "characters, far more than a key"
        )
    # Field by field rather than a loop over names: this runs for every answer.
    given: Any = answer  # its values as the parser made them (see above)
    request_id = given.request_id
    if request_id is unset:
        request_id = None
    if not request_id and vendor.request_id_header:
        request_id = headers.get(vendor.request_id_header)
    key_id, version, spec, usage = given.key_id, given.key_version_id, given.key_spec, given.key_usage
    signing, encryption = given.signing_algorithms, given.encryption_algorithms
    agreement, encapsulation = given.key_agreement_algorithms, given.encapsulation_algorithms
    return from_service(
        key_text,
        vendor=vendor.name,
        vocabulary=vendor.vocabulary,
        key_id=None if key_id is unset else key_id,
        key_version_id=None if version is unset else version,
        key_spec=None if spec is unset else spec,
        key_usage=None if usage is unset else usage,
        request_id=request_id,
        signing_algorithms=() if signing is None or signing is unset else tuple(signing),
        encryption_algorithms=() if encryption is None or encryption is unset else tuple(encryption),
        key_agreement_algorithms=() if agreement is None or agreement is unset else tuple(agreement),
        encapsulation_algorithms=()
        if encapsulation is None or encapsulation is unset
        else tuple(encapsulation),
    )


def _key_part(key: str) -> str:
    """The key id in a key ARN (its tail after the last "key/"), or the id itself."""
    return key.rpartition("key/")[2]


def check_asked(vendor: Vendor, asked: tuple[str, str | None], key: PublicKey) -> None:
    """Refuse an answer about another key or key version than the request named, so that a
    mix-up at a proxy or cache never hands over the wrong key. An alias names no key id to
    compare with, and an answer without a key id (some gateways omit it) has nothing to compare."""
    key_id, version = asked
    answered = key.key_id
    if (
        answered is not None
        and answered != key_id  # the usual answer: the id asked for, as it was asked
        and "alias/" not in key_id
        and _key_part(answered) != _key_part(key_id)
    ):
        raise ResponseError(
            f"{vendor.name} answered {vendor.operation.name} for key {answered!r}, "
            f"but key {key_id!r} was asked for"
        )
    if version is not None and key.key_version_id is not None and key.key_version_id != version:
        raise ResponseError(
            f"{vendor.name} answered {vendor.operation.name} with key version {key.key_version_id!r}, "
            f"but version {version!r} was asked for"
        )


def _is_shared(transport: object) -> TypeGuard[SharedTransport]:
    """Whether `transport` is a `SharedTransport`. Only a program that has imported that module
    can have made one, so a client given no shared transport never loads it."""
    module = sys.modules.get("kms_pubkey.shared_transport")
    return module is not None and isinstance(transport, module.SharedTransport)


class VendorClient(Generic[TransportT]):
    """What a sync and an async client share: settings, attributes, repr, the closed state."""

    _declaration: ClassVar[Vendor]
    _asynchronous: ClassVar[bool]
    vendor: str
    endpoint: str
    region: str | None
    _shown: tuple[tuple[str, str], ...]

    def _open(
        self,
        settings: Settings,
        timeout: float,
        max_retries: int,
        transport: TransportT | None,
        total_timeout: float | None = defaults.TOTAL_TIMEOUT_SECONDS,
    ) -> None:
        declaration = self._declaration
        if (
            settings.carries
            and httpx.URL(settings.endpoint).scheme != "https"
            and not is_loopback(settings.endpoint)
        ):
            raise ValidationError(
                f"{declaration.name}: refusing to send {settings.carries} over plain http to "
                f"{settings.endpoint}: use an https:// endpoint (plain http only reaches a loopback address)"
            )
        self._policy = RequestPolicy(
            timeout=timeout,
            max_retries=max_retries,
            total_timeout=total_timeout,
            clock=offset_clock(settings.auth),
        )
        install_log_filter()
        self.vendor = declaration.name
        self.endpoint = settings.endpoint
        self.region = settings.region
        self._shown = settings.shown
        for name, value in settings.shown:
            setattr(self, name, value)
        self._what = f"{declaration.name} {declaration.operation.name}"
        given: httpx.BaseTransport | httpx.AsyncBaseTransport | None = transport
        if _is_shared(given):
            if not self._asynchronous:
                raise ValidationError(f"{type(given).__name__} serves async clients only")
            # This client's view: its own TLS settings, and its share closed with it.
            given = given.bind(settings.verify)
        args = generated_client_args(
            declaration, settings, self._policy, asynchronous=self._asynchronous, transport=given
        )
        self._api = declaration.api(**args)
        # The httpx client the generated one would make, lean (`kms_pubkey.httpx_clients`); its
        # default transport (connection pool, TLS context) is built by the first request.
        made = lean_client(args, asynchronous=self._asynchronous)
        if isinstance(made, httpx.AsyncClient):
            self._api.set_async_httpx_client(made)
        else:
            self._api.set_httpx_client(made)
        self._closed = False

    def __repr__(self) -> str:
        pairs: list[tuple[str, str]] = [("vendor", self.vendor), ("endpoint", self.endpoint)]
        if self.region is not None:
            pairs.append(("region", self.region))
        fields = ", ".join(f"{name}={value!r}" for name, value in pairs + list(self._shown))
        return f"{type(self).__name__}({fields})"

    def _start_call(self) -> None:
        if self._closed:
            raise ClientClosedError(f"this {self.vendor} client is closed; create a new one")

    def _key(self, response: Any, kwargs: Mapping[str, Any], asked: tuple[str, str | None]) -> PublicKey:
        """The parse boundary after the retry loop: whatever goes wrong here is the answer's fault."""
        try:
            answer = self._declaration.operation.answer(response, kwargs)
            key = public_key(self._declaration, answer, response.headers)
            check_asked(self._declaration, asked, key)
            return key
        except KmsError:
            raise
        except Exception as exc:  # a hostile answer must still give a typed error
            raise transport.answer_error(self._what, exc) from None


class SyncClient(VendorClient[httpx.BaseTransport]):
    _asynchronous = False

    def _fetch(self, kwargs: Mapping[str, Any], asked: tuple[str, str | None]) -> PublicKey:
        """`asked` is (the key id as the caller passed it, the key version id or None)."""
        self._start_call()
        send = self._declaration.operation.sync
        response = transport.call(lambda: send(client=self._api, **kwargs), self._policy, self._what)
        return self._key(response, kwargs, asked)

    def close(self) -> None:
        self._closed = True
        self._api.get_httpx_client().close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class AsyncClient(VendorClient[httpx.AsyncBaseTransport]):
    _asynchronous = True

    async def _fetch(self, kwargs: Mapping[str, Any], asked: tuple[str, str | None]) -> PublicKey:
        """`asked` is (the key id as the caller passed it, the key version id or None)."""
        self._start_call()
        send = self._declaration.operation.asyncio
        response = await transport.acall(lambda: send(client=self._api, **kwargs), self._policy, self._what)
        return self._key(response, kwargs, asked)

    async def close(self) -> None:
        self._closed = True
        await self._api.get_async_httpx_client().aclose()  # also gives back a shared transport's share

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()
