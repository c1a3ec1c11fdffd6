"""`PublicKey` and `load_public_key`: every format the three clouds send, one normalised result.

This module is the hot path: it must not import `cryptography` (only `to_cryptography` does,
when asked), so that fetching and printing a key stays cheap to start.
"""

from __future__ import annotations

import base64
import binascii
import re
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import attrs

from kms_pubkey import _der, _spec
from kms_pubkey.errors import KeyFormatError, UnsupportedKeyError

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.types import PublicKeyTypes

_PEM_BLOCK = re.compile(r"-----BEGIN ([A-Z0-9 ]+)-----(.*?)-----END ([A-Z0-9 ]+)-----", re.DOTALL)
_PEM_BEGIN = re.compile(r"-----BEGIN ([A-Z0-9 ]{1,40})-----")
_PEM_LABELS = ("PUBLIC KEY", "RSA PUBLIC KEY")
_BASE64_TEXT = re.compile(r"[A-Za-z0-9+/=\s]+")
_RSA_ALGORITHM = _der.encode_tlv(_der.SEQUENCE, _spec.RSA_OID_DER + _spec.NULL_DER)
_SM2_ALGORITHM = _der.encode_tlv(_der.SEQUENCE, _spec.EC_OID_DER + _spec.SM2_CURVE_OID_DER)
_PRIVATE_KEY = "refusing a private key: pass the public key only"


def _tuple(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    return tuple(value or ())


@attrs.frozen(kw_only=True)
class PublicKey:
    """A public key fetched from a KMS, with what the service said about it.

    `der` is always a DER SubjectPublicKeyInfo, whatever shape the service sent; build
    instances with `load_public_key`, which checks and normalises it.
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
        """SPKI PEM with LF line endings and 64-column lines."""
        body = base64.b64encode(self.der).decode("ascii")
        lines = [body[i : i + 64] for i in range(0, len(body), 64)]
        return "-----BEGIN PUBLIC KEY-----\n" + "\n".join(lines) + "\n-----END PUBLIC KEY-----\n"

    def to_cryptography(self) -> PublicKeyTypes:
        """The `cryptography` key object; loading it also checks the key mathematically.

        Raises `UnsupportedKeyError` for keys that library cannot represent (SM2, ML-KEM-512).
        """
        neutral = neutral_key_spec(self)
        if neutral in _spec.NOT_IN_CRYPTOGRAPHY:
            raise UnsupportedKeyError(f"the cryptography library cannot represent a {self.key_spec} key")

        from cryptography.exceptions import UnsupportedAlgorithm
        from cryptography.hazmat.primitives.serialization import load_der_public_key

        try:
            return load_der_public_key(self.der)
        except UnsupportedAlgorithm:
            raise UnsupportedKeyError(
                f"the cryptography library cannot represent a {self.key_spec} key"
            ) from None
        except ValueError as exc:
            raise KeyFormatError(f"the {self.key_spec} key is not valid: {exc}") from None

    def to_jwk(self) -> dict[str, str]:
        """The key as a JWK (RFC 7517), with `kid` set to the key id when there is one."""
        from kms_pubkey._jwk import to_jwk

        return to_jwk(self)


def load_public_key(data: str | bytes, **metadata: Any) -> PublicKey:
    """Read a public key in any format a KMS sends, normalised to SPKI DER.

    Accepts SPKI PEM (LF, CRLF or literal `\\n` escapes), PKCS#1 `RSA PUBLIC KEY` PEM, a
    PKCS#1 body under a `PUBLIC KEY` label, SPKI or PKCS#1 DER, and base64 DER. Anything
    else, private keys included, raises `KeyFormatError` without echoing the input.

    `metadata` fills the other `PublicKey` fields. Without `key_spec`, it is derived
    from the key in the vocabulary of `vendor` (AWS's when there is none).
    """
    neutral, der = _read_key(data)
    return _new_key(der, neutral, metadata)


def _read_key(data: object) -> tuple[str, bytes]:
    """(neutral spec, canonical SPKI DER) of any accepted input."""
    if isinstance(data, (bytearray, memoryview)):
        data = bytes(data)
    if isinstance(data, (str, bytes)):
        return _read_key_text(data)
    return _parse_spki(_to_der(data))  # refuses anything else with KeyFormatError


@lru_cache(maxsize=128)
def _read_key_text(data: str | bytes) -> tuple[str, bytes]:
    """Remembered: a service answers with the same few public keys over and over, and the
    full check costs more than the rest of the answer's handling. Only successes are kept
    (a refusal raises), and public keys are not secrets."""
    return _parse_spki(_to_der(data))


def _new_key(der: bytes, neutral: str, metadata: dict[str, Any]) -> PublicKey:
    if not metadata.get("key_spec"):
        metadata["key_spec"] = _spec.vendor_spec(neutral, metadata.get("vendor"))
    if "der" in metadata:
        raise TypeError("load_public_key got an unknown field: der")
    try:
        return PublicKey(der=der, **metadata)
    except TypeError as exc:
        raise TypeError(f"load_public_key got an unknown field: {exc}") from None


def neutral_key_spec(key: PublicKey) -> str:
    """The vendor-independent name of the key (`RSA_2048`, `P256`, `ML_DSA_65`...)."""
    return _parse_spki(key.der)[0]


def split_spki(spki: bytes) -> tuple[str, bytes]:
    """(neutral spec, subjectPublicKey bytes) of a checked SPKI, for the exporters."""
    neutral, der = _parse_spki(spki)
    return neutral, _split_spki(der)[2]


def _parse_spki(spki: bytes) -> tuple[str, bytes]:
    """Check an SPKI and return (neutral spec, canonical DER)."""
    try:
        algorithm, parameters, key_bits = _split_spki(spki)
        neutral = _spec.neutral_spec(algorithm, parameters, key_bits)
    except _der.DerError as exc:
        raise KeyFormatError(f"not a usable public key: {exc}") from None
    if neutral.startswith("RSA_"):
        algorithm_der = _RSA_ALGORITHM
    elif neutral == "SM2":
        algorithm_der = _SM2_ALGORITHM
    else:
        return neutral, spki
    bit_string = _der.encode_tlv(_der.BIT_STRING, b"\x00" + key_bits)
    return neutral, _der.encode_tlv(_der.SEQUENCE, algorithm_der + bit_string)


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
    if bits_end - bits_start < 2:
        raise _der.DerError("public key BIT STRING is empty")
    if spki[bits_start] != 0:
        raise _der.DerError("public key BIT STRING has unused bits")
    return oid, parameters, spki[bits_start + 1 : bits_end]


def _reencode(data: bytes, element: tuple[int, int, int]) -> bytes:
    tag, start, end = element
    return _der.encode_tlv(tag, data[start:end])


def _to_der(data: object) -> bytes:
    """The DER inside `data`, which may be PEM, base64 or DER already."""
    if isinstance(data, (bytes, bytearray, memoryview)):
        raw = bytes(data)
        if raw[:1] == b"\x30":
            return _from_der(raw)
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise KeyFormatError("not a public key: binary data that is not DER") from None
    elif isinstance(data, str):
        text = data
    else:
        raise KeyFormatError(f"expected str or bytes, got {type(data).__name__}")
    # Literal "\n" escapes (Alibaba's docs), CRLF (Huawei's) and a byte-order mark are all noise.
    text = text.lstrip("\ufeff").replace("\\r", "").replace("\\n", "\n").replace("\r", "").strip()
    if not text:
        raise KeyFormatError("not a public key: the input is empty")
    if "-----BEGIN" in text or "-----END" in text:
        return _from_pem(text)
    if not _BASE64_TEXT.fullmatch(text):
        raise KeyFormatError("not a public key: neither PEM, DER nor base64 DER")
    return _from_der(_b64decode(text, "the base64 text"))


def _b64decode(text: str, what: str) -> bytes:
    try:
        raw = base64.b64decode("".join(text.split()), validate=True)
    except (binascii.Error, ValueError):
        raise KeyFormatError(f"not a public key: {what} is not valid base64") from None
    if not raw:
        raise KeyFormatError(f"not a public key: {what} is empty")
    return raw


def _from_pem(text: str) -> bytes:
    labels = _PEM_BEGIN.findall(text)
    if any("PRIVATE" in label for label in labels) or "PRIVATE KEY-----" in text:
        raise KeyFormatError(_PRIVATE_KEY)
    blocks = _PEM_BLOCK.findall(text)
    if not blocks:
        raise KeyFormatError("not a public key: PEM armour is incomplete")
    if len(blocks) != 1 or len(labels) != 1:
        raise KeyFormatError("expected one PEM block, found several")
    begin, body, end = blocks[0]
    if begin != end:
        raise KeyFormatError(f"PEM labels differ: BEGIN {begin}, END {end}")
    if begin not in _PEM_LABELS:
        raise KeyFormatError(f"not a public key: unexpected PEM label {begin}")
    if ":" in body:
        raise KeyFormatError("not a public key: PEM headers are not used for public keys")
    # The label is not trusted: Huawei sends PKCS#1 under "PUBLIC KEY".
    return _from_der(_b64decode(body, "the PEM body"))


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
        raise KeyFormatError(_PRIVATE_KEY)
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
    would hand the caller the wrong algorithm, so it is a `ResponseError`. A spec name
    we do not know yet (one added after this release) is kept as reported.
    """
    from kms_pubkey.errors import ResponseError

    if not isinstance(data, (str, bytes)) or not data:
        raise ResponseError(f"{vendor} answered without a public key")
    try:
        neutral, der = _read_key(data)
    except KeyFormatError as exc:
        raise ResponseError(f"{vendor} answered with an unreadable public key: {exc}") from None
    # The key is parsed once and built once: this is on every call's hot path.
    if key_spec:
        reported = _spec.neutral_of(key_spec, vendor)
        if reported is not None and reported != neutral:
            actual = _spec.vendor_spec(neutral, vendor)
            raise ResponseError(f"{vendor} reported key spec {key_spec} but the key it sent is {actual}")
    return _new_key(der, neutral, {**metadata, "vendor": vendor, "key_spec": key_spec})
