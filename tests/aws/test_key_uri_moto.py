"""`fetch(uri)` against moto, a third-party AWS emulator with SigV4 checking on."""

from __future__ import annotations

import asyncio

import pytest

from kms_pubkey import afetch, fetch

pytestmark = pytest.mark.integration


def _options(moto_kms):
    return {
        "endpoint": moto_kms.endpoint,
        "access_key_id": moto_kms.access_key_id,
        "secret_access_key": moto_kms.secret_access_key,
    }


def test_every_cosign_key_form_fetches_the_key_boto3_got(moto_kms):
    for key in moto_kms.keys.values():
        alias_arn = key.arn.split(":key/")[0] + ":" + key.alias
        for name in (key.key_id, key.arn, key.alias, alias_arn):
            uri = f"awskms:///{name}"
            assert fetch(uri, **_options(moto_kms)).der == key.der, uri


def test_afetch_against_moto(moto_kms):
    key = moto_kms.keys["ECC_NIST_P256"]
    got = asyncio.run(afetch(f"awskms:///{key.alias}", **_options(moto_kms)))
    assert got.der == key.der
