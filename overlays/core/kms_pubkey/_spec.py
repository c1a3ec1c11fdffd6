"""Which key a SubjectPublicKeyInfo holds, named in each vendor's own vocabulary."""

from __future__ import annotations

from kms_pubkey import _der

RSA = "1.2.840.113549.1.1.1"
EC = "1.2.840.10045.2.1"
SM2_CURVE = "1.2.156.10197.1.301"

# Neutral names for what the key is; the vendor tables below rename them.
_EC_CURVES = {
    "1.2.840.10045.3.1.7": "P256",
    "1.3.132.0.34": "P384",
    "1.3.132.0.35": "P521",
    "1.3.132.0.10": "SECP256K1",
    SM2_CURVE: "SM2",
}
_PLAIN_ALGORITHMS = {
    "1.3.101.112": "ED25519",
    "1.3.101.113": "ED448",
    "1.3.101.110": "X25519",
    "1.3.101.111": "X448",
    SM2_CURVE: "SM2",
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
        "SECP256K1": "EC_P256K",
        "SM2": "SM2",
        "ED25519": "ED25519",
    },
}
VOCABULARIES["alibaba-instance"] = VOCABULARIES["alibaba"]


def neutral_spec(algorithm_oid: str, parameters: bytes | None, key_bits: bytes) -> str:
    """Name the key (`RSA_2048`, `P256`, `ML_DSA_65`...) and check its length.

    Raises `_der.DerError` on a key whose contents do not match its algorithm.
    """
    if algorithm_oid == RSA:
        fields = _der.top_sequence(key_bits)
        if len(fields) != 2 or any(tag != _der.INTEGER for tag, _, _ in fields):
            raise _der.DerError("RSA key is not an RSAPublicKey")
        _, start, end = fields[0]
        modulus = _der.integer_value(key_bits[start:end])
        _, e_start, e_end = fields[1]
        exponent = _der.integer_value(key_bits[e_start:e_end])
        if modulus <= 0 or exponent <= 1:
            raise _der.DerError("RSA key has an invalid modulus or exponent")
        return f"RSA_{modulus.bit_length()}"
    if algorithm_oid == EC:
        if parameters is None:
            raise _der.DerError("EC key without a named curve")
        tag, start, end = _der.read_tlv(parameters, 0)
        if tag != _der.OID:
            raise _der.DerError("EC key without a named curve")
        curve_oid = _der.decode_oid(parameters[start:end])
        name = _EC_CURVES.get(curve_oid)
        if name is None:
            raise _der.DerError(f"unknown EC curve {curve_oid}")
    else:
        found = _PLAIN_ALGORITHMS.get(algorithm_oid)
        if found is None:
            raise _der.DerError(f"unknown key algorithm {algorithm_oid}")
        name = found
    if len(key_bits) not in _KEY_BYTES[name]:
        raise _der.DerError(f"{name} key has the wrong length ({len(key_bits)} bytes)")
    if name in _EC_CURVES.values() and key_bits[0] not in (2, 3, 4):
        raise _der.DerError("EC point is neither compressed nor uncompressed")
    return name


def vendor_spec(neutral: str, vendor: str | None) -> str:
    """Rename a neutral spec into the vendor's vocabulary; AWS's when the vendor is unknown."""
    table = VOCABULARIES.get(vendor or "aws", VOCABULARIES["aws"])
    return table.get(neutral, neutral)


def is_known(spec: str, vendor: str | None) -> bool:
    """Whether `spec` is a name we derived with confidence for this vendor."""
    table = VOCABULARIES.get(vendor or "aws", VOCABULARIES["aws"])
    return spec.startswith("RSA_") or spec in table.values()
