"""`huaweikms://[REGION or ENDPOINT]/KEY_ID`: Huawei keys for `kms_pubkey.fetch` and `KeyCache`."""

from __future__ import annotations

from kms_pubkey.key_uri import KeyUri
from kms_pubkey.uri_fetch import UriScheme, place
from kms_pubkey_huawei.client import AsyncHuaweiKmsClient, HuaweiKmsClient


def _key(uri: KeyUri) -> tuple[str]:
    return (uri.key_id,)


SCHEME = UriScheme("huaweikms", HuaweiKmsClient, AsyncHuaweiKmsClient, place, _key)
