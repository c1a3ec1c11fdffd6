"""`alikms://[REGION or ENDPOINT]/KEY?version=V`: shared-gateway keys for `kms_pubkey.fetch`."""

from __future__ import annotations

from kms_pubkey.key_uri import KeyUri
from kms_pubkey.uri_fetch import UriScheme, place
from kms_pubkey_alibaba.client import AlibabaKmsClient, AsyncAlibabaKmsClient


def _key_version(uri: KeyUri) -> tuple[str, str]:
    assert uri.key_version_id is not None  # parse_key_uri requires it for alikms
    return (uri.key_id, uri.key_version_id)


SCHEME = UriScheme("alikms", AlibabaKmsClient, AsyncAlibabaKmsClient, place, _key_version)
