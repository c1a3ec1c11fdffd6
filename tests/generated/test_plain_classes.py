"""The generated classes that our templates write by hand instead of with attrs (generator/templates/
client.py.jinja, types.py.jinja, model.py.jinja) keep the behaviour callers relied on: the same
constructor arguments, copies through with_headers/with_cookies/with_timeout, value equality and
a field-by-field repr for models, and no attrs anywhere in the generated packages."""

from __future__ import annotations

import asyncio
import io
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from kms_pubkey_aws_api import AuthenticatedClient, Client
from kms_pubkey_aws_api.models import GetPublicKeyRequest, GetPublicKeyResponse
from kms_pubkey_aws_api.types import File, Response
from kms_pubkey_huawei_api.models import OperateKeyRequestBody
from kms_pubkey_huawei_api.types import UNSET

GENERATED = Path(__file__).resolve().parents[2] / "generated"
PACKAGES = (
    "kms_pubkey_aws_api",
    "kms_pubkey_alibaba_api",
    "kms_pubkey_alibaba_instance_api",
    "kms_pubkey_huawei_api",
)


def test_no_generated_file_mentions_attrs() -> None:
    sources = sorted(GENERATED.rglob("*.py")) + sorted(GENERATED.rglob("pyproject.toml"))
    assert len(sources) > 20
    assert [path for path in sources if "attrs" in path.read_text(encoding="utf-8")] == []


def test_importing_the_generated_packages_loads_no_attrs() -> None:
    code = (
        "import sys\n"
        + "".join(f"import {p}.models, {p}.client, {p}.types\n" for p in PACKAGES)
        + "print('attrs' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60)
    assert out.stdout.strip() == "False"


def test_models_take_the_same_arguments_as_before() -> None:
    # positional in declaration order (required first), as the attrs classes took them
    body = OperateKeyRequestBody(
        "0d0466b0-e727-4d9c-b35d-f84bb474a37f", "919c82d4-8046-4722-9094-35c3c6524cff"
    )
    assert body.to_dict() == {
        "key_id": "0d0466b0-e727-4d9c-b35d-f84bb474a37f",
        "sequence": "919c82d4-8046-4722-9094-35c3c6524cff",
    }
    assert OperateKeyRequestBody(key_id="k").sequence is UNSET
    with pytest.raises(TypeError):
        OperateKeyRequestBody()  # type: ignore[call-arg]
    assert GetPublicKeyRequest(key_id="alias/x", grant_tokens=["t"]).to_dict() == {
        "KeyId": "alias/x",
        "GrantTokens": ["t"],
    }


def test_models_compare_by_value_and_show_their_fields() -> None:
    body = {"KeyId": "k", "KeySpec": "RSA_2048", "Extra": 1}
    one, two = GetPublicKeyResponse.from_dict(body), GetPublicKeyResponse.from_dict(dict(body))
    assert one == two
    assert one != GetPublicKeyResponse.from_dict({**body, "KeySpec": "SM2"})
    assert one != GetPublicKeyResponse.from_dict(
        {"KeyId": "k", "KeySpec": "RSA_2048"}
    )  # additional_properties
    assert one.additional_properties == {"Extra": 1}
    assert one.__eq__(object()) is NotImplemented
    with pytest.raises(TypeError):
        hash(one)
    shown = repr(one)
    assert shown.startswith("GetPublicKeyResponse(key_id='k', ")
    assert "key_spec='RSA_2048'" in shown and "additional_properties={'Extra': 1}" in shown
    with pytest.raises(AttributeError):
        one.not_a_field = 1  # type: ignore[attr-defined]


def test_response_and_file() -> None:
    payload = io.BytesIO(b"x")
    assert File(payload, "a.bin", "application/octet-stream").to_tuple() == (
        "a.bin",
        payload,
        "application/octet-stream",
    )
    assert File(payload=payload) == File(payload)
    response = Response(status_code=200, content=b"{}", headers={"a": "b"}, parsed=None)  # type: ignore[arg-type]
    assert (response.status_code, response.content, response.headers, response.parsed) == (
        200,
        b"{}",
        {"a": "b"},
        None,
    )
    assert repr(response) == "Response(status_code=200, content=b'{}', headers={'a': 'b'}, parsed=None)"


def test_client_copies_and_builds_its_httpx_clients() -> None:
    timeout = httpx.Timeout(3.0)
    client = Client(
        "https://kms.example.test", headers={"a": "1"}, timeout=timeout, raise_on_unexpected_status=True
    )
    with client as entered:
        assert entered is client
        http = client.get_httpx_client()
        assert http is client.get_httpx_client()
        assert str(http.base_url) == "https://kms.example.test"
        assert http.headers["a"] == "1" and http.timeout == timeout
        copy = client.with_headers({"b": "2"})
        assert type(copy) is Client and copy is not client
        assert http.headers["b"] == "2"  # the live client is updated too, as before
        copied = copy.get_httpx_client()
        assert copied is not http and copied.headers["a"] == "1" and copied.headers["b"] == "2"
        assert copy.raise_on_unexpected_status is True
        copied.close()
    assert http.is_closed
    assert client.with_timeout(httpx.Timeout(1.0)).get_httpx_client().timeout == httpx.Timeout(1.0)
    assert client.with_cookies({"c": "3"}).get_httpx_client().cookies["c"] == "3"
    given = httpx.Client()
    assert client.set_httpx_client(given) is client and client.get_httpx_client() is given
    given.close()


async def _async_headers(client: AuthenticatedClient) -> httpx.Headers:
    async with client:
        return client.get_async_httpx_client().headers


def test_authenticated_client_sends_its_token_and_never_shows_it() -> None:
    client = AuthenticatedClient("https://kms.example.test", "s3cr3t-token", headers={"a": "1"})
    assert client.get_httpx_client().headers["Authorization"] == "Bearer s3cr3t-token"
    plain = AuthenticatedClient("https://kms.example.test", "t0k", prefix="", auth_header_name="X-Auth-Token")
    assert asyncio.run(_async_headers(plain))["X-Auth-Token"] == "t0k"
    copy = client.with_headers({"b": "2"})
    assert type(copy) is AuthenticatedClient and copy.token == "s3cr3t-token"
    assert copy.get_httpx_client().headers["Authorization"] == "Bearer s3cr3t-token"
    for shown in (repr(client), repr(copy), str(client)):
        assert "s3cr3t" not in shown and "Authorization" not in shown
    for c in (client, copy):
        c.get_httpx_client().close()
