"""The official huaweicloudsdkkms client against the emulator on 127.0.0.1.

It must fetch every seeded key and meet refusals with its usual exceptions: the proof that the
emulator speaks the Huawei API as the vendor does, so our tests against it mean something.
"""

from __future__ import annotations

from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from huaweicloudsdkcore.auth.credentials import BasicCredentials
from huaweicloudsdkcore.exceptions import exceptions
from huaweicloudsdkcore.http.http_config import HttpConfig
from huaweicloudsdkkms.v2 import KmsClient, OperateKeyRequestBody, ShowPublicKeyRequest

pytestmark = pytest.mark.integration

UNKNOWN_KEY = "00000000-0000-0000-0000-000000000000"


def spki_of(pem: str) -> bytes:
    """Independent of our parser: cryptography reads SPKI, or PKCS#1 under the docs' PUBLIC KEY label."""
    text = pem.replace("\r\n", "\n")
    try:
        key = serialization.load_pem_public_key(text.encode())
    except ValueError:
        body = "".join(text.strip().splitlines()[1:-1])
        key = serialization.load_der_public_key(
            serialization.load_pem_public_key(
                f"-----BEGIN RSA PUBLIC KEY-----\n{body}\n-----END RSA PUBLIC KEY-----\n".encode()
            ).public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
        )
    return key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)


def official(emulator: Any, secret: str | None = None) -> KmsClient:
    config = HttpConfig.get_default_config()
    config.ignore_ssl_verification = True
    config.timeout = (5, 10)
    c = emulator.config
    credentials = BasicCredentials(c.access_key_id, secret or c.secret_access_key, c.huawei_project_id)
    return (
        KmsClient.new_builder()
        .with_http_config(config)
        .with_credentials(credentials)
        .with_endpoints([emulator.url])
        .build()
    )


def test_official_sdk_fetches_every_seeded_key(emulator: Any, huawei_keys: list[Any]) -> None:
    client = official(emulator)
    for key in huawei_keys:
        request = ShowPublicKeyRequest(body=OperateKeyRequestBody(key_id=key.key_id))
        response = client.show_public_key(request)
        assert response.key_id == key.key_id
        assert spki_of(response.public_key) == key.public_der, key.key_spec


def test_official_sdk_with_a_wrong_secret_gets_its_usual_error(emulator: Any, huawei_keys: list[Any]) -> None:
    key = huawei_keys[0]
    client = official(emulator, secret="not-the-secret")
    with pytest.raises(exceptions.ClientRequestException) as caught:
        client.show_public_key(ShowPublicKeyRequest(body=OperateKeyRequestBody(key_id=key.key_id)))
    assert caught.value.status_code == 401
    assert caught.value.error_code == "APIGW.0301"
    assert "signature" in caught.value.error_msg
    assert caught.value.request_id


def test_official_sdk_unknown_key(emulator: Any) -> None:
    with pytest.raises(exceptions.ClientRequestException) as caught:
        official(emulator).show_public_key(ShowPublicKeyRequest(body=OperateKeyRequestBody(key_id=UNKNOWN_KEY)))
    assert caught.value.status_code == 400
    assert caught.value.error_code == "KMS.0207"
