"""Alibaba Cloud KMS through a KMS instance's dedicated gateway (ClientKey authentication).

`AlibabaKmsInstanceClient` and `AsyncAlibabaKmsInstanceClient` (module `client`), the
ClientKey signature (`auth`, `client_key`), the protobuf codec (`proto`), errors and CLI.
`InstanceAuth`, `ClientKey` and `load_client_key` are public, for calling the generated client
`kms_pubkey_alibaba_instance_api` directly; `proto` encodes its request and decodes its answer.
The modules' old top-level names (`kms_pubkey_alibaba.instance_client`, ...) still work.
"""

from kms_pubkey_alibaba.instance.auth import InstanceAuth
from kms_pubkey_alibaba.instance.client import AlibabaKmsInstanceClient, AsyncAlibabaKmsInstanceClient
from kms_pubkey_alibaba.instance.client_key import ClientKey, load_client_key

__all__ = [
    "AlibabaKmsInstanceClient",
    "AsyncAlibabaKmsInstanceClient",
    "ClientKey",
    "InstanceAuth",
    "load_client_key",
]
