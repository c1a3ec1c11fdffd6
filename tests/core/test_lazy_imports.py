"""Cold start: building a client and parsing a key must not load what the call does not need."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

BUILD = {
    "aws": "from kms_pubkey_aws import AwsKmsClient as C; "
    "C('us-east-1', access_key_id='a', secret_access_key='b')",
    "alibaba": "from kms_pubkey_alibaba import AlibabaKmsClient as C; "
    "C('cn-hangzhou', access_key_id='a', access_key_secret='b')",
    "huawei": "from kms_pubkey_huawei import HuaweiKmsClient as C; "
    "C('cn-north-4', project_id='0123456789abcdef0123456789abcdef', access_key='a', secret_key='b')",
}


@pytest.mark.parametrize("vendor", sorted(BUILD))
def test_building_a_sync_client_loads_neither_cryptography_nor_asyncio(vendor: str) -> None:
    code = BUILD[vendor] + (
        "\nimport sys, json; print(json.dumps(sorted(m for m in sys.modules "
        "if m.split('.')[0] in ('cryptography', 'asyncio'))))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    assert json.loads(out.stdout) == []


def test_the_instance_client_is_still_importable_from_the_package() -> None:
    code = (
        "import sys, kms_pubkey_alibaba as k; before = 'cryptography' in sys.modules; "
        "from kms_pubkey_alibaba import AlibabaKmsInstanceClient, AsyncAlibabaKmsInstanceClient; "
        "print(before, AlibabaKmsInstanceClient.__module__, 'cryptography' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    # The KMS-instance client lives in the `instance` subpackage (issue 11).
    assert out.stdout.split() == ["False", "kms_pubkey_alibaba.instance.client", "True"]


def test_the_instance_modules_old_import_paths_are_the_same_modules() -> None:
    import importlib

    for old, new in [
        ("instance_client", "client"),
        ("instance_auth", "auth"),
        ("instance_errors", "errors"),
        ("instance_proto", "proto"),
        ("instance_cli", "cli"),
        ("client_key", "client_key"),
    ]:
        legacy = importlib.import_module(f"kms_pubkey_alibaba.{old}")
        assert legacy is importlib.import_module(f"kms_pubkey_alibaba.instance.{new}")
    from kms_pubkey_alibaba.instance import AlibabaKmsInstanceClient as New
    from kms_pubkey_alibaba.instance_client import AlibabaKmsInstanceClient as Old

    assert Old is New
