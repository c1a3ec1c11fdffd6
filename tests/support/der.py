"""DER built by hand, independent of kms_pubkey._der, for tests that need exact or broken encodings."""

from __future__ import annotations

import base64


def tlv(tag: int, content: bytes) -> bytes:
    n = len(content)
    if n < 0x80:
        length = bytes([n])
    else:
        body = n.to_bytes((n.bit_length() + 7) // 8, "big")
        length = bytes([0x80 | len(body)]) + body
    return bytes([tag]) + length + content


def oid(dotted: str) -> bytes:
    arcs = [int(a) for a in dotted.split(".")]
    out = bytearray([40 * arcs[0] + arcs[1]])
    for arc in arcs[2:]:
        chunk = [arc & 0x7F]
        arc >>= 7
        while arc:
            chunk.append(0x80 | (arc & 0x7F))
            arc >>= 7
        out += bytes(reversed(chunk))
    return tlv(0x06, bytes(out))


def spki(algorithm: str, params: bytes | None, key: bytes, unused_bits: int = 0) -> bytes:
    """SubjectPublicKeyInfo; `params` None leaves the parameters out entirely."""
    alg = oid(algorithm) + (params if params is not None else b"")
    return tlv(0x30, tlv(0x30, alg) + tlv(0x03, bytes([unused_bits]) + key))


def der_int(value: int) -> bytes:
    return tlv(0x02, value.to_bytes(value.bit_length() // 8 + 1, "big", signed=True))


def pkcs1(n: int, e: int) -> bytes:
    """RSAPublicKey (PKCS#1)."""
    return tlv(0x30, der_int(n) + der_int(e))


def pem(label: str, der: bytes, eol: str = "\n") -> str:
    body = base64.b64encode(der).decode()
    lines = [body[i : i + 64] for i in range(0, len(body), 64)]
    return eol.join([f"-----BEGIN {label}-----", *lines, f"-----END {label}-----", ""])


def public_spki(private: object) -> bytes:
    """The SPKI DER of a `cryptography` private key's public half."""
    from cryptography.hazmat.primitives import serialization

    return private.public_key().public_bytes(  # type: ignore[attr-defined, no-any-return]
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
