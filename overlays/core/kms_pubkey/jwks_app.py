"""A JWKS endpoint as a plain WSGI (`JwksApp`) or ASGI (`AsyncJwksApp`) application.

No web framework: mount either under any path of any server. Each GET asks `keys` for the
current keys (give it something that caches, such as a key cache's `get`), and the document
is rendered again only when the keys change. Answers carry `Cache-Control: public,
max-age=N` and a strong `ETag` (a hash of the body), so a matching `If-None-Match` gets a
304 without a body. HEAD is a GET without the body; any other method gets 405. When `keys`
raises a `KmsError`, the answer is a 503 that is not cached, and the error is logged.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
from collections.abc import Awaitable, Callable, Iterable, Mapping, MutableMapping
from typing import TYPE_CHECKING, Any, Generic, NamedTuple, TypeVar

from kms_pubkey.errors import KmsError, ValidationError
from kms_pubkey.jwk_set import OnUnsupported, jwks
from kms_pubkey.public_key import PublicKey

if TYPE_CHECKING:
    from kms_pubkey.public_key import KidRule

CONTENT_TYPE = "application/jwk-set+json"  # RFC 7517 section 8.5.1
DEFAULT_MAX_AGE = 300
_ALLOWED = ("GET", "HEAD")
_REASONS = {200: "OK", 304: "Not Modified", 405: "Method Not Allowed", 503: "Service Unavailable"}
_LOG = logging.getLogger("kms_pubkey")

KeysSource = Callable[[], Iterable[PublicKey]]
AsyncKeysSource = Callable[[], Awaitable[Iterable[PublicKey]]]


class Answer(NamedTuple):
    status: int
    headers: list[tuple[str, str]]
    body: bytes


class _Rendered(NamedTuple):
    keys: tuple[PublicKey, ...]
    body: bytes
    etag: str


class JwksDocument:
    """What both apps answer, given the request method, its If-None-Match and the keys."""

    def __init__(
        self,
        *,
        max_age: int = DEFAULT_MAX_AGE,
        on_unsupported: OnUnsupported = "skip",
        kid: KidRule = "thumbprint",
    ) -> None:
        if isinstance(max_age, bool) or not isinstance(max_age, int) or max_age < 0:
            raise ValidationError("max_age must be a whole number of seconds, 0 or more")
        self.max_age = max_age
        self._options: dict[str, Any] = {"on_unsupported": on_unsupported, "kid": kid}
        self._last: _Rendered | None = None  # replaced whole, so threads never see half of it

    def refused(self, method: str) -> Answer | None:
        """The 405 for a method other than GET and HEAD, else None."""
        if method in _ALLOWED:
            return None
        headers = [("Allow", ", ".join(_ALLOWED)), ("Content-Type", "text/plain; charset=utf-8")]
        body = b"method not allowed\n"
        return Answer(405, [*headers, ("Content-Length", str(len(body)))], body)

    def unavailable(self, error: KmsError) -> Answer:
        _LOG.warning("JWKS: the keys could not be loaded: %s: %s", type(error).__name__, error)
        body = b"the keys are unavailable\n"
        headers = [("Cache-Control", "no-store"), ("Content-Type", "text/plain; charset=utf-8")]
        return Answer(503, [*headers, ("Content-Length", str(len(body)))], body)

    def answer(self, method: str, if_none_match: str | None, keys: Iterable[PublicKey]) -> Answer:
        rendered = self._render(tuple(keys))
        headers = [("Cache-Control", f"public, max-age={self.max_age}"), ("ETag", rendered.etag)]
        if if_none_match is not None and _matches(if_none_match, rendered.etag):
            return Answer(304, headers, b"")
        headers += [("Content-Type", CONTENT_TYPE), ("Content-Length", str(len(rendered.body)))]
        return Answer(200, headers, b"" if method == "HEAD" else rendered.body)

    def _render(self, keys: tuple[PublicKey, ...]) -> _Rendered:
        last = self._last
        if last is not None and last.keys == keys:
            return last
        body = json.dumps(jwks(keys, **self._options), separators=(",", ":")).encode("utf-8")
        etag = '"' + base64.urlsafe_b64encode(hashlib.sha256(body).digest()).rstrip(b"=").decode() + '"'
        self._last = _Rendered(keys, body, etag)
        return self._last


def _matches(if_none_match: str, etag: str) -> bool:
    """RFC 9110 13.1.2: `*`, or any listed tag equal to ours under weak comparison."""
    tags = [tag.strip() for tag in if_none_match.split(",")]
    return "*" in tags or etag in (tag.removeprefix("W/") for tag in tags)


SourceT = TypeVar("SourceT", KeysSource, AsyncKeysSource)


class _App(Generic[SourceT]):
    """What both apps hold: where the keys come from, and the document made of them."""

    def __init__(
        self,
        keys: SourceT,
        *,
        max_age: int = DEFAULT_MAX_AGE,
        on_unsupported: OnUnsupported = "skip",
        kid: KidRule = "thumbprint",
    ) -> None:
        self._keys: SourceT = keys
        self.document = JwksDocument(max_age=max_age, on_unsupported=on_unsupported, kid=kid)


class JwksApp(_App[KeysSource]):
    """WSGI application serving `jwks(keys())`. `keys` is called on each GET and HEAD."""

    def __call__(self, environ: Mapping[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        method = environ["REQUEST_METHOD"]
        answer = self.document.refused(method)
        if answer is None:
            try:
                keys = self._keys()
            except KmsError as error:
                answer = self.document.unavailable(error)
            else:
                answer = self.document.answer(method, environ.get("HTTP_IF_NONE_MATCH"), keys)
        start_response(f"{answer.status} {_REASONS[answer.status]}", answer.headers)
        return [answer.body]


class AsyncJwksApp(_App[AsyncKeysSource]):
    """ASGI application serving `jwks(await keys())`; it also answers the lifespan protocol."""

    async def __call__(
        self,
        scope: MutableMapping[str, Any],
        receive: Callable[[], Awaitable[MutableMapping[str, Any]]],
        send: Callable[[MutableMapping[str, Any]], Awaitable[None]],
    ) -> None:
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    await send({"type": "lifespan.startup.complete"})
                elif message["type"] == "lifespan.shutdown":
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        if scope["type"] != "http":
            raise ValueError(f"AsyncJwksApp serves HTTP, not {scope['type']!r}")
        method = scope["method"]
        answer = self.document.refused(method)
        if answer is None:
            try:
                keys = await self._keys()
            except KmsError as error:
                answer = self.document.unavailable(error)
            else:
                if_none_match = _header(scope, b"if-none-match")
                answer = self.document.answer(method, if_none_match, keys)
        headers = [
            (name.lower().encode("latin-1"), value.encode("latin-1")) for name, value in answer.headers
        ]
        await send({"type": "http.response.start", "status": answer.status, "headers": headers})
        await send({"type": "http.response.body", "body": answer.body})


def _header(scope: Mapping[str, Any], name: bytes) -> str | None:
    """A request header, its repeats joined with commas (RFC 9110 5.3)."""
    values = [value.decode("latin-1") for key, value in scope["headers"] if key.lower() == name]
    return ", ".join(values) if values else None
