"""Every vendor client has one shape: DESIGN.md's constructors, the same attributes, a repr
without secrets, and a typed pre-send error when its signer or clock fails."""

from __future__ import annotations

import asyncio
import inspect
from datetime import datetime
from typing import Any

import httpx
import pytest

import kms_pubkey
from kms_pubkey import SigningError
from kms_pubkey_alibaba import AlibabaKmsClient, AsyncAlibabaKmsClient
from kms_pubkey_aws import AsyncAwsKmsClient, AwsKmsClient
from kms_pubkey_huawei import AsyncHuaweiKmsClient, HuaweiKmsClient

SECRET = "sEcReT-shape-0123456789"
TOKEN = "ToKeN-shape-0123456789"
PROJECT = "0123456789abcdef0123456789abcdef"
HUAWEI_KEY = "0d0466b0-e727-4d9c-b35d-f84bb474a37f"

# DESIGN.md, "Public API": the keyword arguments, in order, before the test-only clock/transport
# (Alibaba also takes `profile`, as AWS does: the aliyun CLI config has named profiles).
DESIGNED = {
    AwsKmsClient: "region endpoint access_key_id secret_access_key session_token profile timeout max_retries",
    AlibabaKmsClient: "region endpoint access_key_id access_key_secret security_token profile "
    "signature_version timeout max_retries",
    HuaweiKmsClient: "region project_id endpoint access_key secret_key security_token auth_token "
    "timeout max_retries",
}
TWINS = {
    AwsKmsClient: AsyncAwsKmsClient,
    AlibabaKmsClient: AsyncAlibabaKmsClient,
    HuaweiKmsClient: AsyncHuaweiKmsClient,
}


@pytest.mark.parametrize("cls", list(DESIGNED), ids=lambda c: c.__name__)
def test_constructors_are_the_designed_ones_with_real_signatures(cls: type) -> None:
    for klass in (cls, TWINS[cls]):
        names = list(inspect.signature(klass).parameters)
        designed = DESIGNED[cls].split()
        assert names[: len(designed)] == designed
        assert not any(p.kind is p.VAR_KEYWORD for p in inspect.signature(klass).parameters.values())


def _make(vendor: str, asynchronous: bool, **kw: Any) -> Any:
    if vendor == "aws":
        cls: Any = AsyncAwsKmsClient if asynchronous else AwsKmsClient
        return cls("eu-west-1", access_key_id="AKID", secret_access_key=SECRET, session_token=TOKEN, **kw)
    if vendor == "alibaba":
        cls = AsyncAlibabaKmsClient if asynchronous else AlibabaKmsClient
        return cls("cn-hangzhou", access_key_id="AKID", access_key_secret=SECRET, security_token=TOKEN, **kw)
    cls = AsyncHuaweiKmsClient if asynchronous else HuaweiKmsClient
    return cls(
        "cn-north-4", project_id=PROJECT, access_key="AKID", secret_key=SECRET, security_token=TOKEN, **kw
    )


ARGS = {"aws": ("alias/x",), "alibaba": ("k", "v"), "huawei": (HUAWEI_KEY,)}
# Where each vendor's service lives, by the vendor's own endpoint rules.
ENDPOINTS = {
    "aws": "https://kms.eu-west-1.amazonaws.com",
    "alibaba": "https://kms.cn-hangzhou.aliyuncs.com",
    "huawei": "https://kms.cn-north-4.myhuaweicloud.com",
}


@pytest.mark.parametrize("asynchronous", [False, True], ids=["sync", "async"])
@pytest.mark.parametrize("vendor", list(ARGS))
def test_every_client_has_the_same_attributes_and_a_repr_without_secrets(
    vendor: str, asynchronous: bool
) -> None:
    client = _make(vendor, asynchronous)
    regions = {"aws": "eu-west-1", "alibaba": "cn-hangzhou", "huawei": "cn-north-4"}
    assert (client.vendor, client.endpoint, client.region) == (vendor, ENDPOINTS[vendor], regions[vendor])
    shown = repr(client)
    assert shown.startswith(f"{type(client).__name__}(vendor={vendor!r}, endpoint={ENDPOINTS[vendor]!r}")
    assert SECRET not in shown and TOKEN not in shown and "AKID" not in shown


def _broken_clock() -> datetime:
    raise ValueError("the clock is broken")


def _wrong_clock() -> datetime:
    return "yesterday"  # type: ignore[return-value]


@pytest.mark.parametrize("clock", [_broken_clock, _wrong_clock], ids=["raises", "wrong-type"])
@pytest.mark.parametrize("asynchronous", [False, True], ids=["sync", "async"])
@pytest.mark.parametrize("vendor", list(ARGS))
def test_a_broken_clock_is_a_signing_error_and_nothing_is_sent(
    vendor: str, asynchronous: bool, clock: Any
) -> None:
    sent: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(500)

    client = _make(vendor, asynchronous, clock=clock, transport=httpx.MockTransport(handler))
    with pytest.raises(SigningError) as caught:
        if asynchronous:
            asyncio.run(client.get_public_key(*ARGS[vendor]))
        else:
            client.get_public_key(*ARGS[vendor])
    assert sent == []
    assert "could not be signed, so none was sent" in str(caught.value)
    assert not isinstance(caught.value, kms_pubkey.ResponseError)


def test_public_names_from_design_and_readme_import() -> None:
    assert callable(kms_pubkey.load_public_key) and isinstance(kms_pubkey.PublicKey, type)
    for name in (
        "ValidationError",
        "KeyFormatError",
        "UnsupportedKeyError",
        "ApiError",
        "AuthError",
        "NotFoundError",
        "ThrottlingError",
        "DryRunError",
        "TransportError",
        "ResponseError",
        "ClientClosedError",
        "SigningError",
    ):
        assert issubclass(getattr(kms_pubkey, name), kms_pubkey.KmsError)
    from kms_pubkey_alibaba import AlibabaKmsInstanceClient, AsyncAlibabaKmsInstanceClient

    assert AlibabaKmsInstanceClient.__name__ == "AlibabaKmsInstanceClient"
    assert AsyncAlibabaKmsInstanceClient.__name__ == "AsyncAlibabaKmsInstanceClient"


def test_an_extra_field_of_any_type_in_an_error_body_keeps_the_code() -> None:
    """Alibaba bodies may repeat the status as `HttpStatus` (a number or a string): not in the
    spec, so the generated model keeps it aside and the code still classes the error."""
    from kms_pubkey.vendor import error_from_response
    from kms_pubkey_alibaba.client import ALIBABA

    for status in (404, "404", None):
        body = {"Code": "Forbidden.KeyNotFound", "Message": "gone", "RequestId": "r", "HttpStatus": status}
        error = error_from_response(ALIBABA, httpx.Response(404, json=body))
        assert (type(error), error.code, error.request_id) == (
            kms_pubkey.NotFoundError,
            "Forbidden.KeyNotFound",
            "r",
        )


def test_settings_never_show_their_secrets() -> None:
    from kms_pubkey.client_base import Settings

    shown = repr(Settings("https://kms.example.com", httpx.Auth(), "r", (SECRET, TOKEN)))
    assert SECRET not in shown and TOKEN not in shown
