"""The value classes' one base (`kms_pubkey.frozen.Frozen`): immutable, compared and hashed by
value, shown without secrets, and copied or pickled whole, as the attrs classes they replace were."""

from __future__ import annotations

import copy
import pickle
from datetime import UTC, datetime

import pytest

from kms_pubkey.credentials import Credentials
from kms_pubkey.frozen import Frozen
from kms_pubkey.key_uri import KeyUri
from kms_pubkey.public_key import PublicKey
from kms_pubkey_alibaba.instance import proto

EXPIRY = datetime(2030, 1, 2, 3, 4, 5, tzinfo=UTC)


def _credentials() -> Credentials:
    return Credentials("AKID", "the-secret", "the-token", "environment", EXPIRY)


def test_fields_cannot_be_set_or_deleted() -> None:
    creds = _credentials()
    with pytest.raises(AttributeError):
        creds.secret = "other"
    with pytest.raises(AttributeError):
        del creds.token
    with pytest.raises(AttributeError):
        creds.extra = 1
    assert (creds.secret, creds.token) == ("the-secret", "the-token")


def test_equal_by_value_and_hashable() -> None:
    first, second = (
        KeyUri("awskms", "alias/a", region="eu-west-1"),
        KeyUri("awskms", "alias/a", region="eu-west-1"),
    )
    assert first == second and first is not second
    assert hash(first) == hash(second)
    assert len({first, second, KeyUri("awskms", "alias/b", region="eu-west-1")}) == 2
    assert first != KeyUri("awskms", "alias/a", region="eu-west-2")
    assert first != ("awskms", "alias/a", None, "eu-west-1", None, False)  # another type is never equal


def test_repr_names_every_field_but_the_hidden_ones() -> None:
    text = repr(_credentials())
    assert (
        text.startswith("Credentials(") and "access_key_id='AKID'" in text and "source='environment'" in text
    )
    assert "secret" not in text and "token" not in text


def test_copy_and_pickle_keep_every_field() -> None:
    key = PublicKey(
        der=b"\x30\x00", key_spec="RSA_2048", vendor="aws", signing_algorithms=["RSASSA_PSS_SHA_256"]
    )
    creds = _credentials()
    for value in (key, creds):
        for twin in (copy.copy(value), copy.deepcopy(value), pickle.loads(pickle.dumps(value))):
            assert type(twin) is type(value)
            assert [getattr(twin, n) for n in value.__slots__] == [getattr(value, n) for n in value.__slots__]
            with pytest.raises(AttributeError):
                twin.source = "changed"  # type: ignore[misc]


def test_a_public_key_takes_one_algorithm_name_or_a_list_as_a_tuple() -> None:
    key = PublicKey(der=b"", key_spec="X", signing_algorithms="ONE", encryption_algorithms=["A", "B"])
    assert (key.signing_algorithms, key.encryption_algorithms, key.key_agreement_algorithms) == (
        ("ONE",),
        ("A", "B"),
        (),
    )


@pytest.mark.parametrize("cls", [proto.GetPublicKeyRequest, proto.GetPublicKeyResponse, proto.Error])
def test_each_protobuf_message_lists_its_fields_once_each(cls: type[Frozen]) -> None:
    fields = cls.FIELDS  # type: ignore[attr-defined]
    assert sorted(f.name for f in fields) == sorted(cls.__slots__)
    assert len({f.number for f in fields}) == len(fields)


def test_weak_references_work() -> None:
    import weakref

    creds = _credentials()
    assert weakref.ref(creds)() is creds
