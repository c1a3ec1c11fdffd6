"""`fetch(uri)` / `afetch(uri)` against the emulator, one URI scheme per vendor protocol.

The expected keys are the emulator's own (its key store), never our output.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys

import pytest

import kms_pubkey
from kms_pubkey import NotFoundError, ValidationError, afetch, fetch
from tests.support.tls import serve_over_tls

pytestmark = pytest.mark.integration

P256 = {"aws": "ECC_NIST_P256", "alibaba": "EC_P256", "huawei": "EC_P256"}


@pytest.fixture
def env(emulator, monkeypatch):
    for name, value in emulator.client_env().items():
        monkeypatch.setenv(name, value)
    return emulator


def _uris(emu):
    aws = emu.key("aws", P256["aws"])
    ali = emu.key("alibaba", P256["alibaba"])
    hw = emu.key("huawei", P256["huawei"])
    return [
        (f"awskms:///{aws.key_id}", aws),
        (f"awskms:///{aws.aliases[0]}", aws),
        (f"awskms:///arn:aws:kms:us-west-2:111122223333:key/{aws.key_id}", aws),  # the ARN's region is used
        (f"alikms://cn-hangzhou/{ali.key_id}?version={ali.key_version_id}", ali),
        (f"huaweikms://cn-north-4/{hw.key_id}", hw),
    ]


def test_fetch_reaches_each_vendor_through_its_scheme(env):
    for uri, stored in _uris(env):
        key = fetch(uri, endpoint=env.url)
        assert key.der == stored.public_der, uri
        assert key.vendor == stored.vendor


def test_afetch_is_the_async_twin(env):
    async def main():
        return await asyncio.gather(*(afetch(uri, endpoint=env.url) for uri, _ in _uris(env)))

    keys = asyncio.run(main())
    assert [k.der for k in keys] == [stored.public_der for _, stored in _uris(env)]


def test_the_kms_instance_is_reached_over_https_at_the_uri_endpoint(env, monkeypatch):
    """The URI's endpoint is used as written (https), and the ClientKey comes from the environment."""
    stored = env.key("alibaba", P256["alibaba"])
    with serve_over_tls(env) as url:
        uri = f"alikms-instance://{url.removeprefix('https://')}/{stored.key_id}"
        monkeypatch.setenv("ALIBABA_CLOUD_KMS_CLIENT_KEY_FILE", str(env.client_key_file))
        monkeypatch.setenv("ALIBABA_CLOUD_KMS_CA_FILE", str(env.ca_file))
        # no password variable: the console's password file beside the ClientKey is read
        assert fetch(uri).der == stored.public_der
        password = env.client_key_password_file.read_text().strip()
        files = {"client_key_file": env.client_key_file, "ca_file": env.ca_file}
        key = asyncio.run(afetch(uri, client_key_password=password, **files))
        assert key.der == stored.public_der


def test_the_region_of_the_uri_is_signed_for(env):
    """The emulator checks the SigV4 scope, and the key ARN it answers carries the signed region."""
    stored = env.key("aws", P256["aws"])
    key = fetch(f"awskms:///arn:aws:kms:eu-central-1:111122223333:key/{stored.key_id}", endpoint=env.url)
    assert key.key_id == f"arn:aws:kms:eu-central-1:111122223333:key/{stored.key_id}"


def test_an_unknown_key_is_not_found(env):
    with pytest.raises(NotFoundError):
        fetch("awskms:///alias/no-such-alias", endpoint=env.url)


def test_a_bad_uri_fails_before_any_request():
    with pytest.raises(ValidationError, match="unknown scheme"):
        fetch("gcpkms://projects/p/locations/l/keyRings/r/cryptoKeys/k", endpoint="http://127.0.0.1:9")


MISSING = """
import sys
import kms_pubkey
import kms_pubkey.uri_fetch as uri_fetch
uri_fetch.load_one = lambda group, name: None  # as if no vendor wheel were installed
try:
    kms_pubkey.fetch(sys.argv[1])
except kms_pubkey.ValidationError as error:
    print(error)
"""


@pytest.mark.parametrize(
    ("uri", "wheel"),
    [
        ("awskms:///alias/x", "kms-pubkey-aws"),
        ("alikms://cn-hangzhou/key-1?version=v1", "kms-pubkey-alibaba"),
        ("alikms-instance://kst.example/key-1", "kms-pubkey-alibaba"),
        ("huaweikms://cn-north-4/0d0466b0-e727-4d9c-b35d-f84bb474a37f", "kms-pubkey-huawei"),
    ],
)
def test_a_missing_vendor_wheel_is_named(uri, wheel):
    out = subprocess.run([sys.executable, "-c", MISSING, uri], capture_output=True, text=True, timeout=60)
    assert f"pip install {wheel}" in out.stdout, out.stderr


def test_the_public_names_are_exported():
    for name in ("KeyUri", "parse_key_uri", "fetch", "afetch", "KeyCache", "CacheStats"):
        assert name in kms_pubkey.__all__
