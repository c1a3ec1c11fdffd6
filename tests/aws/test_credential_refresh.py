"""The AWS client with temporary credentials that expire, against moto with SigV4 checking on.

The provider is moto's own STS: each fetch is an `AssumeRole`, whose session token moto ties
to that one access key, so a request signed with the key id of one set and the token of
another is refused. Time is the client's injected clock (moto does not check request times).
"""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import httpx
import pytest

import kms_pubkey_aws.client
from kms_pubkey import AuthError
from kms_pubkey.credentials import Credentials, Fetcher
from kms_pubkey_aws import AsyncAwsKmsClient, AwsKmsClient

pytestmark = pytest.mark.integration

PROVIDER = "test sts AssumeRole"
LIFETIME = timedelta(hours=1)
ALLOW_ALL = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}'


def _boto(moto_kms: Any, service: str) -> Any:
    return boto3.client(
        service,
        region_name=moto_kms.region,
        endpoint_url=moto_kms.endpoint,
        aws_access_key_id=moto_kms.access_key_id,
        aws_secret_access_key=moto_kms.secret_access_key,
    )


@pytest.fixture(scope="module")
def role_arn(moto_kms: Any) -> str:
    iam = _boto(moto_kms, "iam")
    user = iam.get_user()["User"]["Arn"]  # moto checks the role's trust policy names the caller
    trust = json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Principal": {"AWS": user}, "Action": "sts:AssumeRole"}],
        }
    )
    role = iam.create_role(RoleName="kms-pubkey-refresh-tests", AssumeRolePolicyDocument=trust)
    iam.put_role_policy(RoleName="kms-pubkey-refresh-tests", PolicyName="allow-all", PolicyDocument=ALLOW_ALL)
    return str(role["Role"]["Arn"])


class Clock:
    def __init__(self) -> None:
        self.now = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now


class AssumeRole:
    """A fetcher: moto's STS AssumeRole, with the expiry on the test's clock."""

    def __init__(self, moto_kms: Any, role_arn: str, clock: Clock) -> None:
        self.sts = _boto(moto_kms, "sts")
        self.role_arn = role_arn
        self.clock = clock
        self.calls = 0
        self.given: list[Credentials] = []
        self._lock = threading.Lock()

    def __call__(self) -> Credentials:
        with self._lock:
            self.calls += 1
            number = self.calls
        answer = self.sts.assume_role(RoleArn=self.role_arn, RoleSessionName=f"refresh-{number}")
        c = answer["Credentials"]
        fresh = Credentials(
            c["AccessKeyId"], c["SecretAccessKey"], c["SessionToken"], PROVIDER, self.clock() + LIFETIME
        )
        self.given.append(fresh)
        return fresh


class Seen(httpx.HTTPTransport):
    """The real transport, noting the key id and token each request went out with."""

    def __init__(self) -> None:
        super().__init__()
        self.sent: list[tuple[str, str]] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        key_id = request.headers["Authorization"].split("Credential=")[1].split("/")[0]
        self.sent.append((key_id, request.headers["X-Amz-Security-Token"]))
        return super().handle_request(request)


class AsyncSeen(httpx.AsyncHTTPTransport):
    def __init__(self) -> None:
        super().__init__()
        self.sent: list[tuple[str, str]] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        key_id = request.headers["Authorization"].split("Credential=")[1].split("/")[0]
        self.sent.append((key_id, request.headers["X-Amz-Security-Token"]))
        return await super().handle_async_request(request)


@pytest.fixture
def fetcher(moto_kms: Any, role_arn: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[AssumeRole]:
    found = AssumeRole(moto_kms, role_arn, Clock())
    # The chain returns a Fetcher, as it does for a remote provider.
    chain = Fetcher(PROVIDER, found)
    monkeypatch.setattr(kms_pubkey_aws.client, "resolve_credentials", lambda *a, **k: chain)
    yield found


def _pairs(given: list[Credentials]) -> list[tuple[str, str | None]]:
    return [(c.access_key_id, c.token) for c in given]


def test_one_fetch_serves_many_requests_and_expiry_refetches(
    moto_kms: Any, fetcher: AssumeRole, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = moto_kms.keys["ECC_NIST_P256"]
    seen = Seen()
    clock = fetcher.clock
    with AwsKmsClient(
        moto_kms.region, endpoint=moto_kms.endpoint, clock=clock, max_retries=0, transport=seen
    ) as kms:
        assert fetcher.calls == 0
        for _ in range(3):
            assert kms.get_public_key(key.key_id).der == key.der
        assert fetcher.calls == 1
        clock.now += timedelta(minutes=50)  # inside the advisory window: this call refreshes
        assert kms.get_public_key(key.key_id).der == key.der
        assert fetcher.calls == 2
        clock.now += LIFETIME + timedelta(seconds=1)  # past the second set's expiry
        assert kms.get_public_key(key.key_id).der == key.der
        assert fetcher.calls == 3
    given = _pairs(fetcher.given)
    assert len(set(given)) == 3  # moto gave a new key and token each time
    # Every request went out with one set's key id and that same set's token, the newest one.
    assert seen.sent == [given[0]] * 3 + [given[1], given[2]]
    # ...and moto would have refused a mix: the first set's key with the second set's token.
    first, second = fetcher.given[:2]
    mixed = Credentials(first.access_key_id, first.secret, second.token, PROVIDER)
    monkeypatch.setattr(kms_pubkey_aws.client, "resolve_credentials", lambda *a, **k: mixed)
    with (
        AwsKmsClient(moto_kms.region, endpoint=moto_kms.endpoint, max_retries=0) as kms,
        pytest.raises(AuthError),
    ):
        kms.get_public_key(key.key_id)


def test_concurrent_async_calls_at_expiry_fetch_once(moto_kms: Any, fetcher: AssumeRole) -> None:
    key = moto_kms.keys["RSA_2048"]
    seen = AsyncSeen()
    clock = fetcher.clock

    async def run() -> list[bytes]:
        async with AsyncAwsKmsClient(
            moto_kms.region, endpoint=moto_kms.endpoint, clock=clock, max_retries=0, transport=seen
        ) as kms:
            await kms.get_public_key(key.key_id)
            clock.now += LIFETIME + timedelta(seconds=1)
            keys = await asyncio.gather(*(kms.get_public_key(key.key_id) for _ in range(20)))
            return [k.der for k in keys]

    assert asyncio.run(run()) == [key.der] * 20  # moto accepted every request
    assert fetcher.calls == 2
    given = _pairs(fetcher.given)
    assert seen.sent == [given[0]] + [given[1]] * 20
