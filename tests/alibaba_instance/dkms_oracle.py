"""Runs INSIDE the official SDK's own virtual environment (`.dkms-venv/`), never in ours.

Usage: python dkms_oracle.py MODE < JSON-ARGS; prints one JSON document.

- fetch: the official `alibabacloud-dkms-gcs` client fetches each key id from an endpoint;
- sign: the SDK's own string-to-sign and RSA signer over given headers and key;
- proto: the SDK's generated protobuf classes encode/decode given messages;
- crypto: the official client's Sign, Verify, Encrypt and Decrypt, one per call (bytes as Base64).
"""

from __future__ import annotations

import base64
import json
import sys


def fetch(args: dict) -> dict:
    from openapi.models import Config
    from openapi_util.models import RuntimeOptions
    from sdk.client import Client
    from sdk.models import GetPublicKeyRequest

    config = Config(
        protocol=args["protocol"],
        endpoint=args["endpoint"],
        client_key_file=args["client_key_file"],
        password=args["password"],
        ca_file_path=args.get("ca_file"),
        read_timeout=10000,
        connect_timeout=5000,
    )
    client = Client(config)
    out = {}
    for key_id in args["key_ids"]:
        try:
            runtime = RuntimeOptions(autoretry=False, max_attempts=1)
            answer = client.get_public_key_with_options(GetPublicKeyRequest(key_id=key_id), runtime)
            out[key_id] = {
                "ok": True,
                "key_id": answer.key_id,
                "pem": answer.public_key,
                "request_id": answer.request_id,
            }
        except Exception as error:  # report, do not crash: the test decides
            data = getattr(error, "data", None)
            out[key_id] = {
                "ok": False,
                "type": type(error).__name__,
                "code": getattr(error, "code", None),
                "message": str(getattr(error, "message", error))[:500],
                "http_code": data.get("httpCode") if isinstance(data, dict) else None,
            }
    return out


def _error(error: Exception) -> dict:
    data = getattr(error, "data", None)
    return {
        "ok": False,
        "type": type(error).__name__,
        "code": getattr(error, "code", None),
        "message": str(getattr(error, "message", error))[:500],
        "http_code": data.get("httpCode") if isinstance(data, dict) else None,
    }


def crypto(args: dict) -> dict:
    from openapi.models import Config
    from openapi_util.models import RuntimeOptions
    from sdk import models
    from sdk.client import Client

    client = Client(
        Config(
            protocol=args["protocol"],
            endpoint=args["endpoint"],
            client_key_file=args["client_key_file"],
            password=args["password"],
            read_timeout=10000,
            connect_timeout=5000,
        )
    )
    raw = lambda name, call: base64.b64decode(call[name]) if call.get(name) is not None else None  # noqa: E731
    results = []
    for call in args["calls"]:
        runtime = RuntimeOptions(autoretry=False, max_attempts=1)
        try:
            if call["op"] == "sign":
                answer = client.sign_with_options(
                    models.SignRequest(
                        key_id=call["key_id"],
                        algorithm=call["algorithm"],
                        message=raw("message", call),
                        message_type=call.get("message_type"),
                    ),
                    runtime,
                )
                out = {
                    "signature": base64.b64encode(answer.signature).decode(),
                    "message_type": answer.message_type,
                    "algorithm": answer.algorithm,
                }
            elif call["op"] == "verify":
                answer = client.verify_with_options(
                    models.VerifyRequest(
                        key_id=call["key_id"],
                        algorithm=call["algorithm"],
                        message=raw("message", call),
                        message_type=call.get("message_type"),
                        signature=raw("signature", call),
                    ),
                    runtime,
                )
                out = {"value": answer.value}
            elif call["op"] == "encrypt":
                answer = client.encrypt_with_options(
                    models.EncryptRequest(
                        key_id=call["key_id"], algorithm=call["algorithm"], plaintext=raw("plaintext", call)
                    ),
                    runtime,
                )
                out = {"ciphertext": base64.b64encode(answer.ciphertext_blob).decode()}
            else:
                answer = client.decrypt_with_options(
                    models.DecryptRequest(
                        key_id=call["key_id"],
                        algorithm=call["algorithm"],
                        ciphertext_blob=raw("ciphertext", call),
                    ),
                    runtime,
                )
                out = {"plaintext": base64.b64encode(answer.plaintext).decode()}
            results.append({"ok": True, "key_id": answer.key_id, "request_id": answer.request_id, **out})
        except Exception as error:  # report, do not crash: the test decides
            results.append(_error(error))
    return {"results": results}


def sign(args: dict) -> dict:
    from alibabacloud_darabonba_signature_util.signer import Signer
    from openapi_util.client import Client as Util

    results = []
    for case in args["cases"]:
        text = Util.get_string_to_sign(case["method"], "/", case["headers"], None)
        private_key = Util.trim_private_key_pem(case["private_key_pem"])
        signature = base64.b64encode(Signer.sha256with_rsasign(text, private_key)).decode()
        results.append({"string_to_sign": text, "authorization": "Bearer " + signature})
    return {"results": results}


def proto(args: dict) -> dict:
    from openapi_util.protobuf import api_pb2

    encoded = []
    for message in args["messages"]:
        cls = getattr(api_pb2, message["type"])
        encoded.append(base64.b64encode(cls(**message["fields"]).SerializeToString()).decode())
    decoded = []
    for item in args["decode"]:
        msg = getattr(api_pb2, item["type"])()
        msg.ParseFromString(base64.b64decode(item["data"]))
        decoded.append({f.name: getattr(msg, f.name) for f in msg.DESCRIPTOR.fields})
    return {"encoded": encoded, "decoded": decoded}


if __name__ == "__main__":
    mode, raw = sys.argv[1], sys.stdin.read()
    print(json.dumps({"fetch": fetch, "sign": sign, "proto": proto, "crypto": crypto}[mode](json.loads(raw))))
