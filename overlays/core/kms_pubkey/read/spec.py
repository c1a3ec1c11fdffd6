"""Which key a SubjectPublicKeyInfo holds, named neutrally and in each vendor's own vocabulary."""

from __future__ import annotations

import re

from kms_pubkey.read import der
from kms_pubkey.read.numbers import ec_point, rsa_numbers

RSA = "1.2.840.113549.1.1.1"
EC = "1.2.840.10045.2.1"
SM2_CURVE = "1.2.156.10197.1.301"

# DER of the OBJECT IDENTIFIERs we write when we rebuild an SPKI.
RSA_OID_DER = bytes.fromhex("06092a864886f70d010101")
EC_OID_DER = bytes.fromhex("06072a8648ce3d0201")
SM2_CURVE_OID_DER = bytes.fromhex("06082a811ccf5501822d")
NULL_DER = b"\x05\x00"

# Neutral names for what the key is; the vendor tables below rename them.
_EC_CURVES = {
    "1.2.840.10045.3.1.7": "P256",
    "1.3.132.0.34": "P384",
    "1.3.132.0.35": "P521",
    "1.3.132.0.10": "SECP256K1",
    SM2_CURVE: "SM2",
}
EC_NAMES = frozenset(_EC_CURVES.values())
_PLAIN_ALGORITHMS = {
    "1.3.101.112": "ED25519",
    "1.3.101.113": "ED448",
    "1.3.101.110": "X25519",
    "1.3.101.111": "X448",
    "2.16.840.1.101.3.4.3.17": "ML_DSA_44",
    "2.16.840.1.101.3.4.3.18": "ML_DSA_65",
    "2.16.840.1.101.3.4.3.19": "ML_DSA_87",
    "2.16.840.1.101.3.4.4.1": "ML_KEM_512",
    "2.16.840.1.101.3.4.4.2": "ML_KEM_768",
    "2.16.840.1.101.3.4.4.3": "ML_KEM_1024",
}
# Exact key lengths, so a truncated key is caught here and not at first use.
_KEY_BYTES = {
    "P256": (33, 65),
    "P384": (49, 97),
    "P521": (67, 133),
    "SECP256K1": (33, 65),
    "SM2": (33, 65),
    "ED25519": (32,),
    "ED448": (57,),
    "X25519": (32,),
    "X448": (56,),
    "ML_DSA_44": (1312,),
    "ML_DSA_65": (1952,),
    "ML_DSA_87": (2592,),
    "ML_KEM_512": (800,),
    "ML_KEM_768": (1184,),
    "ML_KEM_1024": (1568,),
}
# Keys `cryptography` has no object for: readable here, `UnsupportedKeyError` there.
NOT_IN_CRYPTOGRAPHY = frozenset({"SM2", "ML_KEM_512"})

VOCABULARIES: dict[str, dict[str, str]] = {
    "aws": {
        "P256": "ECC_NIST_P256",
        "P384": "ECC_NIST_P384",
        "P521": "ECC_NIST_P521",
        "SECP256K1": "ECC_SECG_P256K1",
        "SM2": "SM2",
        "ED25519": "ECC_NIST_EDWARDS25519",
    },
    "alibaba": {
        "P256": "EC_P256",
        "P384": "EC_P384",
        "P521": "EC_P521",
        "SECP256K1": "EC_P256K",
        "SM2": "EC_SM2",
        "ED25519": "EC_ED25519",
    },
    "huawei": {
        "P256": "EC_P256",
        "P384": "EC_P384",
        "P521": "EC_P521",
        "SECP256K1": "SECP256K1",  # huaweicloudsdkkms CreateKeyRequestBody.key_spec
        "SM2": "SM2",
        "ED25519": "ED25519",
    },
}
VOCABULARIES["alibaba-instance"] = VOCABULARIES["alibaba"]

# A pattern string, compiled (and cached by `re`) by the first spec name the tables lack:
# known names never need it, so a cold start does not pay for compiling it.
_RSA_SPEC = r"RSA_[1-9][0-9]{2,4}"
_MIN_RSA_BITS = 512
_MAX_RSA_BITS = 16384


def neutral_spec(algorithm_oid: str, parameters: bytes | None, key_bits: bytes) -> str:
    """Name the key (`RSA_2048`, `P256`, `ML_DSA_65`...) and check it fits its algorithm.

    `parameters` is the whole DER element after the algorithm OID, or None when absent.
    Raises `der.DerError` on a key whose contents do not match its algorithm.
    """
    if algorithm_oid == RSA:
        if parameters not in (None, NULL_DER):
            raise der.DerError("RSA AlgorithmIdentifier parameters must be NULL")
        modulus, exponent = rsa_numbers(key_bits)
        bits = modulus.bit_length()
        if not _MIN_RSA_BITS <= bits <= _MAX_RSA_BITS:
            raise der.DerError(f"RSA modulus of {bits} bits is outside {_MIN_RSA_BITS}..{_MAX_RSA_BITS}")
        if modulus % 2 == 0 or exponent < 3 or exponent % 2 == 0 or exponent >= modulus:
            raise der.DerError("RSA key has an invalid modulus or exponent")
        return f"RSA_{bits}"
    if algorithm_oid == EC:
        if parameters is None:
            raise der.DerError("EC key without a named curve")
        tag, start, end = der.read_tlv(parameters, 0)
        if tag != der.OID or end != len(parameters):
            raise der.DerError("EC key without a named curve")
        curve_oid = der.decode_oid(parameters[start:end])
        name = _EC_CURVES.get(curve_oid)
        if name is None:
            raise der.DerError(f"unknown EC curve {curve_oid}")
        if len(key_bits) not in _KEY_BYTES[name]:
            raise der.DerError(f"{name} key has the wrong length ({len(key_bits)} bytes)")
        ec_point(name, key_bits)
        return name
    if algorithm_oid == SM2_CURVE:
        # Some toolkits put the SM2 curve OID where the algorithm belongs; the key is the same.
        if parameters not in (None, NULL_DER, SM2_CURVE_OID_DER):
            raise der.DerError("unexpected parameters for an SM2 key")
        if len(key_bits) not in _KEY_BYTES["SM2"]:
            raise der.DerError(f"SM2 key has the wrong length ({len(key_bits)} bytes)")
        ec_point("SM2", key_bits)
        return "SM2"
    found = _PLAIN_ALGORITHMS.get(algorithm_oid)
    if found is None:
        raise der.DerError(f"unknown key algorithm {algorithm_oid}")
    if parameters is not None:
        raise der.DerError(f"{found} AlgorithmIdentifier must have no parameters")
    if len(key_bits) not in _KEY_BYTES[found]:
        raise der.DerError(f"{found} key has the wrong length ({len(key_bits)} bytes)")
    return found


def vendor_spec(neutral: str, vendor: str | None) -> str:
    """Rename a neutral spec into the vendor's vocabulary; AWS's when the vendor is unknown."""
    return _table(vendor).get(neutral, neutral)


_NEUTRAL_NAMES: dict[str, dict[str, str]] = {}
"""Each vendor's table turned around (vendor name -> neutral name), made on first use."""


def neutral_of(spec: str, vendor: str | None) -> str | None:
    """The neutral name behind a vendor's spec name, or None when we do not know the name.

    Names we do not know (a spec added after this release) cannot be checked against the key.
    """
    vendor = vendor if vendor in VOCABULARIES else "aws"
    reverse = _NEUTRAL_NAMES.get(vendor)
    if reverse is None:  # the first neutral name of a vendor name wins, as a scan of the table finds it
        table = VOCABULARIES[vendor]
        reverse = _NEUTRAL_NAMES[vendor] = {name: neutral for neutral, name in reversed(table.items())}
    found = reverse.get(spec)
    if found is not None:
        return found
    if re.fullmatch(_RSA_SPEC, spec) or spec in _KEY_BYTES:
        return spec
    return None


def _table(vendor: str | None) -> dict[str, str]:
    return VOCABULARIES.get(vendor or "aws", VOCABULARIES["aws"])
