"""`alikms-instance://ENDPOINT/KEY`: keys of a KMS instance (dedicated gateway) for `kms_pubkey.fetch`.

The ClientKey comes from the options (`client_key_file=`, `client_key_password=`, `ca_file=`,
or `client_key=`, as `AlibabaKmsInstanceClient` takes them), else from the environment:
`ALIBABA_CLOUD_KMS_CLIENT_KEY_FILE`, `ALIBABA_CLOUD_KMS_CLIENT_KEY_PASSWORD` (else the password
file the console hands out beside the ClientKey) and `ALIBABA_CLOUD_KMS_CA_FILE`.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from kms_pubkey.key_uri import KeyUri
from kms_pubkey.uri_fetch import UriScheme, place
from kms_pubkey_alibaba.instance.cli import password_file_beside
from kms_pubkey_alibaba.instance.client import AlibabaKmsInstanceClient, AsyncAlibabaKmsInstanceClient

CLIENT_KEY_FILE_ENV = "ALIBABA_CLOUD_KMS_CLIENT_KEY_FILE"
CLIENT_KEY_PASSWORD_ENV = "ALIBABA_CLOUD_KMS_CLIENT_KEY_PASSWORD"
CA_FILE_ENV = "ALIBABA_CLOUD_KMS_CA_FILE"


def _settings(uri: KeyUri, options: Mapping[str, Any]) -> dict[str, Any]:
    settings = place(uri, options)
    if settings.get("client_key") is None and settings.get("client_key_file") is None:
        key_file = os.environ.get(CLIENT_KEY_FILE_ENV)
        if key_file:
            settings["client_key_file"] = key_file
            if settings.get("client_key_password") is None:
                settings["client_key_password"] = _password(Path(key_file))
    if settings.get("ca_file") is None and os.environ.get(CA_FILE_ENV):
        settings["ca_file"] = os.environ[CA_FILE_ENV]
    return settings


def _password(key_file: Path) -> str | None:
    """The environment's password, else the console's password file beside the ClientKey."""
    password = os.environ.get(CLIENT_KEY_PASSWORD_ENV)
    if password is not None:
        return password
    beside = password_file_beside(key_file)
    try:
        return beside.read_text(encoding="utf-8").rstrip("\r\n")
    except (OSError, UnicodeDecodeError):
        return None  # the client then says the password is missing


def _key(uri: KeyUri) -> tuple[str]:
    return (uri.key_id,)


SCHEME = UriScheme(
    "alikms-instance", AlibabaKmsInstanceClient, AsyncAlibabaKmsInstanceClient, _settings, _key
)
