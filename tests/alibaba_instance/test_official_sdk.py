"""The official `alibabacloud-dkms-gcs` client as the oracle, in its own virtual environment.

The SDK pins old `cryptography` and `protobuf` and installs top-level `openapi`, `sdk`,
`openapi_util` and `openapi_credential` packages, so it never enters our environment: it is
installed into `.dkms-venv/` at the repository root (gitignored, reused between runs) and
driven through `dkms_oracle.py` in a subprocess. If it cannot be installed, these tests FAIL
with the installer's output: they are the proof that we speak the dedicated gateway as the
vendor's client does.
"""

from __future__ import annotations

import base64
import hashlib
import json
import random
import subprocess
import sys
import venv
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from kms_pubkey_alibaba import instance_auth
from kms_pubkey_alibaba.instance_proto import Error, GetPublicKeyRequest, GetPublicKeyResponse

pytestmark = [pytest.mark.integration, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
VENV = ROOT / ".dkms-venv"
SDK = "alibabacloud-dkms-gcs==1.0.2"
ORACLE = Path(__file__).with_name("dkms_oracle.py")
INSTALL_TIMEOUT = 900
RUN_TIMEOUT = 180
NOW = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)


def _python() -> Path:
    return VENV / ("Scripts/python.exe" if sys.platform == "win32" else "bin/python")


@pytest.fixture(scope="session")
def dkms_python() -> Path:
    marker = VENV / f".installed-{SDK}"
    if marker.exists() and _python().exists():
        return _python()
    try:
        if not _python().exists():
            venv.EnvBuilder(with_pip=True, clear=True).create(VENV)
        result = subprocess.run(
            [str(_python()), "-m", "pip", "install", "--disable-pip-version-check", "--quiet", SDK],
            capture_output=True,
            text=True,
            timeout=INSTALL_TIMEOUT,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        pytest.fail(f"cannot create {VENV} for the official SDK {SDK}: {error!r}", pytrace=False)
    if result.returncode != 0:
        pytest.fail(
            f"the official SDK {SDK} does not install into {VENV} with Python "
            f"{sys.version_info[0]}.{sys.version_info[1]} (pip exit {result.returncode}):\n"
            f"{result.stdout[-3000:]}\n{result.stderr[-3000:]}",
            pytrace=False,
        )
    marker.write_text("ok\n", encoding="utf-8")
    return _python()


def oracle(python: Path, mode: str, args: dict[str, Any]) -> Any:
    result = subprocess.run(
        [str(python), str(ORACLE), mode],
        input=json.dumps(args),
        capture_output=True,
        text=True,
        timeout=RUN_TIMEOUT,
        check=False,
        cwd=str(ORACLE.parent),
    )
    assert result.returncode == 0, f"oracle {mode} failed:\n{result.stderr[-4000:]}"
    return json.loads(result.stdout)


def _endpoint(url: str) -> tuple[str, str]:
    protocol, _, host = url.partition("://")
    return protocol, host


def test_official_client_fetches_every_seeded_key(dkms_python: Path, emulator: Any) -> None:
    from kms_pubkey_emulator.vendors.alibaba_instance import client_key

    material = client_key(emulator.state)
    listed = [k for k in emulator.admin_keys() if k["vendor"] == "alibaba"]
    assert listed, "the emulator seeded no Alibaba keys"
    protocol, host = _endpoint(emulator.url)
    out = oracle(
        dkms_python,
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
    dkms_python: Path, emulator: Any, tmp_path: Path
) -> None:
    from kms_pubkey_emulator.vendors.alibaba_instance import client_key

    material = client_key(emulator.state)
    key = emulator.keys_for("alibaba")[0]
    protocol, host = _endpoint(emulator.url)
    for key_id in (material.key_id, "KAAP.00000000-0000-0000-0000-000000000000"):
        rogue = _rogue_client_key(tmp_path, key_id, "rogue-password")
        out = oracle(
            dkms_python,
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


def test_official_client_over_tls_with_the_instance_ca(dkms_python: Path, tls_emulator: Any) -> None:
    url, material, keys = tls_emulator
    protocol, host = _endpoint(url)
    out = oracle(
        dkms_python,
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


def test_signer_agrees_with_the_sdk_on_random_requests(dkms_python: Path) -> None:
    rng = random.Random(1202)
    key = rsa.generate_private_key(65537, 2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    cases = []
    for _ in range(60):
        body = rng.randbytes(rng.randint(0, 300))
        headers = {
            "accept": "application/x-protobuf",
            "content-type": "application/x-protobuf",
            "date": instance_auth.http_date(NOW - timedelta(seconds=rng.randint(0, 10**7))),
            "x-kms-apiversion": "dkms-gcs-0.2",
            "x-kms-apiname": rng.choice(["GetPublicKey", "Encrypt", "GetSecretValue"]),
            "x-kms-signaturemethod": "RSA_PKCS1_SHA_256",
            "x-kms-acccesskeyid": f"KAAP.{rng.getrandbits(64):x}",
            "content-sha256": hashlib.sha256(body).hexdigest().upper(),
            "user-agent": "ua",
        }
        for _ in range(rng.randint(0, 3)):
            headers[f"x-kms-extra{rng.randint(0, 99)}"] = rng.choice(["a", " padded ", "B-1"])
        cases.append({"method": "POST", "headers": headers, "private_key_pem": pem})
    results = oracle(dkms_python, "sign", {"cases": cases})["results"]
    for case, expected in zip(cases, results, strict=True):
        h = case["headers"]
        text = instance_auth.string_to_sign(
            "POST", h["content-sha256"], h["content-type"], h["date"], list(h.items())
        )
        assert text == expected["string_to_sign"]
        assert instance_auth.authorization(instance_auth.signature(key, text)) == expected["authorization"]


def test_protobuf_codec_agrees_with_the_sdk_classes(dkms_python: Path) -> None:
    rng = random.Random(77)
    alphabet = "abcXYZ019-_./é中\n "

    def text(limit: int) -> str:
        return "".join(rng.choice(alphabet) for _ in range(rng.randint(0, limit)))

    errors = [
        Error(
            status_code=rng.choice([0, 400, 401, 404, 429, 500, -1, 2**31 - 1]),
            error_code=text(30),
            error_message=text(200),
            request_id=text(36),
        )
        for _ in range(40)
    ]
    responses = [
        GetPublicKeyResponse(key_id=text(40), public_key=text(500), request_id=text(36)) for _ in range(40)
    ]
    requests = [GetPublicKeyRequest(key_id=text(60)) for _ in range(40)]
    sdk_names = {
        "status_code": "StatusCode",
        "error_code": "ErrorCode",
        "error_message": "ErrorMessage",
        "request_id": "RequestId",
        "key_id": "KeyId",
        "public_key": "PublicKey",
    }
    messages = [*errors, *responses, *requests]
    out = oracle(
        dkms_python,
        "proto",
        {
            "messages": [
                {
                    "type": type(m).__name__,
                    "fields": {sdk_names[f.name]: getattr(m, f.name) for f in m.FIELDS},
                }
                for m in messages
            ],
            "decode": [
                {"type": type(m).__name__, "data": base64.b64encode(m.encode()).decode()} for m in messages
            ],
        },
    )
    for message, theirs, decoded in zip(messages, out["encoded"], out["decoded"], strict=True):
        raw = base64.b64decode(theirs)
        assert message.encode() == raw  # byte-identical to protobuf's canonical encoding
        assert type(message).decode(raw) == message
        assert decoded == {sdk_names[f.name]: getattr(message, f.name) for f in message.FIELDS}
