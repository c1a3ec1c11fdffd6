"""boto3, the official SDK, against moto: the peer the other AWS tests trust.

moto checks SigV4 (see conftest.py), and the expected keys elsewhere come from boto3, so these
tests show that a wrong signature is refused and that boto3 returns the keys moto made.
"""

from __future__ import annotations

from typing import Any

import botocore.exceptions
import pytest

pytestmark = pytest.mark.integration

SPECS = ("RSA_2048", "ECC_NIST_P256", "ECC_SECG_P256K1")


def test_signature_checking_is_on(moto_kms: Any) -> None:
    """Without this, the tests below would pass with any signature."""
    key = moto_kms.keys["RSA_2048"]
    with pytest.raises(botocore.exceptions.ClientError) as info:
        moto_kms.boto3_client(secret="wrong" + moto_kms.secret_access_key).get_public_key(KeyId=key.key_id)
    assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403


def test_boto3_der_is_the_key_moto_made(moto_kms: Any) -> None:
    assert set(moto_kms.keys) == set(SPECS)
    assert len({k.der for k in moto_kms.keys.values()}) == len(SPECS)
