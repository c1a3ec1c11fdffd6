"""moto's KMS signs, our JWKS publishes the key, pyjwt and joserfc verify.

moto's PKCS#1 v1.5 and ECDSA signatures are what KMS returns (ECDSA as DER, turned into JWS's
r||s here), so RS256, ES256 and ES256K go through moto's Sign. Its PSS uses the maximum salt
length, unlike KMS and RFC 7518 (salt = hash length), so PS256 is not taken from moto (the
emulator test signs PS256 with a local key instead).
"""

from __future__ import annotations

from typing import Any

import pytest

import kms_pubkey
from kms_pubkey_aws import AwsKmsClient
from tests.support.jws import KMS_ALGORITHM, compact_jwt, verify_with_joserfc, verify_with_pyjwt

pytestmark = pytest.mark.integration

CASES = [("RSA_2048", "RS256"), ("ECC_NIST_P256", "ES256"), ("ECC_SECG_P256K1", "ES256K")]


def _keys(moto_kms: Any) -> dict[str, kms_pubkey.PublicKey]:
    with AwsKmsClient(
        moto_kms.region,
        endpoint=moto_kms.endpoint,
        access_key_id=moto_kms.access_key_id,
        secret_access_key=moto_kms.secret_access_key,
        max_retries=0,
    ) as client:
        return {spec: client.get_public_key(key.key_id) for spec, key in moto_kms.keys.items()}


def test_moto_keys_get_use_and_alg(moto_kms: Any) -> None:
    # moto answers with KeyUsage but null algorithm lists: alg comes from the key type alone.
    jwks = {spec: key.to_jwk() for spec, key in _keys(moto_kms).items()}
    assert {spec: (jwk.get("alg"), jwk.get("use")) for spec, jwk in jwks.items()} == {
        "RSA_2048": (None, "sig"),  # RS*/PS* all fit
        "ECC_NIST_P256": ("ES256", "sig"),
        "ECC_SECG_P256K1": ("ES256K", "sig"),
    }


@pytest.mark.parametrize(("spec", "alg"), CASES)
@pytest.mark.parametrize("verifier", [verify_with_pyjwt, verify_with_joserfc], ids=["pyjwt", "joserfc"])
def test_jwt_signed_by_moto_verifies_against_our_jwks(
    moto_kms: Any, spec: str, alg: str, verifier: Any
) -> None:
    keys = _keys(moto_kms)
    document = kms_pubkey.jwks(keys.values())
    kid = keys[spec].to_jwk()["kid"]
    boto = moto_kms.boto3_client()

    def kms_sign(message: bytes) -> bytes:
        answer = boto.sign(
            KeyId=moto_kms.keys[spec].key_id,
            Message=message,
            MessageType="RAW",
            SigningAlgorithm=KMS_ALGORITHM[alg],
        )
        signature: bytes = answer["Signature"]
        return signature

    claims = {"sub": spec, "iss": "moto"}
    assert verifier(compact_jwt(alg, kid, claims, kms_sign), document, alg) == claims
    # Signed by another of moto's keys but claiming this kid: refused.
    other = next(s for s, a in CASES if a[:2] == alg[:2] and s != spec) if alg != "RS256" else None
    if other is not None:

        def other_sign(message: bytes) -> bytes:
            return boto.sign(
                KeyId=moto_kms.keys[other].key_id,
                Message=message,
                MessageType="RAW",
                SigningAlgorithm="ECDSA_SHA_256",
            )["Signature"]  # type: ignore[no-any-return]

        with pytest.raises(Exception, match="(?i)signature|verif|invalid"):
            verifier(compact_jwt(alg, kid, claims, other_sign), document, alg)
