"""Our signer and protobuf codec against the official `alibabacloud-dkms-gcs` SDK's own code.

The SDK runs in `.dkms-venv/` through `dkms_oracle.py` (see the `dkms_oracle` fixture in
conftest.py): it signs the same random requests and encodes/decodes the same random messages.
If it cannot be installed, these tests FAIL with the installer's output.
"""

from __future__ import annotations

import base64
import hashlib
import random
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from kms_pubkey_alibaba import instance_auth
from kms_pubkey_alibaba.instance_proto import Error, GetPublicKeyRequest, GetPublicKeyResponse

pytestmark = [pytest.mark.integration, pytest.mark.slow]

NOW = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)


def test_signer_agrees_with_the_sdk_on_random_requests(dkms_oracle: Any) -> None:
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
    results = dkms_oracle("sign", {"cases": cases})["results"]
    for case, expected in zip(cases, results, strict=True):
        h = case["headers"]
        text = instance_auth.string_to_sign(
            "POST", h["content-sha256"], h["content-type"], h["date"], list(h.items())
        )
        assert text == expected["string_to_sign"]
        assert instance_auth.authorization(instance_auth.signature(key, text)) == expected["authorization"]


def test_protobuf_codec_agrees_with_the_sdk_classes(dkms_oracle: Any) -> None:
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
    out = dkms_oracle(
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
