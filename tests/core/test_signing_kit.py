"""The signing kit against independent computations and the vendors' own SDK helpers.

Oracles: a byte-by-byte RFC 3986 encoder written here, botocore's SigV4 canonical query,
tea-openapi's ACS3 canonical query and encoder, huaweicloudsdkcore's canonical query,
`hmac`/`hashlib` directly, `email.utils` for the RFC 1123 date and strftime for the stamps.
"""

from __future__ import annotations

import email.utils
import hashlib
import hmac
from datetime import UTC, datetime, timedelta, timezone

import httpx
from alibabacloud_tea_openapi.utils import Utils, get_canonical_query_string
from botocore.auth import SigV4Auth
from botocore.credentials import Credentials as BotoCredentials
from huaweicloudsdkcore.sdk_request import SdkRequest
from huaweicloudsdkcore.signer.signer import Signer
from hypothesis import given, settings
from hypothesis import strategies as st

from kms_pubkey.credentials import Credentials
from kms_pubkey.signing import (
    BASIC_FORMAT,
    EMPTY_SHA256,
    EXTENDED_FORMAT,
    HTTP_DATE_FORMAT,
    SignerAuth,
    basic_utc,
    canonical_query,
    canonical_raw_query,
    extended_utc,
    hmac_hex,
    hmac_raw,
    http_date,
    new_nonce,
    parse_query,
    percent_encode,
    sha256_hex,
)

UNRESERVED = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~"
TRICKY = UNRESERVED + " /+*%&=?#!'()\u00e9\u00fc\u4e2d\u0416\U0001f511"

# Any text (hypothesis leaves out lone surrogates, which no wire can carry), and text from the
# characters where encoders usually differ.
texts = st.text() | st.text(alphabet=TRICKY)
pairs = st.lists(st.tuples(texts, texts), max_size=8)
quick = settings(deadline=None, database=None)  # a busy machine must not fail a test on time


def reference_encode(value: str, keep: str = "") -> str:
    """RFC 3986 section 2: unreserved bytes stay, every other UTF-8 byte is upper-case %XX."""
    safe = {ord(c) for c in UNRESERVED + keep}
    return "".join(chr(b) if b in safe else f"%{b:02X}" for b in value.encode("utf-8"))


@quick
@given(texts)
def test_percent_encode_is_rfc3986(value: str) -> None:
    assert percent_encode(value) == reference_encode(value)
    assert percent_encode(value) == Utils.get_encode_param(value)  # Alibaba's own rule


@quick
@given(texts)
def test_keep_slash_encodes_each_segment(value: str) -> None:
    expected = reference_encode(value, keep="/")
    assert percent_encode(value, keep_slash=True) == expected
    # Huawei's canonical URI encodes each '/'-separated segment on its own: the same thing.
    assert "/".join(percent_encode(part) for part in value.split("/")) == expected


@quick
@given(st.text(alphabet=UNRESERVED))
def test_unreserved_text_skips_the_slow_path(value: str) -> None:
    assert percent_encode(value) is value  # the fast path hands the very string back
    assert percent_encode(value + "/", keep_slash=True) == value + "/"


@quick
@given(pairs)
def test_canonical_query_matches_botocore(query: list[tuple[str, str]]) -> None:
    signer = SigV4Auth(BotoCredentials("AKID", "secret"), "kms", "us-east-1")
    assert canonical_query(query) == signer._canonical_query_string_params(query)


@quick
@given(st.dictionaries(st.text(alphabet=UNRESERVED, min_size=1), texts, max_size=8))
def test_canonical_query_matches_tea_openapi(query: dict[str, str]) -> None:
    # tea-openapi leaves names unencoded, so it is an oracle only for names that need none.
    assert canonical_query(query.items()) == get_canonical_query_string(query)


# Unreserved names and values take the canonical query's fast path (no encoding at all); names
# that are prefixes of one another are where sorting "name=value" strings would go wrong.
plain = st.text(alphabet=UNRESERVED + "-" * 10, max_size=6)
plain_pairs = st.lists(st.tuples(plain, plain), max_size=8)


@quick
@given(plain_pairs)
def test_unreserved_queries_match_botocore_and_huaweicloudsdkcore(query: list[tuple[str, str]]) -> None:
    signer = SigV4Auth(BotoCredentials("AKID", "secret"), "kms", "us-east-1")
    assert canonical_query(query) == signer._canonical_query_string_params(query)
    expected = Signer.process_canonical_query_string(SdkRequest(query_params=list(query)))
    assert canonical_query(query, sort_decoded=True) == expected


def test_prefix_names_sort_as_pairs() -> None:
    assert canonical_query([("a-b", "1"), ("a", "2"), ("a", "1")]) == "a=1&a=2&a-b=1"


# Raw queries as httpx writes them (spaces as '+'), and raw text near the fast path's edges:
# '=' and '&' where they do not separate one pair, empty parts, '%' and '+' to decode.
raw_queries = (plain_pairs | pairs).map(lambda query: str(httpx.QueryParams(query)))
raw_queries |= st.text(alphabet=UNRESERVED[::7] + "-" * 4 + "=&+%2A7E", max_size=24)


@quick
@given(raw_queries)
def test_canonical_raw_query_is_decoding_then_encoding(raw: str) -> None:
    slow = canonical_query(parse_query(raw, plus_as_space=True))
    assert canonical_raw_query(raw, plus_as_space=True) == slow
    assert canonical_raw_query(raw) == canonical_query(parse_query(raw))


@quick
@given(st.dictionaries(st.text(alphabet=UNRESERVED, min_size=1), texts | plain, max_size=8))
def test_canonical_raw_query_matches_tea_openapi(query: dict[str, str]) -> None:
    raw = str(httpx.QueryParams(query))  # what the ACS3 adapter reads from the request
    assert canonical_raw_query(raw, plus_as_space=True) == get_canonical_query_string(query)


def test_canonical_raw_query_sorts_prefix_names_as_pairs() -> None:
    # As strings, "a-b=1" < "a1=1" < "a=1" ('-' and '1' sort below '='); as pairs "a" comes first.
    assert canonical_raw_query("a1=1&a-b=1&a=2&a=1") == "a=1&a=2&a-b=1&a1=1"
    assert canonical_raw_query("b=&a=x") == "a=x&b="
    assert canonical_raw_query("a=b=c&d") == "a=b%3Dc&d="  # not plain: the slow path's rules


@quick
@given(pairs)
def test_sort_decoded_matches_huaweicloudsdkcore(query: list[tuple[str, str]]) -> None:
    expected = Signer.process_canonical_query_string(SdkRequest(query_params=list(query)))
    assert canonical_query(query, sort_decoded=True) == expected


def test_the_two_sort_orders_differ_outside_ascii() -> None:
    query = [("\u00e9", "2"), ("z", "1")]
    assert canonical_query(query) == "%C3%A9=2&z=1"  # '%' sorts before 'z'
    assert canonical_query(query, sort_decoded=True) == "z=1&%C3%A9=2"  # 'é' sorts after 'z'


@quick
@given(st.binary() | st.text(), st.binary(max_size=80) | st.text(max_size=80), st.text())
def test_hashes_and_hmacs_match_hashlib(data: bytes | str, key: bytes | str, text: str) -> None:
    raw_data = data.encode("utf-8") if isinstance(data, str) else data
    raw_key = key.encode("utf-8") if isinstance(key, str) else key
    assert sha256_hex(data) == hashlib.sha256(raw_data).hexdigest()
    assert hmac_hex(key, text) == hmac.new(raw_key, text.encode("utf-8"), hashlib.sha256).hexdigest()
    assert hmac_raw(key, text, "sha1") == hmac.new(raw_key, text.encode("utf-8"), hashlib.sha1).digest()


def test_hmacs_from_remembered_keys_stay_apart() -> None:
    """Each HMAC starts from a copy of a remembered keyed state: interleaved keys (more than it
    keeps, so some are dropped and made again), both algorithms, and the same key again must
    each give what `hmac` gives from scratch."""
    keys: list[bytes | str] = [f"secret-{n}" for n in range(40)] + [b"secret-0", b"", "\u00e9"]
    for round_ in range(3):
        for index, key in enumerate(keys):
            raw_key = key.encode("utf-8") if isinstance(key, str) else key
            text = f"message {round_} {index}"
            assert hmac_hex(key, text) == hmac.new(raw_key, text.encode(), hashlib.sha256).hexdigest()
            assert hmac_raw(key, text, "sha1") == hmac.new(raw_key, text.encode(), hashlib.sha1).digest()
            assert hmac_hex(key, text) == hmac.new(raw_key, text.encode(), hashlib.sha256).hexdigest()


def test_empty_sha256_is_the_known_constant() -> None:
    assert EMPTY_SHA256 == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"


def test_nonces_are_fresh_hex() -> None:
    first, second = new_nonce(), new_nonce()
    assert first != second
    assert len(first) == 32 and int(first, 16) >= 0


fixed = st.integers(-14 * 60, 14 * 60).map(lambda minutes: timezone(timedelta(minutes=minutes)))
offsets = st.none() | st.just(UTC) | fixed


@quick
@given(st.datetimes(min_value=datetime(1970, 1, 2), max_value=datetime(2999, 12, 30), timezones=offsets))
def test_date_stamps_match_the_standard_library(when: datetime) -> None:
    utc = when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)
    assert basic_utc(when) == utc.strftime(BASIC_FORMAT)
    assert extended_utc(when) == utc.strftime(EXTENDED_FORMAT)
    assert http_date(when) == email.utils.format_datetime(utc, usegmt=True)
    parsed = datetime.strptime(http_date(when), HTTP_DATE_FORMAT).replace(tzinfo=UTC)
    assert parsed == utc.replace(microsecond=0)


def test_an_adapter_repr_names_the_key_id_and_hides_the_secret() -> None:
    class ExampleAuth(SignerAuth):
        pass

    auth = ExampleAuth(Credentials("AKIDEXAMPLE", "s3cr3t-value", "t0ken-value"))
    assert repr(auth) == "ExampleAuth(access_key_id='AKIDEXAMPLE')"
