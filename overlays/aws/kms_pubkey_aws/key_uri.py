"""`awskms://[ENDPOINT]/KEY` (cosign's form): AWS keys for `kms_pubkey.fetch` and `KeyCache`."""

from __future__ import annotations

from kms_pubkey.key_uri import KeyUri
from kms_pubkey.uri_fetch import UriScheme, place
from kms_pubkey_aws.client import AsyncAwsKmsClient, AwsKmsClient


def _key(uri: KeyUri) -> tuple[str]:
    return (uri.key_id,)


SCHEME = UriScheme("awskms", AwsKmsClient, AsyncAwsKmsClient, place, _key)
