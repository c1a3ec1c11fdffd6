"""An operation the emulator does not implement gets the vendor's own "unknown operation" error.

The official SDKs call another operation; the expected codes are the vendors' documented ones:
AWS `UnknownOperationException` (HTTP 400, JSON `__type`, as KMS answers it), the Alibaba POP
gateway's `InvalidAction.NotFound` (404), and Huawei's API gateway `APIGW.0101` (404, "The API
does not exist or has not been published in the environment"). The dedicated gateway's case is
in `tests/alibaba_instance/test_emulator_start.py` (decoded with the vendor's own protobuf classes).
"""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from alibabacloud_kms20160120 import models
from alibabacloud_kms20160120.client import Client as AlibabaClient
from alibabacloud_tea_openapi.exceptions import ClientException
from alibabacloud_tea_openapi.utils_models import Config as AlibabaConfig
from botocore.config import Config
from botocore.exceptions import ClientError
from huaweicloudsdkcore.auth.credentials import BasicCredentials
from huaweicloudsdkcore.exceptions import exceptions
from huaweicloudsdkcore.http.http_config import HttpConfig
from huaweicloudsdkkms.v2 import KmsClient, ListKeysRequest, ListKeysRequestBody, ShowKmsTagsRequest

pytestmark = pytest.mark.integration


def test_aws_boto3_list_keys_is_unknown_operation(emulator: Any) -> None:
    c = emulator.config
    kms = boto3.session.Session(
        aws_access_key_id=c.access_key_id, aws_secret_access_key=c.secret_access_key, region_name="us-east-1"
    ).client("kms", endpoint_url=emulator.url, config=Config(retries={"max_attempts": 1}))
    for call in (kms.list_keys, lambda: kms.describe_key(KeyId="alias/emulator-rsa-2048")):
        with pytest.raises(ClientError) as caught:
            call()
        error = caught.value.response
        assert error["Error"]["Code"] == "UnknownOperationException"
        assert error["ResponseMetadata"]["HTTPStatusCode"] == 400
        assert "TrentService." in error["Error"]["Message"]


@pytest.mark.parametrize("signature", [None, "v2"])  # ACS3-HMAC-SHA256, RPC HMAC-SHA1
def test_alibaba_official_list_keys_is_invalid_action(emulator: Any, signature: str | None) -> None:
    c = emulator.config
    client = AlibabaClient(
        AlibabaConfig(
            access_key_id=c.access_key_id,
            access_key_secret=c.secret_access_key,
            endpoint=f"127.0.0.1:{emulator.port}",
            protocol="http",
            signature_algorithm=signature,
        )
    )
    with pytest.raises(ClientException) as caught:
        client.list_keys(models.ListKeysRequest())
    assert (caught.value.code, caught.value.status_code) == ("InvalidAction.NotFound", 404)
    assert "ListKeys" in str(caught.value.message)


def test_huawei_official_list_keys_is_apigw_0101(emulator: Any) -> None:
    c = emulator.config
    config = HttpConfig.get_default_config()
    config.timeout = (5, 10)
    client = (
        KmsClient.new_builder()
        .with_http_config(config)
        .with_credentials(BasicCredentials(c.access_key_id, c.secret_access_key, c.huawei_project_id))
        .with_endpoints([emulator.url])
        .build()
    )
    calls = [
        lambda: client.list_keys(ListKeysRequest(body=ListKeysRequestBody())),
        lambda: client.show_kms_tags(ShowKmsTagsRequest(key_id="00000000-0000-0000-0000-000000000000")),
    ]
    for call in calls:
        with pytest.raises(exceptions.ClientRequestException) as caught:
            call()
        assert (caught.value.status_code, caught.value.error_code) == (404, "APIGW.0101")
        assert "The API does not exist or has not been published in the environment" in caught.value.error_msg
