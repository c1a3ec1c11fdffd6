"""Step 2 of reading: one walk over the DER gives the checked key, its name and its canonical SPKI.

Accepts a SubjectPublicKeyInfo or a PKCS#1 RSAPublicKey (labels are not trusted: Huawei
sends PKCS#1 under "PUBLIC KEY"), and refuses the DER shapes of private keys without
echoing them.
"""

from __future__ import annotations

from typing import Self

from kms_pubkey.errors import KeyFormatError
from kms_pubkey.read import der, spec
from kms_pubkey.read.armour import PRIVATE_KEY

# The AlgorithmIdentifier (its content) each of these keys is written with. An SPKI that
# already carries it is canonical as it stands: strict DER has one encoding per value.
_ALGORITHMS = {
    "RSA": spec.RSA_OID_DER + spec.NULL_DER,
    "SM2": spec.EC_OID_DER + spec.SM2_CURVE_OID_DER,
}


class Spki(tuple[str, bytes, bytes]):
    """A checked public key: neutral spec (`RSA_2048`, `P256`...), canonical SPKI DER, key bytes.

    A tuple with named parts, written out: `typing.NamedTuple` builds its class with `exec`,
    ~0.2 ms of every cold start.
    """

    __slots__ = ()

    def __new__(cls, neutral: str, der: bytes, key_bits: bytes) -> Self:
        return tuple.__new__(cls, (neutral, der, key_bits))

    @property
    def neutral(self) -> str:
        return self[0]

    @property
    def der(self) -> bytes:
        return self[1]

    @property
    def key_bits(self) -> bytes:
        return self[2]


def read_der(raw: bytes) -> Spki:
    """Check SPKI or PKCS#1 DER and return it as a canonical SPKI."""
    try:
        fields = der.top_sequence(raw)
    except der.DerError as exc:
        raise KeyFormatError(f"not a public key: {exc}") from None
    tags = [tag for tag, _, _ in fields]
    if tags == [der.SEQUENCE, der.BIT_STRING]:
        return _check(raw, fields)
    if tags == [der.INTEGER, der.INTEGER]:
        return _name(spec.RSA, None, raw)
    if _looks_private(tags):
        raise KeyFormatError(PRIVATE_KEY)
    raise KeyFormatError("not a public key: DER is neither SubjectPublicKeyInfo nor PKCS#1")


def parse_spki(spki: bytes) -> Spki:
    """Check DER that must already be a SubjectPublicKeyInfo (a `PublicKey.der`)."""
    try:
        fields = der.top_sequence(spki)
    except der.DerError as exc:
        raise KeyFormatError(f"not a usable public key: {exc}") from None
    if len(fields) != 2 or fields[0][0] != der.SEQUENCE or fields[1][0] != der.BIT_STRING:
        raise KeyFormatError("not a usable public key: not a SubjectPublicKeyInfo")
    return _check(spki, fields)


def _check(spki: bytes, fields: list[tuple[int, int, int]]) -> Spki:
    (_, alg_start, alg_end), (_, bits_start, bits_end) = fields
    try:
        algorithm = der.children(spki, alg_start, alg_end)
        if not algorithm or algorithm[0][0] != der.OID or len(algorithm) > 2:
            raise der.DerError("malformed AlgorithmIdentifier")
        oid = der.decode_oid(spki[algorithm[0][1] : algorithm[0][2]])
        parameters = None
        if len(algorithm) == 2:
            tag, start, end = algorithm[1]
            parameters = der.encode_tlv(tag, spki[start:end])
        if bits_end - bits_start < 2:
            raise der.DerError("public key BIT STRING is empty")
        if spki[bits_start] != 0:
            raise der.DerError("public key BIT STRING has unused bits")
    except der.DerError as exc:
        raise KeyFormatError(f"not a usable public key: {exc}") from None
    return _name(oid, parameters, spki[bits_start + 1 : bits_end], spki, spki[alg_start:alg_end])


def _name(
    oid: str, parameters: bytes | None, key_bits: bytes, spki: bytes = b"", algorithm: bytes = b""
) -> Spki:
    """Name and check the key; build the SPKI only when there is none (PKCS#1) or it is not canonical."""
    try:
        neutral = spec.neutral_spec(oid, parameters, key_bits)
    except der.DerError as exc:
        raise KeyFormatError(f"not a usable public key: {exc}") from None
    wanted = _ALGORITHMS.get("RSA" if neutral.startswith("RSA_") else neutral)
    if wanted is not None and wanted != algorithm:
        bit_string = der.encode_tlv(der.BIT_STRING, b"\x00" + key_bits)
        spki = der.encode_tlv(der.SEQUENCE, der.encode_tlv(der.SEQUENCE, wanted) + bit_string)
    return Spki(neutral, spki, key_bits)


def _looks_private(tags: list[int]) -> bool:
    # PKCS#8 (INTEGER, SEQUENCE, OCTET STRING...), SEC1 (INTEGER, OCTET STRING...),
    # PKCS#1 RSAPrivateKey (nine INTEGERs), EncryptedPrivateKeyInfo (SEQUENCE, OCTET STRING).
    if tags[:1] == [der.INTEGER] and der.OCTET_STRING in tags:
        return True
    if len(tags) >= 9 and all(tag == der.INTEGER for tag in tags):
        return True
    return tags == [der.SEQUENCE, der.OCTET_STRING]
