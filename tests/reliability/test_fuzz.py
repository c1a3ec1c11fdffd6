"""Property-based fuzzing: hostile bytes and documents only ever raise `KmsError`.

Targets: `load_public_key`, the KMS-instance protobuf codec, every vendor's error decoding
(`error_from_response` with each declaration) and every client's answer decoding (a whole
sync client over `httpx.MockTransport`). Any other exception fails the test.

`make test` runs 20,000 examples in all (EXAMPLES below); `make fuzz` sets
KMS_PUBKEY_FUZZ=1, which selects the "fuzz" profile: ten times as many (200,000).
"""

from __future__ import annotations

import base64
import json
import os
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kms_pubkey import ApiError, KmsError, PublicKey, load_public_key, transport
from kms_pubkey.vendor import error_from_response
from kms_pubkey_alibaba.client import ALIBABA
from kms_pubkey_alibaba.instance_client import ALIBABA_INSTANCE
from kms_pubkey_alibaba.instance_proto import Error, GetPublicKeyResponse
from kms_pubkey_aws.client import AWS
from kms_pubkey_huawei.client import HUAWEI
from tests.reliability import clients
from tests.reliability.clients import KINDS, Kind

PROFILE = "kms-pubkey-fuzz" if os.environ.get("KMS_PUBKEY_FUZZ") == "1" else "kms-pubkey-test"
SCALES = {"kms-pubkey-test": 1, "kms-pubkey-fuzz": 10}
SCALE = SCALES[PROFILE]
_QUIET = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much]
# `make test` replays the same examples on every run (a failure there is reproducible);
# `make fuzz` draws new ones each time, to find what the fixed set does not.
settings.register_profile(
    "kms-pubkey-test", deadline=None, database=None, suppress_health_check=_QUIET, derandomize=True
)
settings.register_profile("kms-pubkey-fuzz", deadline=None, database=None, suppress_health_check=_QUIET)


def examples(count: int) -> Callable[[Any], Any]:
    """The selected profile with `count` examples (times ten under `make fuzz`).

    The profile is a parent here, never loaded globally, so other hypothesis tests keep theirs.
    """
    return settings(settings.get_profile(PROFILE), max_examples=count * SCALE)


# Per test below; the total is asserted so a change cannot silently drop under 20,000.
EXAMPLES = {
    "load_public_key": 5000,
    "mutated_keys": 2000,
    "protobuf": 3000,
    "error_decoding": 1250,  # x 4 vendors
    "answer_decoding": 1000,  # x 5 clients
}


def test_budget_is_at_least_twenty_thousand() -> None:
    total = (
        EXAMPLES["load_public_key"]
        + EXAMPLES["mutated_keys"]
        + EXAMPLES["protobuf"]
        + 4 * EXAMPLES["error_decoding"]
        + len(KINDS) * EXAMPLES["answer_decoding"]
    )
    assert total >= 20_000


def _containers(inner: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4)


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=24),
    _containers,
    max_leaves=12,
)
PEM_LABELS = st.sampled_from(
    ["PUBLIC KEY", "RSA PUBLIC KEY", "PRIVATE KEY", "EC PRIVATE KEY", "CERTIFICATE", "X"]
)


@st.composite
def mutated(draw: st.DrawFn, data: bytes) -> bytes:
    """`data` with a few bytes flipped, cut, or inserted."""
    out = bytearray(data)
    for _ in range(draw(st.integers(1, 4))):
        action = draw(st.sampled_from(["flip", "cut", "insert"]))
        at = draw(st.integers(0, max(0, len(out) - 1)))
        if action == "flip" and out:
            out[at] ^= draw(st.integers(1, 255))
        elif action == "cut":
            del out[at : at + draw(st.integers(1, 8))]
        else:
            out[at:at] = draw(st.binary(min_size=1, max_size=8))
    return bytes(out)


@st.composite
def pem_text(draw: st.DrawFn) -> str:
    body = draw(st.binary(max_size=200) | mutated(clients.DER))
    begin, end = draw(PEM_LABELS), draw(PEM_LABELS)
    eol = draw(st.sampled_from(["\n", "\r\n", "\\n"]))
    lines = base64.b64encode(body).decode()
    return f"-----BEGIN {begin}-----{eol}{lines}{eol}-----END {end}-----{eol}" * draw(st.integers(1, 2))


def _load(data: str | bytes) -> None:
    try:
        key = load_public_key(data)
    except KmsError:
        return
    assert isinstance(key, PublicKey)
    assert load_public_key(key.der).der == key.der  # an accepted key reads back the same


@examples(EXAMPLES["load_public_key"])
@given(st.binary(max_size=400) | st.text(max_size=400) | pem_text())
def test_load_public_key(data: str | bytes) -> None:
    _load(data)


@examples(EXAMPLES["mutated_keys"])
@given(mutated(clients.DER) | mutated(clients.PEM.encode()))
def test_load_public_key_mutated(data: bytes) -> None:
    _load(data)


PROTO_MESSAGES = st.builds(
    GetPublicKeyResponse, key_id=st.text(max_size=30), public_key=st.text(max_size=60)
) | st.builds(
    Error,
    status_code=st.integers(-(2**31), 2**31 - 1),
    error_code=st.text(max_size=20),
    error_message=st.text(max_size=40),
    request_id=st.text(max_size=20),
)


@examples(EXAMPLES["protobuf"])
@given(st.binary(max_size=300) | PROTO_MESSAGES.map(lambda m: m.encode()).flatmap(mutated) | PROTO_MESSAGES)
def test_protobuf_codec(data: bytes | GetPublicKeyResponse | Error) -> None:
    if not isinstance(data, bytes):
        assert type(data).decode(data.encode()) == data  # a valid message round-trips
        return
    for message in (GetPublicKeyResponse, Error):
        try:
            decoded = message.decode(data)
        except KmsError:
            continue
        assert isinstance(decoded, message)


ERROR_FIELDS = {
    "aws": ["__type", "message", "Message"],
    "alibaba": ["Code", "Message", "RequestId", "HostId", "Recommend"],
    "huawei": ["error", "error_code", "error_msg", "request_id", "code", "message"],
}


@st.composite
def error_body(draw: st.DrawFn, vendor: str) -> bytes:
    if vendor == "alibaba-instance":
        return draw(st.binary(max_size=200) | PROTO_MESSAGES.map(lambda m: m.encode()).flatmap(mutated))
    fields = ERROR_FIELDS[vendor]
    document = draw(
        st.dictionaries(st.sampled_from(fields), JSON | st.text(max_size=20), max_size=len(fields))
    )
    if "error" in document and draw(st.booleans()):
        document["error"] = draw(st.dictionaries(st.sampled_from(fields), JSON, max_size=3))
    raw = json.dumps(document).encode()
    return draw(
        st.just(raw) | st.binary(max_size=200) | mutated(raw) | st.just(b"<Error><Code>X</Code></Error>")
    )


HEADER_TEXT = st.text(
    st.characters(min_codepoint=0x20, max_codepoint=0x7E) | st.sampled_from("¹٣é"), max_size=40
)


@pytest.mark.parametrize(
    ("name", "vendor"),
    [("aws", AWS), ("alibaba", ALIBABA), ("huawei", HUAWEI), ("alibaba-instance", ALIBABA_INSTANCE)],
)
def test_error_decoding(name: str, vendor: Any) -> None:
    @examples(EXAMPLES["error_decoding"])
    @given(st.integers(300, 599), st.data())
    def check(status: int, data: st.DataObject) -> None:
        body = data.draw(error_body(name))
        headers = {"retry-after": data.draw(HEADER_TEXT), "x-amzn-ErrorType": data.draw(HEADER_TEXT)}
        request = httpx.Request("POST", "https://127.0.0.1/?DryRun=true")
        response = httpx.Response(
            status, content=body, headers={k: v.encode("utf-8") for k, v in headers.items()}, request=request
        )
        error = error_from_response(vendor, response, [clients.ALI_SECRET])
        assert isinstance(error, ApiError)
        assert error.status_code == status
        str(error), repr(error)

    check()


ANSWER_FIELDS = {
    "aws": [
        "KeyId",
        "PublicKey",
        "KeySpec",
        "CustomerMasterKeySpec",
        "KeyUsage",
        "SigningAlgorithms",
        "EncryptionAlgorithms",
        "KeyAgreementAlgorithms",
    ],
    "alibaba-v3": ["KeyId", "KeyVersionId", "PublicKey", "RequestId"],
    "alibaba-v1": ["KeyId", "KeyVersionId", "PublicKey", "RequestId"],
    "huawei": ["key_id", "public_key"],
}


@st.composite
def answer_body(draw: st.DrawFn, kind: Kind) -> bytes:
    good, _ = kind.ok()
    if not kind.json:
        message = st.builds(
            GetPublicKeyResponse,
            key_id=st.text(max_size=20),
            public_key=st.sampled_from([clients.PEM, clients.PRIVATE_PEM, ""]) | st.text(max_size=40),
            request_id=st.text(max_size=10),
        )
        return draw(message.map(lambda m: m.encode()) | mutated(good) | st.binary(max_size=200))
    base = json.loads(good)
    fields = ANSWER_FIELDS[kind.name]
    changed = draw(st.dictionaries(st.sampled_from(fields), JSON, max_size=3))
    raw = json.dumps({**base, **changed}).encode()
    return draw(
        st.just(raw) | mutated(raw) | st.binary(max_size=100) | JSON.map(lambda v: json.dumps(v).encode())
    )


@pytest.mark.parametrize("kind", KINDS, ids=[k.name for k in KINDS])
def test_answer_decoding(kind: Kind, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(transport, "default_sleep", lambda seconds: None)
    current: dict[str, Any] = {}

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            current["status"], content=current["body"], headers={"Content-Type": kind.ok()[1]}
        )

    client = kind.sync(
        **{**kind.arguments("https://127.0.0.1"), "endpoint": "https://127.0.0.1"},
        clock=clients.ticking_clock(),
        max_retries=0,
        transport=httpx.MockTransport(handler),
    )

    @examples(EXAMPLES["answer_decoding"])
    @given(st.sampled_from([200, 200, 200, 201, 400, 404, 500]), st.data())
    def check(status: int, data: st.DataObject) -> None:
        current["status"], current["body"] = status, data.draw(answer_body(kind))
        try:
            key = kind.call(client)
        except KmsError:
            return
        assert isinstance(key, PublicKey)
        assert key.der == clients.DER
        accepted.append(status)

    accepted: list[int] = []
    with client:
        check()
    assert accepted, "no example got through: the decoding under test was never reached"
