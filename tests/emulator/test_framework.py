"""The emulator's framework: key store and state dir, admin routes, dispatch, lifecycle, config."""

from __future__ import annotations

import json
import socket
from collections.abc import Mapping
from datetime import timedelta

import httpx
import pytest
from cryptography.hazmat.primitives import serialization
from werkzeug.wrappers import Request, Response

from kms_pubkey_emulator import PROTOCOLS, Emulator, EmulatorConfig, EmulatorState, KeyStore, SpecInfo
from kms_pubkey_emulator.keys import STATE_FILE, can_generate, default_alias
from kms_pubkey_emulator.protocol import VendorProtocol
from kms_pubkey_emulator.vendors import aws

pytestmark = pytest.mark.integration

SMALL = {
    "demo": {
        "P256": SpecInfo("P256", "SIGN_VERIFY"),
        "ED": SpecInfo("ED25519", "SIGN_VERIFY"),
        "SM2": SpecInfo("SM2", "SIGN_VERIFY"),
        "KEM512": SpecInfo("ML_KEM_512", "ENCAPSULATE_DECAPSULATE"),
    }
}


class FakeProtocol:
    """A minimal vendor protocol, as a vendor engineer would write one."""

    def __init__(self, name: str, header: str, specs: Mapping[str, SpecInfo]) -> None:
        self.name = name
        self.header = header
        self.key_specs = specs

    def matches(self, request: Request) -> bool:
        return self.header in request.headers

    def handle(self, request: Request, state: EmulatorState) -> Response:
        keys = state.keys.for_vendor(self.name)
        body = {"protocol": self.name, "keys": [k.key_spec for k in keys], "skew": str(state.config.max_skew)}
        return Response(json.dumps(body), content_type="application/json")


def test_registered_protocols_follow_the_interface():
    assert PROTOCOLS, "at least AWS is registered"
    names = [p.name for p in PROTOCOLS]
    assert "aws" in names
    for protocol in PROTOCOLS:
        assert isinstance(protocol, VendorProtocol)
        assert protocol.key_specs
    assert isinstance(FakeProtocol("x", "x", {}), VendorProtocol)


def test_seed_skips_what_cryptography_cannot_generate():
    assert not can_generate("SM2")
    assert not can_generate("ML_KEM_512")
    store = KeyStore.seed(SMALL)
    assert sorted(k.key_spec for k in store.all()) == ["ED", "P256"]
    for key in store.all():
        assert key.aliases == (default_alias(key.key_spec),)
        assert serialization.load_der_public_key(key.public_der)
        assert key.public_key_pem.startswith("-----BEGIN PUBLIC KEY-----\n")


def test_state_dir_keeps_ids_and_flags(tmp_path):
    first = KeyStore.seed(SMALL, tmp_path)
    assert (tmp_path / STATE_FILE).exists()
    p256 = next(k for k in first.all() if k.key_spec == "P256")
    first.set_enabled(p256.key_id, False)
    again = KeyStore.seed(SMALL, tmp_path)
    assert [(k.key_id, k.key_version_id, k.public_der) for k in again.all()] == [
        (k.key_id, k.key_version_id, k.public_der) for k in first.all()
    ]
    assert not again.get("demo", p256.key_id).enabled
    # A vendor added later gets its keys; the saved ones stay.
    grown = KeyStore.seed({**SMALL, "other": {"P384": SpecInfo("P384", "SIGN_VERIFY")}}, tmp_path)
    assert {k.key_id for k in first.all()} < {k.key_id for k in grown.all()}
    assert [k.key_spec for k in grown.for_vendor("other")] == ["P384"]


def test_emulator_with_state_dir_restarts_with_same_ids(tmp_path):
    config = EmulatorConfig(port=0, state_dir=tmp_path)
    with Emulator(config) as emu:
        first = {(k["vendor"], k["key_spec"]): k["key_id"] for k in emu.admin_keys()}
    with Emulator(config) as emu:
        second = {(k["vendor"], k["key_spec"]): k["key_id"] for k in emu.admin_keys()}
    assert first == second


def test_dispatch_order_and_state(emulator):
    first = FakeProtocol("one", "X-Shape", SMALL["demo"])
    second = FakeProtocol("two", "X-Shape", {"P256": SpecInfo("P256", "SIGN_VERIFY")})
    with Emulator(protocols=[first, second]) as emu:
        answer = httpx.post(emu.url + "/", headers={"X-Shape": "1"}, timeout=10)
        assert answer.json() == {"protocol": "one", "keys": ["ED", "P256"], "skew": "0:15:00"}
        assert sorted({k.vendor for k in emu.keys}) == ["one", "two"]
        nothing = httpx.post(emu.url + "/", timeout=10)
        assert nothing.status_code == 404
        assert "error" in nothing.json()


def test_unmatched_request_is_404(emulator):
    answer = httpx.get(emulator.url + "/", timeout=10)
    assert answer.status_code == 404
    assert answer.headers["content-type"] == "application/json"


def test_admin_routes(emulator):
    health = httpx.get(emulator.url + "/_emulator/health", timeout=10).json()
    assert health["status"] == "ok"
    assert "aws" in health["vendors"]
    listed = httpx.get(emulator.url + "/_emulator/keys", timeout=10).json()
    assert {"vendor", "key_id", "key_version_id", "key_spec", "key_usage", "public_key_pem"} <= set(listed[0])
    assert len(listed) == len(emulator.keys)
    assert httpx.post(emulator.url + "/_emulator/keys/nope/disable", timeout=10).status_code == 404
    assert httpx.get(emulator.url + "/_emulator/nope", timeout=10).status_code == 404
    assert httpx.get(emulator.url + "/_emulator/keys/x/disable", timeout=10).status_code == 405


def test_stop_closes_the_port():
    emu = Emulator(protocols=[aws.PROTOCOL]).start()
    port = emu.port
    emu.stop()
    with socket.socket() as sock:
        sock.settimeout(1)
        assert sock.connect_ex(("127.0.0.1", port)) != 0
    with pytest.raises(RuntimeError):
        emu.url  # noqa: B018


def test_config_hides_secrets():
    config = EmulatorConfig(secret_access_key="s3cr3t", huawei_token="t0k3n")
    text = repr(config)
    assert "s3cr3t" not in text
    assert "t0k3n" not in text
    assert "emulator-access-key" in text
    assert config.max_skew == timedelta(minutes=15)
    env = config.client_env()
    assert env["AWS_SECRET_ACCESS_KEY"] == "s3cr3t"
    assert env["HUAWEICLOUD_SDK_PROJECT_ID"] == "0123456789abcdef0123456789abcdef"


def test_nonce_cache(emulator):
    state = emulator.state
    nonce = "n-" + str(id(state))
    assert state.first_use_of_nonce("test", nonce)
    assert not state.first_use_of_nonce("test", nonce)
    assert state.first_use_of_nonce("other", nonce)


def _first_match(**builder_args) -> str | None:
    from werkzeug.test import EnvironBuilder

    request = Request(EnvironBuilder(method="POST", **builder_args).get_environ())
    for protocol in PROTOCOLS:
        if protocol.matches(request):
            return type(protocol).__module__.rsplit(".", 1)[-1]
    return None


HUAWEI_PATH = "/v1.0/0123456789abcdef0123456789abcdef/kms/get-publickey"
# (request shape, module that must answer it): the documented dispatch order.
SHAPES = [
    (
        {"headers": {"x-kms-apiname": "GetPublicKey", "X-Amz-Target": "TrentService.GetPublicKey"}},
        "alibaba_instance",
    ),
    ({"headers": {"X-Amz-Target": "TrentService.GetPublicKey", "x-acs-action": "GetPublicKey"}}, "aws"),
    ({"path": HUAWEI_PATH, "query_string": "Action=GetPublicKey"}, "huawei"),
    ({"headers": {"x-acs-action": "GetPublicKey"}}, "alibaba"),
    ({"query_string": "Action=GetPublicKey&Version=2016-01-20"}, "alibaba"),
    ({"headers": {"Content-Type": "application/json"}}, None),
]


@pytest.mark.parametrize(("shape", "module"), SHAPES)
def test_registered_protocols_dispatch_in_documented_order(shape, module):
    registered = {type(p).__module__.rsplit(".", 1)[-1] for p in PROTOCOLS}
    if module is not None and module not in registered:
        pytest.skip(f"{module} is not registered")
    assert _first_match(**shape) == module
