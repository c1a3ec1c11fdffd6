"""`PublicKey` and `load_public_key`: every format the three clouds send, one normalised result."""

from __future__ import annotations

import base64
import binascii
import re
from typing import TYPE_CHECKING, Any

import attrs

from kms_pubkey import _der, _spec
from kms_pubkey.errors import KeyFormatError, UnsupportedKeyError

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.types import PublicKeyTypes

_PEM_BLOCK = re.compile(
    r"-----BEGIN ([A-Z0-9 ]+)-----(.*?)-----END ([A-Z0-9 ]+)-----", re.DOTALL
)
_RSA_ALGORITHM = _der.encode_tlv(
    _der.SEQUENCE,
    _der.encode_tlv(_der.OID, bytes.fromhex("2a864886f70d010101")) + _der.encode_tlv(_der.NULL, b""),
)
_BASE64_TEXT = re.compile(r"[A-Za-z0-9+/=\s]+")


def _tuple(value: Any) -> tuple[str, ...]:
    return tuple(value or ())


@attrs.frozen(kw_only=True)
class PublicKey:
    """A public key fetched from a KMS, with what the service said about it.

    `der` is always a DER SubjectPublicKeyInfo, whatever shape the service sent.
    """

    der: bytes = attrs.field(repr=False)
    key_spec: str
    vendor: str | None = None
    key_id: str | None = None
    key_version_id: str | None = None
    key_usage: str | None = None
    signing_algorithms: tuple[str, ...] = attrs.field(default=(), converter=_tuple)
    encryption_algorithms: tuple[str, ...] = attrs.field(default=(), converter=_tuple)
    key_agreement_algorithms: tuple[str, ...] = attrs.field(default=(), converter=_tuple)
    encapsulation_algorithms: tuple[str, ...] = attrs.field(default=(), converter=_tuple)
    request_id: str | None = None

    @property
    def pem(self) -> str:
        body = base64.b64encode(self.der).decode("ascii")
        lines = [body[i : i + 64] for i in range(0, len(body), 64)]
        return "-----BEGIN PUBLIC KEY-----\n" + "\n".join(lines) + "\n-----END PUBLIC KEY-----\n"

    def to_cryptography(self) -> PublicKeyTypes:
        """The `cryptography` key object; loading it also checks the key mathematically."""
        from cryptography.exceptions import UnsupportedAlgorithm
        from cryptography.hazmat.primitives.serialization import load_der_public_key

        try:
            return load_der_public_key(self.der)
        except UnsupportedAlgorithm as exc:
            raise UnsupportedKeyError(
                f"the cryptography library cannot represent a {self.key_spec} key"
            ) from exc
        except ValueError as exc:
            raise KeyFormatError(f"the {self.key_spec} key is not valid: {exc}") from exc

    def to_jwk(self) -> dict[str, str]:
        """The key as a JWK (RFC 7517), with `kid` set to the key id when there is one."""
        from kms_pubkey._jwk import to_jwk

        return to_jwk(self)


def load_public_key(data: str | bytes, **metadata: Any) -> PublicKey:
    """Read a public key in any format a KMS sends, normalised to SPKI DER.

    `metadata` fills the other `PublicKey` fields. Without `key_spec`, it is derived
    from the key in the vocabulary of `vendor` (AWS's when there is none).
    """
    der = _to_spki_der(data)
    neutral = _neutral_spec(der)
    metadata.setdefault("key_spec", None)
    if not metadata["key_spec"]:
        metadata["key_spec"] = _spec.vendor_spec(neutral, metadata.get("vendor"))
    try:
        return PublicKey(der=der, **metadata)
    except TypeError as exc:
        raise TypeError(f"load_public_key got an unknown field: {exc}") from None


def neutral_key_spec(key: PublicKey) -> str:
    """The vendor-independent name of the key (`RSA_2048`, `P256`, `ML_DSA_65`...)."""
    return _neutral_spec(key.der)


def _neutral_spec(spki: bytes) -> str:
    try:
        algorithm, parameters, key_bits = _split_spki(spki)
        return _spec.neutral_spec(algorithm, parameters, key_bits)
    except _der.DerError as exc:
        raise KeyFormatError(f"not a usable public key: {exc}") from None


def _split_spki(spki: bytes) -> tuple[str, bytes | None, bytes]:
    fields = _der.top_sequence(spki)
    if len(fields) != 2 or fields[0][0] != _der.SEQUENCE or fields[1][0] != _der.BIT_STRING:
        raise _der.DerError("not a SubjectPublicKeyInfo")
    _, alg_start, alg_end = fields[0]
    algorithm = _der.children(spki, alg_start, alg_end)
    if not algorithm or algorithm[0][0] != _der.OID or len(algorithm) > 2:
        raise _der.DerError("malformed AlgorithmIdentifier")
    oid = _der.decode_oid(spki[algorithm[0][1] : algorithm[0][2]])
    parameters = None
    if len(algorithm) == 2:
        parameters = _reencode(spki, algorithm[1])
    _, bits_start, bits_end = fields[1]
    if bits_end - bits_start < 1 or spki[bits_start] != 0:
        raise _der.DerError("public key BIT STRING has unused bits")
    return oid, parameters, spki[bits_start + 1 : bits_end]


def _reencode(data: bytes, element: tuple[int, int, int]) -> bytes:
    tag, start, end = element
    return _der.encode_tlv(tag, data[start:end])


def _to_spki_der(data: str | bytes) -> bytes:
    if isinstance(data, (bytes, bytearray, memoryview)):
        raw = bytes(data)
        if raw[:1] == b"\x30":
            return _from_der(raw)
        try:
            text = raw.decode("ascii")
        except UnicodeDecodeError:
            raise KeyFormatError("not a public key: binary data that is not DER") from None
    elif isinstance(data, str):
        text = data
    else:
        raise KeyFormatError(f"expected str or bytes, got {type(data).__name__}")
    text = text.strip().replace("\\r", "").replace("\\n", "\n").replace("\r", "")
    if not text:
        raise KeyFormatError("not a public key: the input is empty")
    if "-----BEGIN" in text:
        return _from_pem(text)
    if not _BASE64_TEXT.fullmatch(text):
        raise KeyFormatError("not a public key: neither PEM, DER nor base64 DER")
    try:
        raw = base64.b64decode("".join(text.split()), validate=True)
    except (binascii.Error, ValueError):
        raise KeyFormatError("not a public key: invalid base64") from None
    return _from_der(raw)


def _from_pem(text: str) -> bytes:
    blocks = _PEM_BLOCK.findall(text)
    if not blocks:
        raise KeyFormatError("not a public key: PEM armour is incomplete")
    if any("PRIVATE" in begin or "PRIVATE" in end for begin, _, end in blocks):
        raise KeyFormatError("refusing a private key: pass the public key only")
    if len(blocks) != 1:
        raise KeyFormatError("expected one PEM block, found several")
    begin, body, end = blocks[0]
    if begin != end:
        raise KeyFormatError("PEM BEGIN and END labels differ")
    if begin not in ("PUBLIC KEY", "RSA PUBLIC KEY"):
        raise KeyFormatError("not a public key: unexpected PEM label")
    try:
        raw = base64.b64decode("".join(body.split()), validate=True)
    except (binascii.Error, ValueError):
        raise KeyFormatError("not a public key: the PEM body is not valid base64") from None
    # The label is not trusted: Huawei sends PKCS#1 under "PUBLIC KEY".
    return _from_der(raw)


def _from_der(raw: bytes) -> bytes:
    """Normalise SPKI or PKCS#1 DER to SPKI; refuse private keys without echoing them."""
    try:
        fields = _der.top_sequence(raw)
    except _der.DerError as exc:
        raise KeyFormatError(f"not a public key: {exc}") from None
    tags = [tag for tag, _, _ in fields]
    if tags == [_der.SEQUENCE, _der.BIT_STRING]:
        return raw
    if tags == [_der.INTEGER, _der.INTEGER]:
        bit_string = _der.encode_tlv(_der.BIT_STRING, b"\x00" + raw)
        return _der.encode_tlv(_der.SEQUENCE, _RSA_ALGORITHM + bit_string)
    if _looks_private(tags):
        raise KeyFormatError("refusing a private key: pass the public key only")
    raise KeyFormatError("not a public key: DER is neither SubjectPublicKeyInfo nor PKCS#1")


def _looks_private(tags: list[int]) -> bool:
    # PKCS#8 (INTEGER, SEQUENCE, OCTET STRING...), SEC1 (INTEGER, OCTET STRING...),
    # PKCS#1 RSAPrivateKey (nine INTEGERs), EncryptedPrivateKeyInfo (SEQUENCE, OCTET STRING).
    if tags[:1] == [_der.INTEGER] and _der.OCTET_STRING in tags:
        return True
    if len(tags) >= 9 and all(tag == _der.INTEGER for tag in tags):
        return True
    return tags == [_der.SEQUENCE, _der.OCTET_STRING]


def from_service(data: object, *, vendor: str, key_spec: str | None = None, **metadata: Any) -> PublicKey:
    """Build the key a service returned, treating anything unreadable as a bad answer.

    A key spec the service reports must match the key itself; a mismatch means we
    would hand the caller the wrong algorithm, so it is a `ResponseError`.
    """
    from kms_pubkey.errors import ResponseError

    if not isinstance(data, (str, bytes)) or not data:
        raise ResponseError(f"{vendor} answered without a public key")
    try:
        key = load_public_key(data, vendor=vendor, **metadata)
    except KeyFormatError as exc:
        raise ResponseError(f"{vendor} answered with an unreadable public key: {exc}") from None
    if key_spec and key_spec != key.key_spec and _spec.is_known(key.key_spec, vendor):
        raise ResponseError(
            f"{vendor} reported key spec {key_spec} but the key it sent is {key.key_spec}"
        )
    return attrs.evolve(key, key_spec=key_spec or key.key_spec)
