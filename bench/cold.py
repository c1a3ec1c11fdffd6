"""One cold start, in a fresh process: import, build the client, make the first call.

Usage: python cold.py CONTENDER URL. The parent times the whole process, from spawn to exit.
Only `sys` is imported up front, so every contender pays for its own imports and nothing else.
"""

import sys


def main() -> None:
    name, url = sys.argv[1], sys.argv[2]
    if name == "ours-aws":
        from kms_pubkey_aws import AwsKmsClient

        with AwsKmsClient("us-east-1", endpoint=url, access_key_id="AKID", secret_access_key="secret") as c:
            key = c.get_public_key("alias/bench")
        assert key.der
    elif name == "boto3":
        import boto3

        c = boto3.client(
            "kms",
            region_name="us-east-1",
            endpoint_url=url,
            aws_access_key_id="AKID",
            aws_secret_access_key="secret",
        )
        assert c.get_public_key(KeyId="alias/bench")["PublicKey"]
    elif name == "ours-alibaba":
        from kms_pubkey_alibaba import AlibabaKmsClient

        with AlibabaKmsClient("cn-hangzhou", endpoint=url, access_key_id="LTAI", access_key_secret="s") as c:
            key = c.get_public_key("key-bench", "version-bench")
        assert key.der
    elif name == "alibaba-sdk":
        from alibabacloud_kms20160120 import models
        from alibabacloud_kms20160120.client import Client
        from alibabacloud_tea_openapi.models import Config

        c = Client(
            Config(
                access_key_id="LTAI",
                access_key_secret="s",
                endpoint=url.split("://")[1],
                protocol="http",
                region_id="cn-hangzhou",
            )
        )
        r = c.get_public_key(models.GetPublicKeyRequest(key_id="key-bench", key_version_id="version-bench"))
        assert r.body.public_key
    elif name == "ours-huawei":
        from kms_pubkey_huawei import HuaweiKmsClient

        with HuaweiKmsClient(
            "cn-north-4",
            project_id="0123456789abcdef0123456789abcdef",
            endpoint=url,
            access_key="AK",
            secret_key="SK",
        ) as c:
            key = c.get_public_key("0d0466b0-e727-4d9c-b35d-f84bb474a37f")
        assert key.der
    elif name == "huawei-sdk":
        from huaweicloudsdkcore.auth.credentials import BasicCredentials
        from huaweicloudsdkkms.v2 import KmsClient, OperateKeyRequestBody, ShowPublicKeyRequest

        c = (
            KmsClient.new_builder()
            .with_credentials(BasicCredentials("AK", "SK", "0123456789abcdef0123456789abcdef"))
            .with_endpoints([url])
            .build()
        )
        r = c.show_public_key(
            ShowPublicKeyRequest(body=OperateKeyRequestBody(key_id="0d0466b0-e727-4d9c-b35d-f84bb474a37f"))
        )
        assert r.public_key
    elif name == "httpx-floor":
        import httpx

        with httpx.Client(base_url=url) as c:
            r = c.post(
                "/",
                content=b'{"KeyId": "alias/bench"}',
                headers={
                    "Content-Type": "application/x-amz-json-1.1",
                    "X-Amz-Target": "TrentService.GetPublicKey",
                },
            )
            assert r.json()["PublicKey"]
    else:
        raise SystemExit(f"unknown contender {name}")


if __name__ == "__main__":
    main()
