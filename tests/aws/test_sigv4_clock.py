"""The signer's clock: aware times in any zone and naive UTC times give the same stamp."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone

import pytest

from kms_pubkey_aws.sigv4 import amz_date


@pytest.fixture
def far_from_utc(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("TZ", "Asia/Tokyo")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def test_naive_time_is_utc_whatever_the_local_zone(far_from_utc: None) -> None:
    assert amz_date(datetime(2026, 1, 1, 12, 0, 0)) == "20260101T120000Z"


def test_aware_times_are_converted(far_from_utc: None) -> None:
    assert amz_date(datetime(2026, 1, 1, 12, 0, 0, tzinfo=UTC)) == "20260101T120000Z"
    plus9 = timezone(timedelta(hours=9))
    assert amz_date(datetime(2026, 1, 1, 21, 0, 0, tzinfo=plus9)) == "20260101T120000Z"
    assert amz_date(datetime(2026, 1, 1, 1, 30, 0, tzinfo=timezone(timedelta(hours=2)))) == "20251231T233000Z"
