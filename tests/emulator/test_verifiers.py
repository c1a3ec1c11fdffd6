"""The emulator's own signature checks against the vendors' official signers, and tampered requests.

Each request is signed by the official SDK's signer (botocore `SigV4Auth`, the Alibaba tea
openapi `Utils`, huaweicloudsdkcore's `Signer`), with awkward query values and header spacing,
and sent over HTTP to the emulator: it must be accepted (the key comes back), and refused with
the vendor's signature error once one signed byte changes. The dedicated gateway's RSA check is
driven by the official dkms-gcs client in `tests/alibaba_instance/`.
"""

from __future__ import annotations

import base64
import hashlib
import json
import uuid
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from cryptography.hazmat.primitives import serialization

pytestmark = pytest.mark.integration

# Values whose encoding differs between careless implementations: space, ~, *, /, +, =, non-ASCII.
AWKWARD = "a b~c*d/e+f=g\u00e9"


def _wire_query(pairs: Any) -> str:
    """The query as the SDKs put it on the wire: RFC 3986, `~` unescaped."""
    return "&".join(f"{quote(k, safe='~')}={quote(v, safe='~')}" for k, v in pairs)


def _key(emulator: Any, vendor: str, spec: str) -> dict[str, Any]:
    listed = [k for k in emulator.admin_keys() if k["vendor"] == vendor and k["key_spec"] == spec]
    assert listed, f"no {vendor} {spec} key"
    return listed[0]


def _host(emulator: Any) -> str:
    return emulator.url.removeprefix("http://")


# ---------------------------------------------------------------- AWS SigV4 (botocore)


def _aws(emulator: Any, body: bytes, secret: str | None = None, query: str = "") -> AWSRequest:
    c = emulator.config
    request = AWSRequest(
        method="POST",
        url=f"{emulator.url}/{query}",
        data=body,
        headers={
            "Content-Type": "application/x-amz-json-1.1",
            "X-Amz-Target": "TrentService.GetPublicKey",
            "X-Custom-Spaced": "two   spaces  inside",
        },
    )
    SigV4Auth(Credentials(c.access_key_id, secret or c.secret_access_key), "kms", "eu-west-1").add_auth(
        request
    )
    return request


def _send(request: AWSRequest, body: bytes | None = None, **header_changes: str) -> httpx.Response:
    headers = {k: v for k, v in request.headers.items()}
    headers.update(header_changes)
    return httpx.post(
        request.url, content=request.body if body is None else body, headers=headers, timeout=10
    )


def test_sigv4_from_botocore_is_accepted_and_tampering_refused(emulator: Any) -> None:
    key = _key(emulator, "aws", "ECC_NIST_P256")
    body = json.dumps({"KeyId": key["key_id"]}).encode()
    query = "?" + _wire_query([("z", AWKWARD), ("a", "")])
    request = _aws(emulator, body, query=query)
    ok = _send(request)
    assert ok.status_code == 200, ok.text
    expected = serialization.load_pem_public_key(key["public_key_pem"].encode()).public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    assert base64.b64decode(ok.json()["PublicKey"]) == expected
    tampered = [
        _send(request, body=json.dumps({"KeyId": key["key_id"] + " "}).encode()),
        _send(request, **{"X-Custom-Spaced": "changed"}),
        _send(_aws(emulator, body, secret="not-the-secret")),
    ]
    for answer in tampered:
        assert answer.status_code == 400
        assert answer.json()["__type"] == "InvalidSignatureException"


# ---------------------------------------------------------------- Alibaba ACS3 and RPC (tea openapi)


def _acs3(emulator: Any, key: dict[str, Any], secret: str | None = None) -> tuple[str, dict[str, str]]:
    from alibabacloud_tea_openapi.utils import Utils

    c = emulator.config
    query = {"KeyId": key["key_id"], "KeyVersionId": key["key_version_id"], "Note": AWKWARD}
    headers = {
        "host": _host(emulator),
        "x-acs-action": "GetPublicKey",
        "x-acs-version": "2016-01-20",
        "x-acs-date": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "x-acs-signature-nonce": uuid.uuid4().hex,
        "x-acs-content-sha256": hashlib.sha256(b"").hexdigest(),
    }
    request = SimpleNamespace(method="POST", pathname="/", query=query, headers=headers)
    headers["Authorization"] = Utils.get_authorization(
        request,
        "ACS3-HMAC-SHA256",
        headers["x-acs-content-sha256"],
        c.access_key_id,
        secret or c.secret_access_key,
    )
    return f"{emulator.url}/?{_wire_query(query.items())}", headers


def _rpc(emulator: Any, key: dict[str, Any], secret: str | None = None) -> dict[str, str]:
    from alibabacloud_tea_openapi.utils import Utils

    c = emulator.config
    params = {
        "Action": "GetPublicKey",
        "Version": "2016-01-20",
        "Format": "JSON",
        "AccessKeyId": c.access_key_id,
        "SignatureMethod": "HMAC-SHA1",
        "SignatureVersion": "1.0",
        "SignatureNonce": uuid.uuid4().hex,
        "Timestamp": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "KeyId": key["key_id"],
        "KeyVersionId": key["key_version_id"],
        "Note": AWKWARD,
    }
    params["Signature"] = Utils.get_rpcsignature(params, "POST", secret or c.secret_access_key)
    return params


def _post_query(url: str, params: dict[str, str]) -> httpx.Response:
    return httpx.post(f"{url}/?{_wire_query(params.items())}", timeout=10)


def test_acs3_from_tea_openapi_is_accepted_and_tampering_refused(emulator: Any) -> None:
    key = _key(emulator, "alibaba", "EC_P256")
    url, headers = _acs3(emulator, key)
    ok = httpx.post(url, headers=headers, timeout=10)
    assert ok.status_code == 200, ok.text
    assert ok.json()["PublicKey"] == key["public_key_pem"]
    cases = [
        (url.replace("Note=", "Note=x"), _acs3(emulator, key)[1]),
        _acs3(emulator, key, secret="not-the-secret"),
        (url, {**_acs3(emulator, key)[1], "x-acs-content-sha256": hashlib.sha256(b"x").hexdigest()}),
    ]
    for tampered_url, tampered_headers in cases:
        answer = httpx.post(tampered_url, headers=tampered_headers, timeout=10)
        assert (answer.status_code, answer.json()["Code"]) == (400, "SignatureDoesNotMatch"), answer.text


def test_rpc_from_tea_openapi_is_accepted_and_tampering_refused(emulator: Any) -> None:
    key = _key(emulator, "alibaba", "RSA_2048")
    ok = _post_query(emulator.url, _rpc(emulator, key))
    assert ok.status_code == 200, ok.text
    assert ok.json()["PublicKey"] == key["public_key_pem"]
    for tampered in ({**_rpc(emulator, key), "Note": AWKWARD + "!"}, _rpc(emulator, key, secret="nope")):
        answer = _post_query(emulator.url, tampered)
        assert (answer.status_code, answer.json()["Code"]) == (400, "SignatureDoesNotMatch"), answer.text


# ---------------------------------------------------------------- Huawei SDK-HMAC-SHA256 (huaweicloudsdkcore)


def _huawei(emulator: Any, body: bytes, secret: str | None = None) -> tuple[str, dict[str, str]]:
    from huaweicloudsdkcore.sdk_request import SdkRequest
    from huaweicloudsdkcore.signer.signer import Signer

    c = emulator.config
    request = SdkRequest(
        method="POST",
        schema="http",
        host=_host(emulator),
        resource_path=f"/v1.0/{c.huawei_project_id}/kms/get-publickey",
        query_params=[("note", AWKWARD), ("a", "1")],
        header_params={
            "Content-Type": "application/json;charset=UTF-8",
            "X-Project-Id": c.huawei_project_id,
            "X-Spaced": "padded   value",
        },
        body=body,
    )
    Signer(SimpleNamespace(ak=c.access_key_id, sk=secret or c.secret_access_key)).sign(request)
    return f"{emulator.url}{request.uri}", dict(request.header_params)


def test_huawei_from_huaweicloudsdkcore_is_accepted_and_tampering_refused(emulator: Any) -> None:
    key = _key(emulator, "huawei", "EC_P256")
    body = json.dumps({"key_id": key["key_id"]}).encode()
    url, headers = _huawei(emulator, body)
    ok = httpx.post(url, content=body, headers=headers, timeout=10)
    assert ok.status_code == 200, ok.text
    assert ok.json()["key_id"] == key["key_id"]
    cases = [
        (url, body.replace(b"}", b" }"), headers),
        (url.replace("a=1", "a=2"), body, headers),
        (url, body, {**headers, "X-Spaced": "other"}),
        (*_huawei(emulator, body, secret="nope")[:1], body, _huawei(emulator, body, secret="nope")[1]),
    ]
    for tampered_url, tampered_body, tampered_headers in cases:
        answer = httpx.post(tampered_url, content=tampered_body, headers=tampered_headers, timeout=10)
        assert (answer.status_code, answer.json()["error_code"]) == (401, "APIGW.0301"), answer.text
