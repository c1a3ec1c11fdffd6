"""The emulator's dedicated-gateway ClientKey exists from start, before any request, as the console gives it.

`clientKey_<KeyId>.json` (`{"KeyId", "PrivateKeyData": base64(PKCS#12)}`), the password in
`clientKey_<KeyId>_Password.txt` beside it, and the instance CA (PEM): read here with
`cryptography` alone, used as the very first request by our client and by the official
`alibabacloud-dkms-gcs` client, kept byte for byte across a restart with the same state dir,
and removed at stop when they lived in a temporary directory.
"""

from __future__ import annotations

import base64
import json
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12

from kms_pubkey_alibaba import AlibabaKmsInstanceClient
from kms_pubkey_emulator import Emulator, EmulatorConfig
from kms_pubkey_emulator.vendors import alibaba_instance

pytestmark = pytest.mark.integration


def _fresh(state_dir: Path | None) -> Emulator:
    """An emulator of the dedicated gateway alone (quick to seed) that has answered no request yet."""
    return Emulator(EmulatorConfig(port=0, state_dir=state_dir), protocols=[alibaba_instance.PROTOCOL])


@pytest.fixture
def fresh(tmp_path: Path) -> Iterator[Emulator]:
    with _fresh(tmp_path / "state") as emu:
        yield emu


def _files(emu: Emulator) -> list[Path]:
    return [emu.client_key_file, emu.client_key_password_file, emu.ca_file]


def test_client_key_files_exist_right_after_start(fresh: Emulator) -> None:
    key_file, password_file, ca_file = _files(fresh)
    document = json.loads(key_file.read_text(encoding="utf-8"))
    key_id = document["KeyId"]
    assert key_file.name == f"clientKey_{key_id}.json"
    assert password_file == key_file.with_name(f"clientKey_{key_id}_Password.txt")
    password = password_file.read_text(encoding="utf-8").encode()
    private, certificate, _ = pkcs12.load_key_and_certificates(
        base64.b64decode(document["PrivateKeyData"]), password
    )
    assert isinstance(private, rsa.RSAPrivateKey)
    assert certificate is not None
    ca = x509.load_pem_x509_certificate(ca_file.read_bytes())
    assert ca.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    listed = httpx.get(fresh.url + "/_emulator/credentials", timeout=10).json()
    assert listed == {
        "client_key_id": key_id,
        "client_key_file": str(key_file),
        "client_key_password_file": str(password_file),
        "ca_file": str(ca_file),
    }


def test_our_client_fetches_with_them_as_the_very_first_request(fresh: Emulator) -> None:
    key = fresh.keys_for("alibaba")[0]
    with AlibabaKmsInstanceClient(
        fresh.url,
        client_key_file=fresh.client_key_file,
        client_key_password=fresh.client_key_password_file.read_text(encoding="utf-8"),
        max_retries=0,
    ) as client:
        fetched = client.get_public_key(key.key_id)
    assert fetched.pem == key.public_key_pem


def test_official_client_fetches_with_them_before_any_other_request(
    dkms_oracle: Any, fresh: Emulator
) -> None:
    keys = fresh.keys_for("alibaba")
    out = dkms_oracle(
        "fetch",
        {
            "protocol": "http",
            "endpoint": fresh.url.removeprefix("http://"),
            "client_key_file": str(fresh.client_key_file),
            "password": fresh.client_key_password_file.read_text(encoding="utf-8"),
            "key_ids": [k.key_id for k in keys],
        },
    )
    for key in keys:
        assert out[key.key_id]["ok"], out[key.key_id]
        assert out[key.key_id]["pem"] == key.public_key_pem


def test_unknown_api_name_is_the_gateways_protobuf_error(dkms_oracle: Any, fresh: Emulator) -> None:
    answer = httpx.post(
        fresh.url,
        content=b"",
        headers={
            "content-type": "application/x-protobuf",
            "x-kms-apiversion": "dkms-gcs-0.2",
            "x-kms-apiname": "GenerateDataKey",
        },
        timeout=10,
    )
    assert answer.status_code == 400
    decoded = dkms_oracle(
        "proto",
        {"messages": [], "decode": [{"type": "Error", "data": base64.b64encode(answer.content).decode()}]},
    )["decoded"][0]
    assert (decoded["StatusCode"], decoded["ErrorCode"]) == (400, "InvalidApiName")
    assert "GenerateDataKey" in decoded["ErrorMessage"]


def test_a_restart_with_the_same_state_dir_keeps_them(tmp_path: Path) -> None:
    with _fresh(tmp_path) as first:
        before = {path: path.read_bytes() for path in _files(first)}
        key_id = first.credentials["client_key_id"]
    with _fresh(tmp_path) as second:
        assert second.credentials["client_key_id"] == key_id
        assert {path: path.read_bytes() for path in _files(second)} == before
        key = second.keys_for("alibaba")[0]
        with AlibabaKmsInstanceClient(
            second.url,
            client_key_file=second.client_key_file,
            client_key_password=second.client_key_password_file.read_text(encoding="utf-8"),
            max_retries=0,
        ) as client:
            assert client.get_public_key(key.key_id).pem == key.public_key_pem


def test_without_a_state_dir_they_live_in_a_temporary_dir_removed_at_stop() -> None:
    emu = _fresh(None).start()
    try:
        files = _files(emu)
        assert all(path.is_file() for path in files)
    finally:
        emu.stop()
    assert not any(path.exists() for path in files)
    assert not files[0].parent.parent.exists()


def test_the_cli_banner_prints_their_paths_and_cleans_up() -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "kms_pubkey.cli", "emulator", "--port", "0", "--quiet"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    lines: list[str] = []
    try:
        assert process.stdout is not None
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            line = process.stdout.readline()
            if not line:
                break
            lines.append(line)
            if line.startswith("Press Ctrl-C"):
                break
        banner = "".join(lines)
        found = re.findall(r"^ +(client key file|client key password file|ca file): +(\S+)$", banner, re.M)
        paths = {name: Path(value) for name, value in found}
        assert set(paths) == {"client key file", "client key password file", "ca file"}, banner
        assert all(path.is_file() for path in paths.values())
        assert "/_emulator/credentials" in banner
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=30)
    assert not any(path.exists() for path in paths.values())


def test_the_emulators_protobuf_codec_matches_the_vendors_classes(dkms_oracle: Any) -> None:
    """Its own codec (not ours): requests the vendor's classes encode, answers they decode."""
    from kms_pubkey_emulator import protobuf

    key_ids = ["", "alias/emulator-rsa-2048", "k\u00e9y-" + "x" * 300]
    out = dkms_oracle(
        "proto",
        {
            "messages": [{"type": "GetPublicKeyRequest", "fields": {"KeyId": k}} for k in key_ids],
            "decode": [
                {"type": "GetPublicKeyResponse", "data": base64.b64encode(data).decode()}
                for data in [protobuf.get_public_key_response("id-\u00e9", "PEM\n" * 40, "req")]
            ]
            + [
                {"type": "Error", "data": base64.b64encode(protobuf.error(code, "E.x", "m", "r")).decode()}
                for code in (400, 404, -1)
            ],
        },
    )
    decoded = [protobuf.get_public_key_request_key_id(base64.b64decode(d)) for d in out["encoded"]]
    assert decoded == key_ids
    assert out["decoded"][0] == {"KeyId": "id-\u00e9", "PublicKey": "PEM\n" * 40, "RequestId": "req"}
    assert [d["StatusCode"] for d in out["decoded"][1:]] == [400, 404, -1]
    assert all(d["ErrorCode"] == "E.x" for d in out["decoded"][1:])
    with pytest.raises(protobuf.DecodeError):
        protobuf.get_public_key_request_key_id(b"\x0a\x05ab")  # a field longer than the message
