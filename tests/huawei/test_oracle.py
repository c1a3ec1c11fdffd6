"""SDK-HMAC-SHA256 against huaweicloudsdkcore's Signer as an oracle, on seeded random requests."""

from __future__ import annotations

import random
import string
from urllib.parse import quote

import httpx
import pytest
from huaweicloudsdkcore.auth.credentials import BasicCredentials
from huaweicloudsdkcore.sdk_request import SdkRequest
from huaweicloudsdkcore.signer.signer import Signer

from kms_pubkey.credentials import Credentials
from kms_pubkey_huawei import signer

# -- oracle: huaweicloudsdkcore -------------------------------------------------------------

FIXED = "20240102T030405Z"
HOSTS = ["kms.cn-north-4.myhuaweicloud.com", "127.0.0.1:8765", "kms.eu-west-101.myhuaweicloud.eu"]
TOKEN_CHARS = string.ascii_letters + string.digits + "+/="
_SEGMENT_CHARS = string.ascii_letters + string.digits + "-_.~ %:@+=!$&'()*,;é中"
_VALUE_CHARS = string.ascii_letters + string.digits + "-_.~ /?#[]@!$&'()*+,;=%é中"
_HEADER_VALUE_CHARS = string.ascii_letters + string.digits + " -_.:;,/=+*()"
_CONTENT_TYPES = [None, "application/json", "application/json;charset=UTF-8", "application/octet-stream",
                  "text/plain", "application/bson"]


def _word(rng: random.Random, chars: str, low: int, high: int) -> str:
    return "".join(rng.choice(chars) for _ in range(rng.randint(low, high)))


def _random_request(rng: random.Random) -> dict[str, object]:
    segments = [_word(rng, _SEGMENT_CHARS, 1, 10) for _ in range(rng.randint(0, 4))]
    path = "/" + "/".join(quote(s, safe="") for s in segments)
    if rng.random() < 0.2:
        path += "/"
    query: list[tuple[str, str]] = []
    for _ in range(rng.randint(0, 4)):
        key = _word(rng, _VALUE_CHARS, 1, 6)
        query.append((key, _word(rng, _VALUE_CHARS, 0, 8)))
        if rng.random() < 0.2:  # a repeated key
            query.append((key, _word(rng, _VALUE_CHARS, 0, 8)))
    names: dict[str, str] = {}
    for _ in range(rng.randint(0, 4)):
        name = "X-" + _word(rng, string.ascii_letters + "-_", 1, 8)
        if name.lower() not in {n.lower() for n in names}:
            pad = " " * rng.randint(0, 2)
            names[name] = pad + _word(rng, _HEADER_VALUE_CHARS, 1, 12).strip() + pad
    content_type = rng.choice(_CONTENT_TYPES)
    if content_type:
        names["Content-Type"] = content_type
    body = rng.randbytes(rng.randint(1, 64)) if rng.random() < 0.7 else b""
    host = rng.choice(HOSTS)
    return {
        "method": rng.choice(["GET", "POST", "PUT", "DELETE", "PATCH"]),
        "host": host,
        "path": path,
        "query": query,
        "headers": names,
        "body": body,
        "ak": _word(rng, string.ascii_uppercase + string.digits, 20, 20),
        "sk": _word(rng, string.ascii_letters + string.digits, 40, 40),
        "token": _word(rng, TOKEN_CHARS, 40, 120) if rng.random() < 0.5 else None,
        "project": _word(rng, "0123456789abcdef", 32, 32) if rng.random() < 0.7 else None,
    }


def _official(case: dict[str, object]) -> str:
    headers = dict(case["headers"])  # type: ignore[arg-type]
    headers["X-Sdk-Date"] = FIXED
    request = SdkRequest(
        method=case["method"], schema="https", host=case["host"], resource_path=case["path"],
        query_params=list(case["query"]), header_params=headers, body=case["body"],  # type: ignore[arg-type]
    )
    credentials = BasicCredentials(case["ak"], case["sk"], case["project"])
    if case["token"]:
        credentials.with_security_token(case["token"])
    signed = credentials.sign_request(request)
    return str(signed.header_params["Authorization"])


def _ours(case: dict[str, object]) -> str:
    query = "&".join(f"{quote(k, safe='')}={quote(v, safe='')}" for k, v in case["query"])  # type: ignore[attr-defined]
    url = f"https://{case['host']}{case['path']}" + (f"?{query}" if query else "")
    request = httpx.Request(str(case["method"]), url, headers=dict(case["headers"]),  # type: ignore[arg-type]
                            content=case["body"])  # type: ignore[arg-type]
    credentials = Credentials(str(case["ak"]), str(case["sk"]), case["token"])  # type: ignore[arg-type]
    signer.sign_request(request, credentials, FIXED, case["project"])  # type: ignore[arg-type]
    return request.headers["Authorization"]


def _pure(case: dict[str, object]) -> str:
    """Our pure steps over exactly the request the official signer sees, every header included."""
    headers = dict(case["headers"])  # type: ignore[arg-type]
    headers["X-Sdk-Date"] = FIXED
    headers["Host"] = str(case["host"])
    if case["project"]:
        headers["X-Project-Id"] = str(case["project"])
    if case["token"]:
        headers["X-Security-Token"] = str(case["token"])
    headers["Accept_Language"] = "never-signed"
    headers["Accept"] = "*/*"
    if signer.needs_unsigned_payload(headers.get("Content-Type")):
        headers[signer.CONTENT_HASH_HEADER] = signer.UNSIGNED_PAYLOAD
    pairs = list(headers.items())
    canonical, signed = signer.canonical_request(
        str(case["method"]), str(case["path"]), case["query"], pairs,  # type: ignore[arg-type]
        signer.payload_hash(case["body"], pairs),  # type: ignore[arg-type]
    )
    return signer.authorization(str(case["ak"]), signed,
                                signer.signature(str(case["sk"]), signer.string_to_sign(FIXED, canonical)))


def _official_all_headers(case: dict[str, object]) -> str:
    extended = dict(case)
    headers = dict(case["headers"])  # type: ignore[arg-type]
    headers["Accept_Language"] = "never-signed"
    headers["Accept"] = "*/*"
    extended["headers"] = headers
    return _official(extended)


CASES = [_random_request(random.Random(seed)) for seed in range(250)]


def test_oracle_covers_enough_variety() -> None:
    assert len(CASES) >= 200
    assert sum(1 for c in CASES if c["token"]) > 50
    assert sum(1 for c in CASES if c["query"]) > 50
    assert sum(1 for c in CASES if c["body"]) > 50
    assert sum(1 for c in CASES if c["headers"].get("Content-Type") == "text/plain") > 10  # type: ignore[attr-defined]


@pytest.mark.parametrize("index", range(len(CASES)))
def test_httpx_adapter_matches_huaweicloudsdkcore(index: int) -> None:
    case = CASES[index]
    assert _ours(case) == _official(case)


@pytest.mark.parametrize("index", range(len(CASES)))
def test_pure_steps_match_huaweicloudsdkcore_with_every_header(index: int) -> None:
    case = CASES[index]
    assert _pure(case) == _official_all_headers(case)


def test_oracle_is_not_vacuous() -> None:
    case = dict(CASES[0])
    case["sk"] = str(case["sk"]) + "x"
    assert _ours(case) != _official(CASES[0])
    assert Signer  # the oracle class under test
