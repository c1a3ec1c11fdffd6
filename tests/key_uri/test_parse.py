"""Key URIs. AWS URIs must mean what they mean to cosign.

The expected values are written from sigstore/sigstore's own rules, not from our parser:
pkg/signature/kms/aws/client.go at commit bd0ad712 (`hostRE = ([^/]*)/` gives the endpoint;
the rest, whole, is the key id sent to KMS; aliases are matched by `alias/.*`), its table test
aws_test.go `TestParseReference`, and the example list in cosign's KMS.md ("The following URIs
are valid"). cosign's parser gives no region: where KEY is an ARN, the region is the ARN's
fourth field, as AWS documents ARNs.
"""

from __future__ import annotations

import pytest

from kms_pubkey import KeyUri, ValidationError, parse_key_uri

KEY = "1234abcd-12ab-34cd-56ef-1234567890ab"
KEY_ARN = f"arn:aws:kms:us-east-2:111122223333:key/{KEY}"
ALIAS_ARN = "arn:aws:kms:us-east-2:111122223333:alias/ExampleAlias"

# cosign KMS.md, "The following URIs are valid": (uri, endpoint, key id, region, alias?)
COSIGN_DOC_EXAMPLES = [
    (f"awskms:///{KEY}", None, KEY, None, False),
    (f"awskms://localhost:4566/{KEY}", "localhost:4566", KEY, None, False),
    (f"awskms:///{KEY_ARN}", None, KEY_ARN, "us-east-2", False),
    (f"awskms://localhost:4566/{KEY_ARN}", "localhost:4566", KEY_ARN, "us-east-2", False),
    ("awskms:///alias/ExampleAlias", None, "alias/ExampleAlias", None, True),
    ("awskms://localhost:4566/alias/ExampleAlias", "localhost:4566", "alias/ExampleAlias", None, True),
    (f"awskms:///{ALIAS_ARN}", None, ALIAS_ARN, "us-east-2", True),
    (f"awskms://localhost:4566/{ALIAS_ARN}", "localhost:4566", ALIAS_ARN, "us-east-2", True),
]

# aws_test.go TestParseReference cases beyond the documented list.
COSIGN_TEST_TABLE = [
    (
        "awskms:///mrk-1234abcd12ab34cd56ef1234567890ab",
        None,
        "mrk-1234abcd12ab34cd56ef1234567890ab",
        None,
        False,
    ),
    (f"awskms:///{KEY.upper()}", None, KEY.upper(), None, False),
    (
        "awskms:///arn:aws-us-gov:kms:us-gov-west-1:111122223333:alias/ExampleAlias",
        None,
        "arn:aws-us-gov:kms:us-gov-west-1:111122223333:alias/ExampleAlias",
        "us-gov-west-1",
        True,
    ),
    (
        f"awskms:///arn:aws-us-gov:kms:us-gov-west-1:111122223333:key/{KEY}",
        None,
        f"arn:aws-us-gov:kms:us-gov-west-1:111122223333:key/{KEY}",
        "us-gov-west-1",
        False,
    ),
    # client.go arnRE also names the aws-cn partition (sigstore commit 7ae64bc2, "AWS China region").
    (
        f"awskms:///arn:aws-cn:kms:cn-north-1:111122223333:key/{KEY}",
        None,
        f"arn:aws-cn:kms:cn-north-1:111122223333:key/{KEY}",
        "cn-north-1",
        False,
    ),
]

# aws_test.go's wantErr cases, and what each must blame.
COSIGN_REFUSED = [
    ("awskms:///missingalias", "'missingalias' is not a key id"),  # missing alias/ prefix
    ("awskms:///1234abcd-12ab-YYYY-56ef-1234567890ab", "is not a key id"),  # invalid UUID
    (f"awskms://{KEY}", "three slashes"),  # no endpoint needs three slashes
]


@pytest.mark.parametrize(
    ("uri", "endpoint", "key_id", "region", "alias"), COSIGN_DOC_EXAMPLES + COSIGN_TEST_TABLE
)
def test_aws_uris_parse_as_cosign_parses_them(uri, endpoint, key_id, region, alias):
    parsed = parse_key_uri(uri)
    assert (parsed.scheme, parsed.endpoint, parsed.key_id, parsed.region, parsed.alias) == (
        "awskms",
        endpoint,
        key_id,
        region,
        alias,
    )
    assert parsed.vendor == "aws"
    assert parsed.endpoint_url == (
        None if endpoint is None else f"https://{endpoint}"
    )  # cosign: "https://" + endpoint
    assert parsed.immutable is (not alias)  # a key id or key ARN names one key forever
    assert str(parsed) == uri


def test_every_documented_example_is_covered():
    # KMS.md lists eight forms: key id, key ARN, alias, alias ARN, each with and without endpoint.
    assert len(COSIGN_DOC_EXAMPLES) == 8
    assert len({uri for uri, *_ in COSIGN_DOC_EXAMPLES}) == 8


@pytest.mark.parametrize(("uri", "blamed"), COSIGN_REFUSED)
def test_what_cosign_refuses_is_refused_naming_the_part(uri, blamed):
    with pytest.raises(ValidationError, match=blamed):
        parse_key_uri(uri)


@pytest.mark.parametrize(
    ("uri", "blamed"),
    [
        ("alias/x", "no scheme"),
        ("gcpkms://projects/p/locations/l/keyRings/r/cryptoKeys/k", "unknown scheme 'gcpkms'"),
        ("awskms:///alias/", "alias 'alias/' is not an alias name"),
        ("awskms:///alias/has space", "alias 'alias/has space'"),
        ("awskms://user@host/alias/x", "endpoint 'user@host'"),
        ("awskms://host:notaport/alias/x", "endpoint 'host:notaport'"),
        (f"awskms:///arn:aws:kms:us-east-2:1234:key/{KEY}", "is not a key id, key ARN"),  # 12-digit account
        ("alikms://cn-hangzhou/key-abc", "key version is missing"),
        ("alikms://cn-hangzhou/key-abc?version=", "key version is missing"),
        ("alikms://cn-hangzhou/key-abc?version=a&version=b", "more than once"),
        ("alikms://cn-hangzhou/key-abc?versoin=a", "unknown query parameter 'versoin'"),
        ("alikms://cn-hangzhou/?version=a", "the key is missing"),
        ("alikms-instance:///key-abc", "instance endpoint is missing"),
        ("alikms-instance://kst.example/key-abc?version=1", "take no query"),
        ("huaweikms://cn-north-4/NOT-A-KEY", "'NOT-A-KEY' is not a Huawei key id"),
        (
            "huaweikms://cn-north-4/0d0466b0-e727-4d9c-b35d-f84bb474a37f?version=1",
            "huaweikms URIs take no query",
        ),
    ],
)
def test_bad_uris_name_the_wrong_part(uri, blamed):
    with pytest.raises(ValidationError, match=blamed.replace("?", r"\?").replace("(", r"\(")):
        parse_key_uri(uri)


def test_not_a_string_is_a_validation_error():
    with pytest.raises(ValidationError, match="must be a string"):
        parse_key_uri(b"awskms:///alias/x")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("uri", "expected"),
    [
        (
            "alikms://cn-hangzhou/key-hzz62f1cb66fa42qo3zxp?version=2a2a6d3d-4b4e-4c6a-9d0e-0f6e5f3b2a11",
            KeyUri(
                "alikms",
                "key-hzz62f1cb66fa42qo3zxp",
                None,
                "cn-hangzhou",
                "2a2a6d3d-4b4e-4c6a-9d0e-0f6e5f3b2a11",
            ),
        ),
        (
            "alikms://kms-vpc.cn-hangzhou.aliyuncs.com/alias/app?version=v1",
            KeyUri("alikms", "alias/app", "kms-vpc.cn-hangzhou.aliyuncs.com", None, "v1", alias=True),
        ),
        ("alikms:///key-1?version=v%2F1", KeyUri("alikms", "key-1", None, None, "v/1")),
        (
            "alikms-instance://kst-hzz6.cryptoservice.kms.aliyuncs.com/key-1",
            KeyUri("alikms-instance", "key-1", "kst-hzz6.cryptoservice.kms.aliyuncs.com"),
        ),
        (
            "huaweikms://cn-north-4/0d0466b0-e727-4d9c-b35d-f84bb474a37f",
            KeyUri("huaweikms", "0d0466b0-e727-4d9c-b35d-f84bb474a37f", None, "cn-north-4"),
        ),
        (
            "huaweikms://127.0.0.1:8080/0d0466b0-e727-4d9c-b35d-f84bb474a37f",
            KeyUri("huaweikms", "0d0466b0-e727-4d9c-b35d-f84bb474a37f", "127.0.0.1:8080"),
        ),
        (
            "huaweikms:///0d0466b0-e727-4d9c-b35d-f84bb474a37f",
            KeyUri("huaweikms", "0d0466b0-e727-4d9c-b35d-f84bb474a37f"),
        ),
    ],
)
def test_other_vendors_carry_place_key_and_version(uri, expected):
    parsed = parse_key_uri(uri)
    assert parsed == expected
    assert parse_key_uri(str(parsed)) == parsed


def test_only_a_key_id_with_its_version_is_immutable_outside_aws():
    assert parse_key_uri("alikms://cn-hangzhou/key-1?version=v1").immutable
    assert not parse_key_uri("alikms://cn-hangzhou/alias/a?version=v1").immutable
    assert not parse_key_uri("alikms-instance://kst.example/key-1").immutable  # no version on the wire
    assert not parse_key_uri("huaweikms://cn-north-4/0d0466b0-e727-4d9c-b35d-f84bb474a37f").immutable


def test_a_long_uri_is_cut_short_in_the_message():
    with pytest.raises(ValidationError) as caught:
        parse_key_uri("awskms:///" + "x" * 5000)
    assert len(str(caught.value)) < 400
