"""The dedicated gateway's credential: ClientKey files, their password, and the errors for bad ones.

No message may carry the password or the private key data.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from kms_pubkey import ValidationError
from kms_pubkey_alibaba.client_key import load_client_key


@pytest.mark.integration  # `material` comes from the emulator
def test_client_key_loads(material: Any) -> None:
    key = load_client_key(material.client_key_file, material.password)
    assert key.key_id == material.key_id
    assert material.password not in repr(key)


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        ("not json", "not JSON"),
        ("[1]", "not a JSON object"),
        ('{"PrivateKeyData": "AAAA"}', "no KeyId"),
        ('{"KeyId": "KAAP.x"}', "no PrivateKeyData"),
        ('{"KeyId": "KAAP.x", "PrivateKeyData": "***"}', "not base64"),
        ('{"KeyId": "KAAP.x", "PrivateKeyData": "AAAA"}', "cannot open"),
    ],
)
def test_bad_client_key_files(tmp_path: Path, content: str, fragment: str) -> None:
    path = tmp_path / "ck.json"
    path.write_text(content)
    with pytest.raises(ValidationError) as caught:
        load_client_key(path, "s3cret-pw")
    assert fragment in str(caught.value)
    assert "s3cret-pw" not in str(caught.value)


@pytest.mark.integration  # `material` comes from the emulator
def test_wrong_password_and_missing_file(material: Any, tmp_path: Path) -> None:
    with pytest.raises(ValidationError) as caught:
        load_client_key(material.client_key_file, "definitely-wrong")
    message = str(caught.value)
    assert "wrong password" in message and "definitely-wrong" not in message
    assert material.password not in message
    document = json.loads(material.client_key_file.read_text())
    assert document["PrivateKeyData"][:40] not in message
    with pytest.raises(ValidationError):
        load_client_key(tmp_path / "nope.json", "pw")
    with pytest.raises(ValidationError):
        load_client_key(material.client_key_file, None)


def test_non_rsa_client_key_is_refused(tmp_path: Path) -> None:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.serialization import pkcs12

    blob = pkcs12.serialize_key_and_certificates(
        b"x",
        ec.generate_private_key(ec.SECP256R1()),
        None,
        None,
        serialization.BestAvailableEncryption(b"pw"),
    )
    path = tmp_path / "ec.json"
    path.write_text(json.dumps({"KeyId": "KAAP.ec", "PrivateKeyData": base64.b64encode(blob).decode()}))
    with pytest.raises(ValidationError, match="not RSA"):
        load_client_key(path, "pw")
