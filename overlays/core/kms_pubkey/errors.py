"""The one error hierarchy every vendor raises, so callers catch by meaning, not by cloud."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime


class KmsError(Exception):
    """Root of everything the SDK raises on purpose."""


class ValidationError(KmsError):
    """A bad argument, refused before any request is sent.

    When the message names settings, it does so through `{name}` fields listed in
    `parameters` (Python names, e.g. `region`): `str(error)` spells them `region=`, and a
    front end such as the CLI spells them its own way with `render` (`--region`).
    `{arguments}` marks advice only a library caller can follow (`arguments`, e.g. "pass
    access_key_id/secret_access_key, "): the CLI has no such flags and leaves it out.
    """

    def __init__(self, message: str, *, parameters: tuple[str, ...] = (), arguments: str = "") -> None:
        self.template = message
        self.parameters = parameters
        self.arguments = arguments
        super().__init__(self.render(lambda name: f"{name}="))

    def render(self, spell: Callable[[str], str], *, library: bool = True) -> str:
        """The message with each named setting spelled by `spell(python_name)`; `library=False`
        leaves out the advice about Python arguments."""
        if not self.parameters and "{arguments}" not in self.template:
            return self.template
        names = {name: spell(name) for name in self.parameters}
        names["arguments"] = self.arguments if library else ""
        return self.template.format_map(names)


class KeyFormatError(KmsError):
    """The data is not a public key we can read."""


class UnsupportedKeyError(KeyFormatError):
    """The key is readable, but has no form in what was asked for: a `cryptography` object
    (SM2, ML-KEM-512), a JWK (SM2, ML-KEM) or an OpenSSH key (secp256k1, SM2, ML-DSA, ML-KEM)."""


class InvalidSignatureError(KmsError):
    """A signature that does not verify: wrong key, altered message or signature, other parameters."""


class ClientClosedError(KmsError):
    """A call on a client after `close()` (or after its `with` block ended)."""


class SigningError(KmsError):
    """The request could not be built or signed (signer, clock, credentials): nothing was sent."""


class CredentialsError(KmsError):
    """No valid credentials could be obtained: a provider (metadata service, STS, a process, a
    token file) failed or answered nonsense, and no still-valid credentials were left to use.

    The message names the provider, never a secret."""


class TransportError(KmsError):
    """No usable HTTP answer (connect, read or timeout) after every retry."""


class CertificateVerificationError(TransportError):
    """The server's TLS certificate did not verify (wrong host, unknown CA): never retried."""


class ResponseError(KmsError):
    """A 2xx answer that is not a valid GetPublicKey result."""


class ApiError(KmsError):
    """The service answered with an error."""

    def __init__(
        self,
        message: str,
        *,
        vendor: str,
        status_code: int,
        code: str | None = None,
        request_id: str | None = None,
        retry_after: float | None = None,
        server_date: datetime | None = None,
        clock_skew: bool = False,
    ) -> None:
        self.vendor = vendor
        self.status_code = status_code
        self.code = code
        self.message = message
        self.request_id = request_id
        self.retry_after = retry_after
        self.server_date = server_date
        """The answer's `Date` header (UTC), when it had a valid one."""
        self.clock_skew = clock_skew
        """The vendor's code for a request time outside its window: the client's clock is off."""
        super().__init__(self._render())

    def _render(self) -> str:
        parts = [f"{self.vendor} {self.status_code}"]
        if self.code:
            parts.append(self.code)
        text = " ".join(parts) + (f": {self.message}" if self.message else "")
        if self.request_id:
            text += f" (request id {self.request_id})"
        return text

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(vendor={self.vendor!r}, status_code={self.status_code!r}, "
            f"code={self.code!r}, message={self.message!r}, request_id={self.request_id!r})"
        )


class AuthError(ApiError):
    """Credentials or signature rejected."""


class NotFoundError(ApiError):
    """The key or key version does not exist."""


class ThrottlingError(ApiError):
    """The service asked us to slow down."""


class DryRunError(ApiError):
    """A DryRun request was checked and, as the service always does, refused with its reason.

    `code` and `message` carry the service's verdict; a DryRun never yields a key.
    """
