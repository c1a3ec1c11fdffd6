"""Alibaba Cloud KMS through a KMS instance's dedicated gateway (ClientKey authentication).

`AlibabaKmsInstanceClient` and `AsyncAlibabaKmsInstanceClient` (module `client`), the
ClientKey signature (`auth`, `client_key`), the protobuf codec (`proto`), errors and CLI.
The modules' old top-level names (`kms_pubkey_alibaba.instance_client`, ...) still work.
"""

from kms_pubkey_alibaba.instance.client import AlibabaKmsInstanceClient, AsyncAlibabaKmsInstanceClient

__all__ = ["AlibabaKmsInstanceClient", "AsyncAlibabaKmsInstanceClient"]
