"""The official SDK (alibabacloud-kms20160120) against the emulator on 127.0.0.1, both signatures.

It must fetch every seeded key and meet refusals with its usual exceptions: the proof that the
emulator speaks the shared gateway as the vendor does, so our tests against it mean something.
"""

from __future__ import annotations

import pytest
from alibabacloud_kms20160120 import models
from alibabacloud_kms20160120.client import Client as OfficialClient
from alibabacloud_tea_openapi.exceptions import ClientException
from alibabacloud_tea_openapi.utils_models import Config

from kms_pubkey import load_public_key
from kms_pubkey_emulator.vendors.alibaba import sts_credentials

pytestmark = pytest.mark.integration
VERSIONS = ("v3", "v1")
# What the official SDK calls its signature choice: None -> ACS3 (do_request), "v2" -> RPC HMAC-SHA1.
OFFICIAL = {"v3": None, "v1": "v2"}


def _official(emulator, version, secret=None, access_key_id=None, token=None):
    config = Config(
        access_key_id=access_key_id or emulator.config.access_key_id,
        access_key_secret=secret or emulator.config.secret_access_key,
        security_token=token,
        endpoint=f"127.0.0.1:{emulator.port}",
        protocol="http",
        signature_algorithm=OFFICIAL[version],
    )
    return OfficialClient(config)


@pytest.mark.parametrize("version", VERSIONS)
def test_official_sdk_fetches_every_seeded_key(emulator, keys, version):
    client = _official(emulator, version)
    for key in keys:
        answer = client.get_public_key(
            models.GetPublicKeyRequest(key_id=key.key_id, key_version_id=key.key_version_id)
        )
        assert answer.status_code == 200
        assert answer.body.key_id == key.key_id
        assert answer.body.key_version_id == key.key_version_id
        assert load_public_key(answer.body.public_key).der == key.public_der
        assert answer.body.request_id


@pytest.mark.parametrize("version", VERSIONS)
def test_official_sdk_with_sts(emulator, keys, version):
    sts_id, token = sts_credentials(emulator.config.access_key_id)
    key = keys[0]
    client = _official(emulator, version, access_key_id=sts_id, token=token)
    answer = client.get_public_key(
        models.GetPublicKeyRequest(key_id=key.key_id, key_version_id=key.key_version_id)
    )
    assert load_public_key(answer.body.public_key).der == key.public_der


@pytest.mark.parametrize("version", VERSIONS)
def test_official_sdk_wrong_secret_is_its_usual_client_exception(emulator, keys, version):
    key = keys[0]
    client = _official(emulator, version, secret="not-the-secret")
    with pytest.raises(ClientException) as caught:
        client.get_public_key(
            models.GetPublicKeyRequest(key_id=key.key_id, key_version_id=key.key_version_id)
        )
    assert caught.value.code == "SignatureDoesNotMatch"
    assert caught.value.status_code == 400


@pytest.mark.parametrize("version", VERSIONS)
def test_official_sdk_unknown_key(emulator, keys, version):
    client = _official(emulator, version)
    with pytest.raises(ClientException) as caught:
        client.get_public_key(models.GetPublicKeyRequest(key_id="no-such-key", key_version_id="v"))
    assert (caught.value.code, caught.value.status_code) == ("Forbidden.KeyNotFound", 404)
