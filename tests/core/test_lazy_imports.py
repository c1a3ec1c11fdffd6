"""Cold start: building a client and parsing a key must not load what the call does not need."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

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


def test_the_key_cache_uris_and_jwks_load_on_first_use() -> None:
    code = (
        "import sys, kms_pubkey\n"
        "lazy = ('key_cache', 'key_uri', 'uri_fetch', 'jwk_set', 'jwks_app')\n"
        "before = [m for m in lazy if 'kms_pubkey.' + m in sys.modules]\n"
        "from kms_pubkey import KeyCache, parse_key_uri\n"
        "print(before, KeyCache.__module__, parse_key_uri.__module__, kms_pubkey.jwks.__module__)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    assert out.stdout.split() == ["[]", "kms_pubkey.key_cache", "kms_pubkey.key_uri", "kms_pubkey.jwk_set"]


# What the cold path (import, build a client with keys, first call) must not load beyond what
# `import httpx` loads itself: attrs (it compiles the methods of every class it makes),
# subprocess and its kin, configparser, html, platform; and no credential provider the keys
# make unnecessary.
NOT_ON_THE_COLD_PATH = ("attr", "attrs", "subprocess", "signal", "shlex", "configparser", "html", "platform")
PROVIDERS = {
    "aws": ("profiles", "sts", "sso", "process", "metadata"),
    "alibaba": ("cli_config", "sts", "metadata"),
    "huawei": ("federation", "temporary"),
}
FIRST_CALL = {
    "aws": "from kms_pubkey_aws import AwsKmsClient as C\n"
    "with C('us-east-1', endpoint=URL, access_key_id=AK, secret_access_key=SK) as c:\n"
    "    c.get_public_key(KEY)\n",
    "alibaba": "from kms_pubkey_alibaba import AlibabaKmsClient as C\n"
    "with C('cn-hangzhou', endpoint=URL, access_key_id=AK, access_key_secret=SK) as c:\n"
    "    c.get_public_key(KEY, VERSION)\n",
    "huawei": "from kms_pubkey_huawei import HuaweiKmsClient as C\n"
    "with C('cn-north-4', project_id=PROJECT, endpoint=URL, access_key=AK, secret_key=SK) as c:\n"
    "    c.get_public_key(KEY)\n",
}


@pytest.mark.integration
@pytest.mark.parametrize("vendor", sorted(FIRST_CALL))
def test_a_client_given_keys_loads_no_provider_and_nothing_heavy(vendor: str, emulator: Any) -> None:
    import httpx

    keys = httpx.get(emulator.url + "/_emulator/keys", timeout=10).json()
    key = next(k for k in keys if k["vendor"] == vendor and k["enabled"])
    given = {
        "URL": emulator.url,
        "AK": emulator.config.access_key_id,
        "SK": emulator.config.secret_access_key,
        "KEY": key["key_id"],
        "VERSION": key["key_version_id"],
        "PROJECT": emulator.config.huawei_project_id,
    }
    code = (
        "import json, sys, httpx\n"
        "floor = set(sys.modules)\n"
        + "".join(f"{name} = {value!r}\n" for name, value in given.items())
        + FIRST_CALL[vendor]
        + "print(json.dumps(sorted(set(sys.modules) - floor)))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    loaded = set(json.loads(out.stdout))
    assert f"kms_pubkey_{vendor}.client" in loaded  # the call itself ran in this process
    heavy = sorted(m for m in loaded if m.split(".")[0] in NOT_ON_THE_COLD_PATH)
    providers = sorted(loaded & {f"kms_pubkey_{vendor}.credentials.{name}" for name in PROVIDERS[vendor]})
    assert (heavy, providers) == ([], [])


# Loaded only by the programs that use them: a client given keys and no shared transport
# must not import them. Each name here was once imported eagerly on every cold start.
NOT_LOADED_WITHOUT_NEED = {
    "aws": ("kms_pubkey.shared_transport", "kms_pubkey.provider_io"),
    "alibaba": ("kms_pubkey.shared_transport", "kms_pubkey.provider_io", "kms_pubkey_alibaba.rpc"),
    "huawei": ("kms_pubkey.shared_transport", "kms_pubkey.provider_io"),
}


@pytest.mark.parametrize("vendor", sorted(BUILD))
def test_building_a_client_loads_no_module_only_other_uses_need(vendor: str) -> None:
    code = BUILD[vendor] + (
        "\nimport sys, json; print(json.dumps(sorted(m for m in sys.modules if m in "
        + repr(NOT_LOADED_WITHOUT_NEED[vendor])
        + ")))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    assert json.loads(out.stdout) == []


def test_the_v1_signer_still_loads_on_first_use() -> None:
    code = (
        "import sys\n"
        "from kms_pubkey_alibaba import AlibabaKmsClient, RpcAuth\n"
        "from kms_pubkey_alibaba.rpc import RpcAuth as Direct\n"
        "c = AlibabaKmsClient('cn-hangzhou', access_key_id='a', access_key_secret='b',\n"
        "                     signature_version='v1')\n"
        "print(RpcAuth is Direct, type(c._api.get_httpx_client().auth).__name__)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    assert out.stdout.split() == ["True", "RpcAuth"]


def test_a_shared_transport_is_still_recognised() -> None:
    """The client checks for one without importing its module: one made by the program is seen."""
    import httpx

    from kms_pubkey.errors import ValidationError
    from kms_pubkey.shared_transport import SharedTransport
    from kms_pubkey_aws import AsyncAwsKmsClient, AwsKmsClient

    class Shared(SharedTransport):
        def __init__(self) -> None:
            self.bound: list[object] = []

        def bind(self, verify: object) -> httpx.AsyncBaseTransport:
            self.bound.append(verify)
            return httpx.MockTransport(lambda request: httpx.Response(500))

    shared = Shared()
    AsyncAwsKmsClient("us-east-1", access_key_id="a", secret_access_key="b", transport=shared)
    assert len(shared.bound) == 1
    with pytest.raises(ValidationError, match="serves async clients only"):
        AwsKmsClient("us-east-1", access_key_id="a", secret_access_key="b", transport=shared)  # type: ignore[arg-type]


def test_the_generated_models_load_on_first_use() -> None:
    """A cold start loads the models its call needs, not every enum Literal and error model."""
    code = (
        BUILD["aws"] + "\nimport sys, kms_pubkey_aws_api.models as models\n"
        "enums = ('key_spec', 'key_usage', 'signing_algorithm', 'encryption_algorithm', 'error_type')\n"
        "before = [m for m in enums if 'kms_pubkey_aws_api.models.' + m in sys.modules]\n"
        "from kms_pubkey_aws_api.models import KeySpec, ErrorType\n"
        "from kms_pubkey_aws_api.models.key_spec import KeySpec as Direct\n"
        "print(before, KeySpec is Direct, 'kms_pubkey_aws_api.models.error_type' in sys.modules)\n"
        "try:\n    models.NoSuchModel\nexcept AttributeError as exc:\n    print(type(exc).__name__)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    assert out.stdout.split() == ["[]", "True", "True", "AttributeError"]
