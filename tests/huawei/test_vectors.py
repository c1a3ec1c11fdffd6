"""SDK-HMAC-SHA256: the documentation's worked example (tests/vectors/huawei/) and the documented rules."""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import urlsplit

import httpx

from kms_pubkey.credentials import Credentials
from kms_pubkey.signing import parse_query
from kms_pubkey_huawei import signer
from tests.support.vectors import json_files, load_json


def _vectors() -> list[dict[str, object]]:
    # A missing folder must fail, never skip: the vector is the ground truth.
    return [load_json("huawei", p.name) for p in json_files("huawei")]


def test_vector_folder_is_present() -> None:
    assert len(_vectors()) >= 1


def test_doc_vector_with_pure_steps() -> None:
    for vector in _vectors():
        url = urlsplit(str(vector["url"]))
        headers = [(k, str(v)) for k, v in dict(vector["headers"]).items()] + [("Host", url.netloc)]
        query = parse_query(url.query)
        body = str(vector["body"]).encode("utf-8")
        canonical, signed = signer.canonical_request(
            str(vector["method"]), url.path, query, headers, signer.payload_hash(body, headers)
        )
        stamp = dict(vector["headers"])["X-Sdk-Date"]
        sig = signer.signature(str(vector["secret_key"]), signer.string_to_sign(stamp, canonical))
        expected = vector["expected_authorization"]
        assert signer.authorization(str(vector["access_key"]), signed, sig) == expected


def test_doc_vector_through_the_httpx_adapter() -> None:
    for vector in _vectors():
        headers = dict(vector["headers"])
        stamp = headers.pop("X-Sdk-Date")
        fixed = datetime.strptime(stamp, signer.DATE_FORMAT).replace(tzinfo=UTC)
        auth = signer.AkSkAuth(
            Credentials(str(vector["access_key"]), str(vector["secret_key"])), clock=lambda: fixed
        )
        request = httpx.Request(str(vector["method"]), str(vector["url"]), headers=headers)
        signed = next(auth.auth_flow(request))
        assert signed.headers["X-Sdk-Date"] == stamp
        assert signed.headers["Authorization"] == vector["expected_authorization"]


def test_a_changed_secret_changes_the_signature() -> None:
    vector = _vectors()[0]
    url = urlsplit(str(vector["url"]))
    headers = [(k, str(v)) for k, v in dict(vector["headers"]).items()] + [("Host", url.netloc)]
    canonical, _ = signer.canonical_request("GET", url.path, parse_query(url.query), headers,
                                            signer.EMPTY_SHA256)
    text = signer.string_to_sign("20191115T033655Z", canonical)
    wrong = signer.signature("x" + str(vector["secret_key"]), text)
    assert wrong not in str(vector["expected_authorization"])


def test_canonical_uri_always_ends_in_a_slash() -> None:
    assert signer.canonical_uri("/v1.0/p/kms/get-publickey") == "/v1.0/p/kms/get-publickey/"
    assert signer.canonical_uri("/a%20b/") == "/a%20b/"
    assert signer.canonical_uri("") == "/"


def test_headers_with_underscores_are_never_signed() -> None:
    block, signed = signer.canonical_headers([("X_Custom", "1"), ("Host", "h"), ("X-Sdk-Date", " d ")])
    assert signed == "host;x-sdk-date"
    assert block == "host:h\nx-sdk-date:d\n"


def test_a_repeated_header_keeps_its_last_value() -> None:
    # The rule written by hand (huaweicloudsdkcore takes a dict, so it cannot repeat a name).
    block, signed = signer.canonical_headers([("X-A", "1"), ("Host", "h"), ("x-a", " 2 "), ("X_B", "3")])
    assert signed == "host;x-a"
    assert block == "host:h\nx-a:2\n"
