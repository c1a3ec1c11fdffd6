"""The official `alibabacloud-dkms-gcs` client against the emulator, in its own virtual environment.

The SDK runs in `.dkms-venv/` through `dkms_oracle.py` (see the `dkms_oracle` fixture in
conftest.py for why). If it cannot be installed, these tests FAIL with the installer's output:
they are the proof that we speak the dedicated gateway as the vendor's client does.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def _endpoint(url: str) -> tuple[str, str]:
    protocol, _, host = url.partition("://")
    return protocol, host


def test_official_client_fetches_every_seeded_key(dkms_oracle: Any, emulator: Any) -> None:
    from kms_pubkey_emulator.vendors.alibaba_instance import client_key

    material = client_key(emulator.state)
    listed = [k for k in emulator.admin_keys() if k["vendor"] == "alibaba"]
    assert listed, "the emulator seeded no Alibaba keys"
    protocol, host = _endpoint(emulator.url)
    out = dkms_oracle(
        "fetch",
        {
            "protocol": protocol,
            "endpoint": host,
            "client_key_file": str(material.client_key_file),
            "password": material.password_file.read_text(encoding="utf-8"),
            "key_ids": [k["key_id"] for k in listed] + [listed[0]["aliases"][0], "no-such-key"],
        },
    )
    for key in listed:
        answer = out[key["key_id"]]
        if not key["enabled"]:
            continue
        assert answer["ok"], answer
        assert answer["pem"] == key["public_key_pem"]
        assert answer["key_id"] == key["key_id"]
        assert answer["request_id"]
    assert out[listed[0]["aliases"][0]]["pem"] == listed[0]["public_key_pem"]
    missing = out["no-such-key"]
    assert (missing["ok"], missing["code"], missing["http_code"]) == (False, "Forbidden.KeyNotFound", 404)


def _rogue_client_key(directory: Path, key_id: str, password: str) -> Path:
    """A well-formed ClientKey with a key the emulator never issued."""
    from kms_pubkey_emulator.vendors.alibaba_instance import client_key_document

    path = directory / f"clientKey_{key_id}.json"
    path.write_text(client_key_document(key_id, rsa.generate_private_key(65537, 2048), password))
    return path


def test_official_client_with_a_wrong_client_key_is_refused(
    dkms_oracle: Any, emulator: Any, tmp_path: Path
) -> None:
    from kms_pubkey_emulator.vendors.alibaba_instance import client_key

    material = client_key(emulator.state)
    key = emulator.keys_for("alibaba")[0]
    protocol, host = _endpoint(emulator.url)
    for key_id in (material.key_id, "KAAP.00000000-0000-0000-0000-000000000000"):
        rogue = _rogue_client_key(tmp_path, key_id, "rogue-password")
        out = dkms_oracle(
            "fetch",
            {
                "protocol": protocol,
                "endpoint": host,
                "client_key_file": str(rogue),
                "password": "rogue-password",
                "key_ids": [key.key_id],
            },
        )
        answer = out[key.key_id]
        assert not answer["ok"]
        assert answer["http_code"] == 401, answer
        assert answer["code"] == "Rejected.Unauthorized"


def test_official_client_over_tls_with_the_instance_ca(dkms_oracle: Any, tls_emulator: Any) -> None:
    url, material, keys = tls_emulator
    protocol, host = _endpoint(url)
    out = dkms_oracle(
        "fetch",
        {
            "protocol": protocol,
            "endpoint": host,
            "client_key_file": str(material.client_key_file),
            "password": material.password,
            "ca_file": str(material.ca_file),
            "key_ids": [keys[0].key_id],
        },
    )
    assert out[keys[0].key_id]["pem"] == keys[0].public_key_pem
