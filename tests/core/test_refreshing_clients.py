"""Every vendor client signing from a refreshing source (a `Fetcher` where a chain found one):
a failing provider, secrets the service echoes after a refresh, logs, the plain-http rule.

The network stand-in is the recording transport: it sees every request that would be sent.
The credential chain is replaced by a Fetcher, as a chain returns one for a remote provider.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

import kms_pubkey_alibaba.client
import kms_pubkey_aws.client
import kms_pubkey_huawei.client
from kms_pubkey import ApiError, CredentialsError, ValidationError
from kms_pubkey.credentials import Credentials, Fetcher
from kms_pubkey_alibaba import AlibabaKmsClient, AsyncAlibabaKmsClient
from kms_pubkey_aws import AsyncAwsKmsClient, AwsKmsClient
from kms_pubkey_huawei import AsyncHuaweiKmsClient, HuaweiKmsClient
from tests.support.recording import Recorder

PROVIDER = "test container credentials"
SECRET_MARK = "refreshed-secret-value"
TOKEN_MARK = "refreshed-token-value"
HW_PROJECT = "0123456789abcdef0123456789abcdef"
HW_KEY = "0d0466b0-e727-4d9c-b35d-f84bb474a37f"


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


class Provider:
    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self.calls = 0
        self.fail = False

    def __call__(self) -> Credentials:
        self.calls += 1
        if self.fail:
            raise CredentialsError(f"{PROVIDER}: answered HTTP 500")
        n = self.calls
        return Credentials(
            f"ASIA{n}", f"{SECRET_MARK}-{n}", f"{TOKEN_MARK}-{n}", PROVIDER, self.clock() + timedelta(hours=1)
        )

    def latest(self) -> tuple[str, str]:
        return f"{SECRET_MARK}-{self.calls}", f"{TOKEN_MARK}-{self.calls}"


# Each vendor: (module whose chain is replaced, chain name, sync class, async class, client args,
# call, the token as a request carries it, an error answer in the vendor's format).
Vendor = tuple[Any, str, Any, Any, dict[str, Any], Callable[[Any], Any], Callable[[httpx.Request], str], Any]


def _aws_error(message: str) -> httpx.Response:
    return httpx.Response(400, json={"__type": "NotFoundException", "message": message})


def _alibaba_error(message: str) -> httpx.Response:
    return httpx.Response(404, json={"Code": "Forbidden.KeyNotFound", "Message": message, "RequestId": "r"})


def _huawei_error(message: str) -> httpx.Response:
    return httpx.Response(404, json={"error": {"error_code": "KMS.0207", "error_msg": message}})


VENDORS: dict[str, Vendor] = {
    "aws": (
        kms_pubkey_aws.client,
        "resolve_credentials",
        AwsKmsClient,
        AsyncAwsKmsClient,
        {"region": "us-east-1"},
        lambda kms: kms.get_public_key("alias/x"),
        lambda request: request.headers["X-Amz-Security-Token"],
        _aws_error,
    ),
    "alibaba-v3": (
        kms_pubkey_alibaba.client,
        "resolve_credentials",
        AlibabaKmsClient,
        AsyncAlibabaKmsClient,
        {"region": "cn-hangzhou"},
        lambda kms: kms.get_public_key("key-1", "v-1"),
        lambda request: request.headers["x-acs-security-token"],
        _alibaba_error,
    ),
    "alibaba-v1": (
        kms_pubkey_alibaba.client,
        "resolve_credentials",
        AlibabaKmsClient,
        AsyncAlibabaKmsClient,
        {"region": "cn-hangzhou", "signature_version": "v1"},
        lambda kms: kms.get_public_key("key-1", "v-1"),
        lambda request: request.url.params["SecurityToken"],
        _alibaba_error,
    ),
    "huawei": (
        kms_pubkey_huawei.client,
        "resolve_credentials",
        HuaweiKmsClient,
        AsyncHuaweiKmsClient,
        {"region": "cn-north-4", "project_id": HW_PROJECT},
        lambda kms: kms.get_public_key(HW_KEY),
        lambda request: request.headers["X-Security-Token"],
        _huawei_error,
    ),
}


def _fetching(monkeypatch: pytest.MonkeyPatch, name: str, provider: Provider) -> Vendor:
    vendor = VENDORS[name]
    monkeypatch.setattr(vendor[0], vendor[1], lambda *args, **kwargs: Fetcher(PROVIDER, provider))
    return vendor


def _run_async(factory: Any, args: dict[str, Any], call: Callable[[Any], Any]) -> Any:
    async def run() -> Any:
        async with factory(**args) as kms:
            return await call(kms)

    return asyncio.run(run())


@pytest.mark.parametrize("name", sorted(VENDORS))
@pytest.mark.parametrize("asynchronous", [False, True], ids=["sync", "async"])
def test_a_failing_provider_raises_credentials_error_and_sends_nothing(
    monkeypatch: pytest.MonkeyPatch, name: str, asynchronous: bool
) -> None:
    clock = Clock()
    provider = Provider(clock)
    provider.fail = True
    _, _, sync, async_, args, call, _, error = _fetching(monkeypatch, name, provider)
    recorder = Recorder(error("never sent"))
    args = {**args, "clock": clock, "max_retries": 3, "transport": recorder.transport()}
    assert provider.calls == 0  # building the client fetched nothing
    with pytest.raises(CredentialsError) as caught:
        if asynchronous:
            _run_async(async_, args, call)
        else:
            with sync(**args) as kms:
                call(kms)
    assert type(caught.value) is CredentialsError  # itself, not wrapped in SigningError
    assert PROVIDER in str(caught.value)
    assert recorder.requests == []
    assert provider.calls == 1  # not retried: a provider that failed does not heal between attempts


@pytest.mark.parametrize("name", sorted(VENDORS))
def test_echoed_secrets_are_masked_after_a_refresh(
    monkeypatch: pytest.MonkeyPatch, name: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    clock = Clock()
    provider = Provider(clock)
    _, _, sync, async_, args, call, token_of, error = _fetching(monkeypatch, name, provider)
    tokens: list[str] = []

    def echo(request: httpx.Request) -> httpx.Response:
        # A service that echoes what it was sent (and the secret, as a string to sign might).
        tokens.append(token_of(request))
        secret, _ = provider.latest()
        return error(f"unknown key; token {tokens[-1]} secret {secret}")

    recorder = Recorder(echo)
    args = {**args, "clock": clock, "max_retries": 0, "transport": recorder.transport()}
    shown: list[str] = []
    with sync(**args) as kms:
        for _ in range(2):
            with pytest.raises(ApiError) as caught:
                call(kms)
            shown += [str(caught.value), repr(caught.value)]
            clock.now += timedelta(minutes=50)  # the next call refreshes first
        shown += [repr(kms), repr(kms._api.get_httpx_client().auth)]
    assert provider.calls == 2
    assert tokens == [f"{TOKEN_MARK}-1", f"{TOKEN_MARK}-2"]  # each attempt signed with its own set
    assert all("***" in text for text in shown[:4:2])
    assert PROVIDER in shown[-1]  # the signer names where its credentials come from
    with pytest.raises(ApiError) as caught:
        _run_async(async_, args, call)
    shown += [str(caught.value), caplog.text]
    for text in shown:
        assert SECRET_MARK not in text and TOKEN_MARK not in text


@pytest.mark.parametrize("name", sorted(VENDORS))
def test_plain_http_is_refused_for_fetched_credentials(monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    provider = Provider(Clock())
    _, _, sync, _, args, _, _, _ = _fetching(monkeypatch, name, provider)
    with pytest.raises(ValidationError, match="plain http"):
        sync(**args, endpoint="http://kms.example.internal")
    assert provider.calls == 0
