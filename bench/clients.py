"""Every contender of `make bench`, built the same way for each measurement.

Each factory takes the loopback server's URL and returns `(call, close)`, where `call()`
fetches the public key once and parses it as far as that client goes: ours into a
`PublicKey`, the vendor SDKs into their response objects, the floor into a dict.
Imports happen inside the factories, so a worker only pays for what it uses.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Awaitable, Callable
from typing import Any

AK = "AKIDEXAMPLE"
SK = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
AWS_REGION = "us-east-1"
AWS_KEY = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
ALI_REGION = "cn-hangzhou"
ALI_KEY = "key-hzz63a2f9a1b3c7d8e9f0"
ALI_VERSION = "2ab1a983-7072-4bbc-a582-584b5bd80000"
# The "new key" contenders ask for each of these in turn, more keys than the client's memo of
# request URLs holds. ACS3's memo of the signed header block is per set of headers, not per key:
# a real client reuses it across keys, and so do these.
ALI_KEYS = [f"key-{n:04d}-5ca1e000-0000-0000-0000" for n in range(1000)]
HW_REGION = "cn-north-4"
HW_PROJECT = "0123456789abcdef0123456789abcdef"
HW_KEY = "0d0466b0-e727-4d9c-b35d-f84bb474a37f"

Sync = tuple[Callable[[], Any], Callable[[], None]]
Async = tuple[Callable[[], Awaitable[Any]], Callable[[], Awaitable[None]]]

# Which import each contender needs; a missing one skips it with a note.
REQUIRES = {
    "ours-aws": "kms_pubkey_aws",
    "ours-alibaba": "kms_pubkey_alibaba",
    "ours-huawei": "kms_pubkey_huawei",
    "boto3": "boto3",
    "alibaba-sdk": "alibabacloud_kms20160120",
    "huawei-sdk": "huaweicloudsdkkms",
    "httpx-floor": "httpx",
    "aiobotocore": "aiobotocore",
    "aiohttp": "aiohttp",
}

VENDOR_OF = {
    "ours-aws": "aws",
    "boto3": "aws",
    "ours-alibaba": "alibaba",
    "alibaba-sdk": "alibaba",
    "ours-huawei": "huawei",
    "huawei-sdk": "huawei",
}


def available(name: str) -> bool:
    return importlib.util.find_spec(REQUIRES[name]) is not None


# -- sync -----------------------------------------------------------------------------------


def ours_aws(url: str) -> Sync:
    from kms_pubkey_aws import AwsKmsClient

    client = AwsKmsClient(AWS_REGION, endpoint=url, access_key_id=AK, secret_access_key=SK)
    return (lambda: client.get_public_key(AWS_KEY)), client.close


def boto3_kms(url: str, max_pool_connections: int = 10) -> Sync:
    import boto3
    from botocore.config import Config

    client = boto3.client(
        "kms",
        region_name=AWS_REGION,
        endpoint_url=url,
        aws_access_key_id=AK,
        aws_secret_access_key=SK,
        config=Config(max_pool_connections=max_pool_connections),
    )
    return (lambda: client.get_public_key(KeyId=AWS_KEY)), client.close


def ours_alibaba(url: str) -> Sync:
    from kms_pubkey_alibaba import AlibabaKmsClient

    client = AlibabaKmsClient(ALI_REGION, endpoint=url, access_key_id=AK, access_key_secret=SK)
    return (lambda: client.get_public_key(ALI_KEY, ALI_VERSION)), client.close


def ours_alibaba_new_key(url: str) -> Sync:
    """`ours_alibaba` asking for another key each call (1,000 in turn): past the client's memo of
    recent request URLs (64), so every call builds and checks its query afresh."""
    import itertools

    from kms_pubkey_alibaba import AlibabaKmsClient

    client = AlibabaKmsClient(ALI_REGION, endpoint=url, access_key_id=AK, access_key_secret=SK)
    keys = itertools.cycle(ALI_KEYS)
    return (lambda: client.get_public_key(next(keys), ALI_VERSION)), client.close


def alibaba_sdk(url: str) -> Sync:
    from alibabacloud_kms20160120 import models
    from alibabacloud_kms20160120.client import Client
    from alibabacloud_tea_openapi.models import Config

    host = url.split("://", 1)[1]
    client = Client(
        Config(access_key_id=AK, access_key_secret=SK, endpoint=host, protocol="http", region_id=ALI_REGION)
    )

    def call() -> Any:
        return client.get_public_key(models.GetPublicKeyRequest(key_id=ALI_KEY, key_version_id=ALI_VERSION))

    return call, lambda: None


def ours_huawei(url: str) -> Sync:
    from kms_pubkey_huawei import HuaweiKmsClient

    client = HuaweiKmsClient(HW_REGION, project_id=HW_PROJECT, endpoint=url, access_key=AK, secret_key=SK)
    return (lambda: client.get_public_key(HW_KEY)), client.close


def huawei_sdk(url: str) -> Sync:
    from huaweicloudsdkcore.auth.credentials import BasicCredentials
    from huaweicloudsdkkms.v2 import KmsClient, OperateKeyRequestBody, ShowPublicKeyRequest

    client = (
        KmsClient.new_builder()
        .with_credentials(BasicCredentials(AK, SK, HW_PROJECT))
        .with_endpoints([url])
        .build()
    )

    def call() -> Any:
        return client.show_public_key(ShowPublicKeyRequest(body=OperateKeyRequestBody(key_id=HW_KEY)))

    return call, lambda: None


def httpx_floor(url: str) -> Sync:
    """The floor: a bare, unsigned keep-alive POST with the AWS body, and JSON parsing."""
    import httpx

    client = httpx.Client(base_url=url)
    headers = {"Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": "TrentService.GetPublicKey"}
    body = b'{"KeyId": "' + AWS_KEY.encode() + b'"}'

    def call() -> Any:
        return client.post("/", content=body, headers=headers).json()

    return call, client.close


SYNC: dict[str, Callable[[str], Sync]] = {
    "ours-aws": ours_aws,
    "boto3": boto3_kms,
    "ours-alibaba": ours_alibaba,
    "ours-alibaba new key": ours_alibaba_new_key,
    "alibaba-sdk": alibaba_sdk,
    "ours-huawei": ours_huawei,
    "huawei-sdk": huawei_sdk,
    "httpx-floor": httpx_floor,
}


# -- async ----------------------------------------------------------------------------------


def _transport(kind: str) -> dict[str, Any]:
    """The async client's `transport=`: httpx's own, or `kms_pubkey.aiohttp_transport`."""
    if kind == "httpx":
        return {}
    from kms_pubkey.aiohttp_transport import AiohttpTransport

    return {"transport": AiohttpTransport()}


async def ours_aws_async(url: str, transport: str = "httpx", key: str = AWS_KEY) -> Async:
    from kms_pubkey_aws import AsyncAwsKmsClient

    client = AsyncAwsKmsClient(
        AWS_REGION, endpoint=url, access_key_id=AK, secret_access_key=SK, **_transport(transport)
    )
    return (lambda: client.get_public_key(key)), client.close


async def ours_alibaba_async(url: str, transport: str = "httpx") -> Async:
    from kms_pubkey_alibaba import AsyncAlibabaKmsClient

    client = AsyncAlibabaKmsClient(
        ALI_REGION, endpoint=url, access_key_id=AK, access_key_secret=SK, **_transport(transport)
    )
    return (lambda: client.get_public_key(ALI_KEY, ALI_VERSION)), client.close


async def ours_huawei_async(url: str, transport: str = "httpx") -> Async:
    from kms_pubkey_huawei import AsyncHuaweiKmsClient

    client = AsyncHuaweiKmsClient(
        HW_REGION, project_id=HW_PROJECT, endpoint=url, access_key=AK, secret_key=SK, **_transport(transport)
    )
    return (lambda: client.get_public_key(HW_KEY)), client.close


async def alibaba_sdk_async(url: str) -> Async:
    """The Alibaba SDK's own async path: `get_public_key_async` (darabonba over aiohttp)."""
    from alibabacloud_kms20160120 import models
    from alibabacloud_kms20160120.client import Client
    from alibabacloud_tea_openapi.models import Config

    host = url.split("://", 1)[1]
    client = Client(
        Config(access_key_id=AK, access_key_secret=SK, endpoint=host, protocol="http", region_id=ALI_REGION)
    )

    async def call() -> Any:
        request = models.GetPublicKeyRequest(key_id=ALI_KEY, key_version_id=ALI_VERSION)
        return await client.get_public_key_async(request)

    async def close() -> None:
        pass

    return call, close


async def huawei_sdk_async(url: str) -> Async:
    """The Huawei SDK's async path: `KmsAsyncClient`, whose calls run on the SDK's thread pool
    (8 workers) and return a `FutureSdkResponse`; its blocking `result()` is awaited here on a
    pool of 64 threads, so the loop never waits on it."""
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    from huaweicloudsdkcore.auth.credentials import BasicCredentials
    from huaweicloudsdkkms.v2 import KmsAsyncClient, OperateKeyRequestBody, ShowPublicKeyRequest

    client = (
        KmsAsyncClient.new_builder()
        .with_credentials(BasicCredentials(AK, SK, HW_PROJECT))
        .with_endpoints([url])
        .build()
    )

    waiters = ThreadPoolExecutor(64)

    async def call() -> Any:
        request = ShowPublicKeyRequest(body=OperateKeyRequestBody(key_id=HW_KEY))
        pending = client.show_public_key_async(request)
        return await asyncio.get_running_loop().run_in_executor(waiters, pending.result)

    async def close() -> None:
        waiters.shutdown()

    return call, close


async def httpx_floor_async(url: str) -> Async:
    """The async floor: a bare, unsigned `httpx.AsyncClient` POST with the AWS body, and JSON parsing."""
    import httpx

    client = httpx.AsyncClient(base_url=url)
    headers = {"Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": "TrentService.GetPublicKey"}
    body = b'{"KeyId": "' + AWS_KEY.encode() + b'"}'

    async def call() -> Any:
        return (await client.post("/", content=body, headers=headers)).json()

    return call, client.aclose


async def aiobotocore_kms(url: str, max_pool_connections: int) -> tuple[Async, Any]:
    from aiobotocore.config import AioConfig
    from aiobotocore.session import get_session

    context = get_session().create_client(
        "kms",
        region_name=AWS_REGION,
        endpoint_url=url,
        aws_access_key_id=AK,
        aws_secret_access_key=SK,
        config=AioConfig(max_pool_connections=max_pool_connections),
    )
    client = await context.__aenter__()

    async def close() -> None:
        await context.__aexit__(None, None, None)

    return ((lambda: client.get_public_key(KeyId=AWS_KEY)), close), client


# -- signers --------------------------------------------------------------------------------
# Each returns a zero-argument function that signs one GetPublicKey request as the client
# would for every request it sends (fresh date, nonce and Authorization each time).


def sign_ours_aws() -> Callable[[], Any]:
    import httpx

    from kms_pubkey.credentials import Credentials
    from kms_pubkey_aws.sigv4 import SigV4Auth

    auth = SigV4Auth(Credentials(AK, SK), AWS_REGION)
    request = httpx.Request(
        "POST",
        "https://kms.us-east-1.amazonaws.com/",
        headers={"Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": "TrentService.GetPublicKey"},
        content=b'{"KeyId": "' + AWS_KEY.encode() + b'"}',
    )
    return lambda: next(auth.auth_flow(request))


def sign_botocore() -> Callable[[], Any]:
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    signer = SigV4Auth(Credentials(AK, SK), "kms", AWS_REGION)
    request = AWSRequest(
        method="POST",
        url="https://kms.us-east-1.amazonaws.com/",
        headers={"Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": "TrentService.GetPublicKey"},
        data=b'{"KeyId": "' + AWS_KEY.encode() + b'"}',
    )
    return lambda: signer.add_auth(request)  # add_auth drops the previous date and signature itself


def sign_ours_alibaba(*, new_key: bool = False) -> Callable[[], Any]:
    import itertools

    import httpx

    from kms_pubkey.credentials import Credentials
    from kms_pubkey_alibaba.acs3 import Acs3Auth

    auth = Acs3Auth(Credentials(AK, SK))

    def request(key: str) -> httpx.Request:
        return httpx.Request(
            "POST",
            "https://kms.cn-hangzhou.aliyuncs.com/",
            params={"KeyId": key, "KeyVersionId": ALI_VERSION},
            headers={
                "x-acs-action": "GetPublicKey",
                "x-acs-version": "2016-01-20",
                "accept": "application/json",
            },
        )

    if new_key:  # built beforehand: only the signing is timed
        requests = itertools.cycle([request(key) for key in ALI_KEYS])
        return lambda: next(auth.auth_flow(next(requests)))
    one = request(ALI_KEY)
    return lambda: next(auth.auth_flow(one))


def sign_tea_acs3() -> Callable[[], Any]:
    """The ACS3 steps of tea-openapi's `do_request`, as the KMS client runs them per request."""
    from alibabacloud_tea_openapi.utils import Utils
    from darabonba.request import DaraRequest

    base = {
        "host": "kms.cn-hangzhou.aliyuncs.com",
        "x-acs-version": "2016-01-20",
        "x-acs-action": "GetPublicKey",
        "user-agent": "AlibabaCloud",
        "accept": "application/json",
    }
    request = DaraRequest()
    request.protocol, request.method, request.pathname = "https", "POST", "/"
    request.query = {"KeyId": ALI_KEY, "KeyVersionId": ALI_VERSION}
    algorithm = "ACS3-HMAC-SHA256"

    def sign() -> Any:
        headers = dict(base)
        headers["x-acs-date"] = Utils.get_timestamp()
        headers["x-acs-signature-nonce"] = Utils.get_nonce()
        request.headers = headers
        payload = Utils.hash(b"", algorithm).hex()
        headers["x-acs-content-sha256"] = payload
        headers["Authorization"] = Utils.get_authorization(request, algorithm, payload, AK, SK)
        return request

    return sign


def sign_ours_huawei() -> Callable[[], Any]:
    import httpx

    from kms_pubkey.credentials import Credentials
    from kms_pubkey_huawei.signer import AkSkAuth

    auth = AkSkAuth(Credentials(AK, SK), HW_PROJECT)
    request = httpx.Request(
        "POST",
        f"https://kms.cn-north-4.myhuaweicloud.com/v1.0/{HW_PROJECT}/kms/get-publickey",
        headers={"Content-Type": "application/json;charset=UTF-8"},
        content=b'{"key_id": "' + HW_KEY.encode() + b'"}',
    )
    return lambda: next(auth.auth_flow(request))


def sign_huaweicloudsdkcore() -> Callable[[], Any]:
    """`Signer(credentials).sign(request)`, as `BasicCredentials.sign_request` runs it per request."""
    from huaweicloudsdkcore.auth.credentials import BasicCredentials
    from huaweicloudsdkcore.sdk_request import SdkRequest
    from huaweicloudsdkcore.signer.signer import Signer

    credentials = BasicCredentials(AK, SK, HW_PROJECT)
    base = {"Content-Type": "application/json;charset=UTF-8", "X-Project-Id": HW_PROJECT}
    path = f"/v1.0/{HW_PROJECT}/kms/get-publickey"
    body = b'{"key_id": "' + HW_KEY.encode() + b'"}'

    request = SdkRequest(
        method="POST",
        schema="https",
        host="kms.cn-north-4.myhuaweicloud.com",
        resource_path=path,
        uri=path,
        query_params=[],
        header_params=dict(base),
        body=body,
    )

    def sign() -> Any:
        request.header_params = dict(base)  # drop the previous date and signature
        request.uri = path
        return Signer(credentials).sign(request)

    return sign


def sign_ours_aws_steps() -> Callable[[], Any]:
    """Our SigV4 steps on plain values, like the other "steps": no httpx request involved."""
    from kms_pubkey.signing import sha256_hex, utc_now
    from kms_pubkey_aws import sigv4

    body = b'{"KeyId": "' + AWS_KEY.encode() + b'"}'
    base = [
        ("content-type", "application/x-amz-json-1.1"),
        ("host", "kms.us-east-1.amazonaws.com"),
        ("x-amz-target", "TrentService.GetPublicKey"),
    ]

    def sign() -> str:
        stamp = sigv4.amz_date(utc_now())
        headers = [*base, ("x-amz-date", stamp)]
        canonical, signed = sigv4.canonical_request("POST", "/", [], headers, sha256_hex(body))
        scope = sigv4.credential_scope(stamp[:8], AWS_REGION, "kms")
        key = sigv4.signing_key(SK, stamp[:8], AWS_REGION, "kms")
        sig = sigv4.signature(key, sigv4.string_to_sign(stamp, scope, canonical))
        return sigv4.authorization(AK, scope, signed, sig)

    return sign


def sign_ours_alibaba_steps(*, new_key: bool = False) -> Callable[[], Any]:
    """Our ACS3 steps on plain values, like `sign_tea_acs3`: no httpx request involved."""
    import itertools

    from kms_pubkey.credentials import Credentials
    from kms_pubkey.signing import utc_now
    from kms_pubkey_alibaba import acs3

    credentials = Credentials(AK, SK)
    headers = [
        ("host", "kms.cn-hangzhou.aliyuncs.com"),
        ("x-acs-action", "GetPublicKey"),
        ("x-acs-version", "2016-01-20"),
    ]
    queries = itertools.cycle([[("KeyId", key), ("KeyVersionId", ALI_VERSION)] for key in ALI_KEYS])
    one = [("KeyId", ALI_KEY), ("KeyVersionId", ALI_VERSION)]
    if new_key:
        return lambda: acs3.sign(
            "POST", "/", next(queries), headers, b"", credentials, utc_now(), acs3.new_nonce()
        )
    return lambda: acs3.sign("POST", "/", one, headers, b"", credentials, utc_now(), acs3.new_nonce())


def sign_ours_huawei_steps() -> Callable[[], Any]:
    """Our SDK-HMAC-SHA256 steps on plain values: no httpx request involved."""
    from kms_pubkey.signing import utc_now
    from kms_pubkey_huawei import signer

    path = f"/v1.0/{HW_PROJECT}/kms/get-publickey"
    body = b'{"key_id": "' + HW_KEY.encode() + b'"}'
    base = [
        ("content-type", "application/json;charset=UTF-8"),
        ("host", "kms.cn-north-4.myhuaweicloud.com"),
        ("x-project-id", HW_PROJECT),
    ]

    def sign() -> str:
        stamp = signer.sdk_date(utc_now())
        headers = [*base, ("x-sdk-date", stamp)]
        canonical, signed = signer.canonical_request(
            "POST", path, [], headers, signer.payload_hash(body, headers)
        )
        return signer.authorization(AK, signed, signer.signature(SK, signer.string_to_sign(stamp, canonical)))

    return sign


SIGNERS: dict[str, tuple[str, Callable[[], Callable[[], Any]]]] = {
    # name: (import it needs, factory)
    "ours-aws SigV4Auth": ("kms_pubkey_aws", sign_ours_aws),
    "botocore SigV4Auth": ("botocore", sign_botocore),
    "ours-alibaba Acs3Auth": ("kms_pubkey_alibaba", sign_ours_alibaba),
    "ours-alibaba Acs3Auth, new key": ("kms_pubkey_alibaba", lambda: sign_ours_alibaba(new_key=True)),
    "tea-openapi ACS3": ("alibabacloud_tea_openapi", sign_tea_acs3),
    "ours-huawei AkSkAuth": ("kms_pubkey_huawei", sign_ours_huawei),
    "ours-aws SigV4 steps": ("kms_pubkey_aws", sign_ours_aws_steps),
    "ours-alibaba ACS3 steps": ("kms_pubkey_alibaba", sign_ours_alibaba_steps),
    "ours-alibaba ACS3 steps, new key": ("kms_pubkey_alibaba", lambda: sign_ours_alibaba_steps(new_key=True)),
    "ours-huawei steps": ("kms_pubkey_huawei", sign_ours_huawei_steps),
    "huaweicloudsdkcore Signer": ("huaweicloudsdkcore", sign_huaweicloudsdkcore),
}
