"""Each generated package's README (from generator/templates/README.md.jinja) runs as written:
the generated client plus our public signer, against the emulator on 127.0.0.1.

The snippet is read from generated/<vendor>/README.md at run time; its placeholders (`endpoint`,
the keys, `key_id`, ...) are defined in its namespace, as a user fills them in. Expected keys come
from the emulator's admin listing, never from our client. The variants the README describes in
prose (Alibaba's RPC signature, Huawei's IAM token) run too, edited exactly as the prose says.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest

from kms_pubkey.signing import SignerAuth
from kms_pubkey_emulator import Emulator
from tests.support.tls import serve_over_tls

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
FENCE = re.compile(r"^```python\n(.*?)^```$", re.DOTALL | re.MULTILINE)
OVERLAY = {
    "aws": "kms-pubkey-aws",
    "alibaba": "kms-pubkey-alibaba",
    "alibaba-instance": "kms-pubkey-alibaba",
    "huawei": "kms-pubkey-huawei",
}


def readme(vendor: str) -> str:
    return (ROOT / "generated" / vendor / "README.md").read_text(encoding="utf-8")


def snippet(vendor: str) -> str:
    (only,) = FENCE.findall(readme(vendor))
    return only


def run(text: str, namespace: dict[str, Any]) -> dict[str, Any]:
    exec(compile(text, "<generated README snippet>", "exec"), namespace)  # noqa: S102
    return namespace


def listed(emu: Emulator, vendor: str, spec: str) -> Mapping[str, Any]:
    found = [k for k in emu.admin_keys() if k["vendor"] == vendor and k["key_spec"] == spec and k["enabled"]]
    assert found, f"the emulator lists no enabled {vendor} {spec} key"
    return found[0]


def credentials(emu: Emulator) -> dict[str, Any]:
    return {"access_key_id": emu.config.access_key_id, "secret_access_key": emu.config.secret_access_key}


@pytest.mark.parametrize("vendor", sorted(OVERLAY))
def test_readme_is_ours_and_names_the_wheel_to_install(vendor: str) -> None:
    text = readme(vendor)
    assert f"**For normal use, install `{OVERLAY[vendor]}` instead**" in text
    for template_text in ("MyDataModel", "api.example.com", "AuthenticatedClient", "SuperSecretToken"):
        assert template_text not in text, f"generator template text left in generated/{vendor}/README.md"
    assert 'httpx_args={"auth": signer}' in snippet(vendor)


def test_the_auths_are_public_and_are_the_ones_the_clients_use() -> None:
    import kms_pubkey_alibaba
    import kms_pubkey_alibaba.instance
    import kms_pubkey_aws
    import kms_pubkey_huawei
    from kms_pubkey_alibaba import acs3, rpc
    from kms_pubkey_alibaba.instance import auth
    from kms_pubkey_aws import sigv4
    from kms_pubkey_huawei import signer

    assert kms_pubkey_aws.SigV4Auth is sigv4.SigV4Auth
    assert (kms_pubkey_alibaba.Acs3Auth, kms_pubkey_alibaba.RpcAuth) == (acs3.Acs3Auth, rpc.RpcAuth)
    assert (kms_pubkey_huawei.AkSkAuth, kms_pubkey_huawei.TokenAuth) == (signer.AkSkAuth, signer.TokenAuth)
    assert kms_pubkey_alibaba.instance.InstanceAuth is auth.InstanceAuth
    for cls in (sigv4.SigV4Auth, acs3.Acs3Auth, rpc.RpcAuth, signer.AkSkAuth):
        assert issubclass(cls, SignerAuth)
    for module, names in [
        (kms_pubkey_aws, {"SigV4Auth"}),
        (kms_pubkey_alibaba, {"Acs3Auth", "RpcAuth"}),
        (kms_pubkey_huawei, {"AkSkAuth", "TokenAuth"}),
        (kms_pubkey_alibaba.instance, {"InstanceAuth", "ClientKey", "load_client_key"}),
    ]:
        assert names <= set(module.__all__), module.__name__


def test_aws_readme(emulator: Emulator, capsys: pytest.CaptureFixture[str]) -> None:
    expected = listed(emulator, "aws", "ECC_NIST_P256")
    namespace = {
        "endpoint": emulator.url,
        "region": "us-east-1",
        "key_id": expected["key_id"],
        **credentials(emulator),
    }
    key = run(snippet("aws"), namespace)["key"]
    assert key.pem == expected["public_key_pem"]
    assert capsys.readouterr().out == f"ECC_NIST_P256 {expected['public_key_pem']}\n"


def _alibaba(emu: Emulator) -> tuple[Mapping[str, Any], dict[str, Any]]:
    expected = listed(emu, "alibaba", "EC_P256")
    namespace = {
        "endpoint": emu.url,
        "key_id": expected["key_id"],
        "key_version_id": expected["key_version_id"],
        "access_key_id": emu.config.access_key_id,
        "access_key_secret": emu.config.secret_access_key,
    }
    return expected, namespace


def test_alibaba_readme_acs3(emulator: Emulator) -> None:
    expected, namespace = _alibaba(emulator)
    key = run(snippet("alibaba"), namespace)["key"]
    assert (key.key_id, key.pem) == (expected["key_id"], expected["public_key_pem"])


def test_alibaba_readme_rpc_variant(emulator: Emulator) -> None:
    """The README's prose: RpcAuth, and action=/version= in place of the two x_acs_ arguments."""
    expected, namespace = _alibaba(emulator)
    text = snippet("alibaba")
    assert "RpcAuth(Credentials(...))" in readme("alibaba")
    assert '`action="GetPublicKey", version="2016-01-20"`' in readme("alibaba")
    rpc = text.replace("Acs3Auth", "RpcAuth").replace("x_acs_action=", "action=")
    rpc = rpc.replace("x_acs_version=", "version=")
    assert rpc.count("RpcAuth") == 2 and "x_acs_" not in rpc
    key = run(rpc, namespace)["key"]
    assert (key.key_id, key.pem) == (expected["key_id"], expected["public_key_pem"])


@pytest.fixture(scope="module")
def tls_gateway(emulator: Emulator) -> Iterator[str]:
    with serve_over_tls(emulator) as url:
        yield url


def test_alibaba_instance_readme(
    emulator: Emulator, tls_gateway: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Over https with the instance CA, with the ClientKey files under the console's names."""
    shutil.copy(emulator.client_key_file, tmp_path / "clientKey.json")
    shutil.copy(emulator.ca_file, tmp_path / "PrivateKmsCA.pem")
    monkeypatch.chdir(tmp_path)
    expected = listed(emulator, "alibaba", "RSA_2048")
    namespace = {
        "endpoint": tls_gateway,
        "password": emulator.client_key_password_file.read_text(encoding="utf-8"),
        "key_id": expected["key_id"],
    }
    key = run(snippet("alibaba-instance"), namespace)["key"]
    assert (key.key_id, key.key_spec, key.pem) == (expected["key_id"], "RSA_2048", expected["public_key_pem"])


def _huawei(emu: Emulator) -> tuple[Mapping[str, Any], dict[str, Any]]:
    expected = listed(emu, "huawei", "EC_P256")
    namespace = {
        "endpoint": emu.url,
        "project_id": emu.config.huawei_project_id,
        "key_id": expected["key_id"],
        "access_key": emu.config.access_key_id,
        "secret_key": emu.config.secret_access_key,
    }
    return expected, namespace


def test_huawei_readme_aksk(emulator: Emulator) -> None:
    expected, namespace = _huawei(emulator)
    key = run(snippet("huawei"), namespace)["key"]
    assert (key.key_id, key.pem) == (expected["key_id"], expected["public_key_pem"])


def test_huawei_readme_token_variant(emulator: Emulator) -> None:
    """The README's prose: `signer = TokenAuth(token)` from kms_pubkey_huawei."""
    expected, namespace = _huawei(emulator)
    assert "`signer = TokenAuth(token)` (also from `kms_pubkey_huawei`)" in readme("huawei")
    text = snippet("huawei")
    line = "signer = AkSkAuth(Credentials(access_key, secret_key), project_id)"
    assert line in text
    text = text.replace(line, "signer = TokenAuth(token)").replace("import AkSkAuth", "import TokenAuth")
    namespace["token"] = emulator.config.huawei_token
    key = run(text, namespace)["key"]
    assert (key.key_id, key.pem) == (expected["key_id"], expected["public_key_pem"])


def test_a_wrong_secret_is_refused_through_the_readme_path(emulator: Emulator) -> None:
    """The snippet really signs: with another secret the emulator answers an error, not a key."""
    expected = listed(emulator, "aws", "ECC_NIST_P256")
    namespace = {
        "endpoint": emulator.url,
        "region": "us-east-1",
        "key_id": expected["key_id"],
        "access_key_id": emulator.config.access_key_id,
        "secret_access_key": "not-the-secret",
    }
    with pytest.raises(AssertionError) as refused:
        run(snippet("aws"), namespace)
    assert "ErrorResponse" in str(refused.value)
