"""Our signers against the official SDK's (alibabacloud-tea-openapi 0.4.6, test-only oracle).

`alibabacloud_tea_openapi.utils.Utils.get_authorization` (ACS3) and `.get_rpcsignature` (RPC)
are what the official client calls to sign. Each test signs a few hundred seeded random
requests through our httpx adapters at a fixed time and nonce, then asks the oracle to sign
exactly what went on the wire.
"""

from __future__ import annotations

import hashlib
import hmac
import random
import types
from datetime import UTC, datetime

import httpx
import pytest
from alibabacloud_tea_openapi.utils import Utils
from hypothesis import given, settings
from hypothesis import strategies as st

from kms_pubkey.credentials import Credentials
from kms_pubkey_alibaba import acs3, rpc

N = 250
HOSTS = ["kms.cn-hangzhou.aliyuncs.com", "127.0.0.1:8765", "kms-vpc.eu-central-1.aliyuncs.com"]
NOW = datetime(2024, 5, 17, 8, 30, 12, tzinfo=UTC)
NONCE = "3156853299f313e23d1673dc12e1703d"
KEY_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-"
VALUE_CHARS = "abcXYZ019 -_.~!*'()&=+/?%#@:;,$[]{}|\\^`\"<>\u00e9\u00fc\u4e2d\u6587\u0416\u03a9\U0001f511"


def _text(rng: random.Random, alphabet: str, low: int, high: int) -> str:
    return "".join(rng.choice(alphabet) for _ in range(rng.randint(low, high)))


def _query(rng: random.Random) -> dict[str, str]:
    query = {_text(rng, KEY_CHARS, 1, 12): _text(rng, VALUE_CHARS, 0, 40) for _ in range(rng.randint(0, 8))}
    if rng.random() < 0.5:
        query["KeyId"] = f"alias/{_text(rng, KEY_CHARS, 1, 20)}"
    return query


def _credentials(rng: random.Random) -> Credentials:
    token = _text(rng, KEY_CHARS + "+/=", 10, 80) if rng.random() < 0.4 else None
    return Credentials(_text(rng, KEY_CHARS, 8, 30), _text(rng, KEY_CHARS + "+/", 10, 40), token)


def test_acs3_matches_official_get_authorization():
    rng = random.Random(20240517)
    for _ in range(N):
        creds = _credentials(rng)
        method = rng.choice(["GET", "POST", "PUT", "DELETE"])
        host = rng.choice(HOSTS)
        headers = {
            "x-acs-action": _text(rng, KEY_CHARS, 3, 20),
            "x-acs-version": "2016-01-20",
            "user-agent": "ignored/1.0",
            "accept": "application/json",
        }
        for _ in range(rng.randint(0, 3)):
            value = _text(rng, KEY_CHARS + " ", 0, 20)
            headers[f"x-acs-{_text(rng, 'abcdefgh-', 1, 8)}"] = f"  {value} "
        body = b""
        if rng.random() < 0.5:
            body = _text(rng, VALUE_CHARS, 1, 60).encode("utf-8")
            headers["content-type"] = rng.choice(["application/x-www-form-urlencoded", "application/json"])
        request = httpx.Request(method, f"http://{host}/", params=_query(rng), headers=headers, content=body)
        auth = acs3.Acs3Auth(creds, clock=lambda: NOW, nonce=lambda: NONCE)
        signed = next(auth.auth_flow(request))

        # What the oracle signs: every header it is given; we give it the ones we claim to sign.
        wire_headers = {k: v for k, v in signed.headers.items() if acs3.is_signed_header(k)}
        assert "authorization" not in wire_headers
        oracle_request = types.SimpleNamespace(
            pathname="/", method=method, query=dict(signed.url.params.multi_items()), headers=wire_headers
        )
        payload = hashlib.sha256(body).hexdigest()
        expected = Utils.get_authorization(
            oracle_request, "ACS3-HMAC-SHA256", payload, creds.access_key_id, creds.secret
        )
        assert signed.headers["Authorization"] == expected
        assert signed.headers["x-acs-date"] == "2024-05-17T08:30:12Z"
        assert signed.headers["x-acs-signature-nonce"] == NONCE
        assert signed.headers["x-acs-content-sha256"] == payload
        if creds.token:
            assert signed.headers["x-acs-security-token"] == creds.token
        else:
            assert "x-acs-security-token" not in signed.headers


def test_rpc_matches_official_get_rpcsignature():
    rng = random.Random(16012016)
    for _ in range(N):
        creds = _credentials(rng)
        method = rng.choice(["GET", "POST"])
        params = {"Action": "GetPublicKey", "Version": "2016-01-20", **_query(rng)}
        request = httpx.Request(method, "https://kms.cn-shanghai.aliyuncs.com/", params=params)
        auth = rpc.RpcAuth(creds, clock=lambda: NOW, nonce=lambda: NONCE)
        signed = next(auth.auth_flow(request))
        sent = dict(signed.url.params.multi_items())
        signature = sent.pop("Signature")
        assert {k: sent[k] for k in params} == params
        assert sent["Timestamp"] == "2024-05-17T08:30:12Z"
        assert sent["SignatureNonce"] == NONCE
        assert sent["AccessKeyId"] == creds.access_key_id
        assert sent.get("SecurityToken") == creds.token
        assert signature == Utils.get_rpcsignature(sent, method, creds.secret)


@pytest.mark.parametrize("seed", range(3))
def test_rpc_pure_steps_match_the_oracle_on_any_unicode(seed):
    rng = random.Random(seed)
    for _ in range(100):
        count = rng.randint(1, 10)
        params = {_text(rng, KEY_CHARS, 1, 10): _text(rng, VALUE_CHARS, 0, 30) for _ in range(count)}
        secret = _text(rng, VALUE_CHARS, 1, 30)
        ours = rpc.signature(secret, rpc.string_to_sign("POST", rpc.canonical_query(params.items())))
        assert ours == Utils.get_rpcsignature(params, "POST", secret)


def test_acs3_resigning_one_request_follows_every_change():
    """A client re-signs on every attempt, over the headers of its earlier one; each change here
    (clock, nonce, credentials with and without a token, a query value, a header value) must
    still give the official signature."""
    times = iter(datetime(2024, 5, 17, 8, 30, second, tzinfo=UTC) for second in range(60))
    nonces = iter(f"{n:032x}" for n in range(60))
    auth = acs3.Acs3Auth(
        acs3_source := _Switch([Credentials("AK1", "S1", "T1"), Credentials("AK2", "S2")]),
        clock=lambda: next(times),
        nonce=lambda: next(nonces),
    )
    request = httpx.Request(
        "POST",
        "http://127.0.0.1:8765/",
        params={"KeyId": "k-1", "KeyVersionId": "v-1"},
        headers={"x-acs-action": "GetPublicKey", "x-acs-version": "2016-01-20"},
    )
    seen = set()
    for step in range(12):
        if step == 4:
            request.url = request.url.copy_with(params={"KeyId": "k-2", "KeyVersionId": "v-1"})
        if step == 8:
            request.headers["x-acs-action"] = "Other"
        creds = acs3_source.now()
        signed = next(auth.auth_flow(request))
        wire_headers = {k: v for k, v in signed.headers.items() if acs3.is_signed_header(k)}
        oracle_request = types.SimpleNamespace(
            pathname="/", method="POST", query=dict(signed.url.params.multi_items()), headers=wire_headers
        )
        expected = Utils.get_authorization(
            oracle_request, "ACS3-HMAC-SHA256", acs3.EMPTY_SHA256, creds.access_key_id, creds.secret
        )
        assert signed.headers["Authorization"] == expected
        assert ("x-acs-security-token" in signed.headers) == bool(creds.token)
        assert len(signed.headers.get_list("authorization")) == 1
        seen.add(expected)
    assert len(seen) == 12


# Header names and values where a filled-in header block could go wrong: '%' and '%(...)s'
# (its slot syntax), repeated names (merged), the signing headers' own names (replaced), mixed case.
_NAMES = ["host", "content-type", "x-acs-action", "X-Acs-Version", "x-acs-a%b", "x-acs-%(x-acs-date)s"]
_NAMES += ["x-acs-date", "x-acs-content-sha256", "x-acs-security-token", "x-acs-accesskey-id", "user-agent"]
_REPLACED = {"x-acs-date", "x-acs-signature-nonce", "x-acs-content-sha256", "authorization"}
_STS = {"x-acs-accesskey-id", "x-acs-security-token"}


@settings(deadline=None, database=None)
@given(
    st.lists(st.tuples(st.sampled_from(_NAMES), st.text(alphabet=" ab%()s,-", max_size=8)), max_size=7),
    st.booleans(),
)
def test_acs3_sign_matches_the_steps_and_the_oracle_on_any_headers(headers, with_token):
    creds = Credentials("AK", "SK", "TK" if with_token else None)
    query = [("KeyId", "k-1")]
    added = acs3.sign("POST", "/", query, headers, b"", creds, NOW, NONCE)

    replaced = _REPLACED | _STS if with_token else _REPLACED
    own = [(k, v) for k, v in headers if acs3.is_signed_header(k) and k.lower() not in replaced]
    signing = [(k, v) for k, v in added.items() if k != "Authorization"]
    canonical, signed = acs3.canonical_request("POST", "/", query, [*own, *signing], acs3.EMPTY_SHA256)
    text = "ACS3-HMAC-SHA256\n" + hashlib.sha256(canonical.encode()).hexdigest()
    sig = hmac.new(b"SK", text.encode(), hashlib.sha256).hexdigest()
    assert added["Authorization"] == acs3.authorization("AK", signed, sig)

    wire = {k.lower(): v for k, v in [*own, *signing]}
    if len(wire) == len(own) + len(signing):  # the oracle takes a dict: only without repeated names
        oracle_request = types.SimpleNamespace(pathname="/", method="POST", query=dict(query), headers=wire)
        expected = Utils.get_authorization(oracle_request, "ACS3-HMAC-SHA256", acs3.EMPTY_SHA256, "AK", "SK")
        assert added["Authorization"] == expected


class _Switch:
    """A credential source that alternates between snapshots, one per attempt."""

    def __init__(self, snapshots: list[Credentials]) -> None:
        self._snapshots = snapshots
        self._count = 0

    def now(self) -> Credentials:
        return self._snapshots[self._count % len(self._snapshots)]

    def get(self) -> Credentials:
        current = self.now()
        self._count += 1
        return current

    def shown(self) -> tuple[str, str]:
        return ("access_key_id", "switching")
