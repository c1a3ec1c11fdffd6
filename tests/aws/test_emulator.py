"""Our clients against moto with SigV4 checking on; boto3 gives the expected keys.

The sync and async clients from the source tree, then (slow) the built wheels installed alone
into a fresh virtual environment.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import tomllib
import venv
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from kms_pubkey import AuthError, NotFoundError, PublicKey
from kms_pubkey_aws import AsyncAwsKmsClient, AwsKmsClient

pytestmark = pytest.mark.integration

SPECS = ("RSA_2048", "ECC_NIST_P256", "ECC_SECG_P256K1")
HOW = ("key_id", "arn", "alias")


def _client_args(moto_kms: Any, **overrides: Any) -> dict[str, Any]:
    args = {
        "endpoint": moto_kms.endpoint,
        "region": moto_kms.region,
        "access_key_id": moto_kms.access_key_id,
        "secret_access_key": moto_kms.secret_access_key,
        "max_retries": 0,
    }
    args.update(overrides)
    return args


def _check(key: PublicKey, expected_der: bytes, spec: str) -> None:
    assert key.der == expected_der
    assert key.vendor == "aws"
    assert key.key_spec == spec  # moto sends no KeySpec: derived from the key itself
    native = key.to_cryptography()
    if spec == "RSA_2048":
        assert isinstance(native, rsa.RSAPublicKey) and native.key_size == 2048
    else:
        assert isinstance(native, ec.EllipticCurvePublicKey)
        assert native.curve.name == {"ECC_NIST_P256": "secp256r1", "ECC_SECG_P256K1": "secp256k1"}[spec]


@pytest.mark.parametrize("how", HOW)
@pytest.mark.parametrize("spec", SPECS)
def test_sync_client_fetches(moto_kms: Any, spec: str, how: str) -> None:
    key = moto_kms.keys[spec]
    ident = {"key_id": key.key_id, "arn": key.arn, "alias": key.alias}[how]
    with AwsKmsClient(**_client_args(moto_kms)) as client:
        got = client.get_public_key(ident, grant_tokens=["a-grant-token"])
    _check(got, key.der, spec)


@pytest.mark.parametrize("how", HOW)
@pytest.mark.parametrize("spec", SPECS)
def test_async_client_fetches(moto_kms: Any, spec: str, how: str) -> None:
    key = moto_kms.keys[spec]
    ident = {"key_id": key.key_id, "arn": key.arn, "alias": key.alias}[how]

    async def fetch() -> PublicKey:
        async with AsyncAwsKmsClient(**_client_args(moto_kms)) as client:
            return await client.get_public_key(ident)

    _check(asyncio.run(fetch()), key.der, spec)


def test_credentials_from_environment(moto_kms: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", moto_kms.access_key_id)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", moto_kms.secret_access_key)
    monkeypatch.setenv("AWS_REGION", moto_kms.region)
    monkeypatch.setenv("AWS_ENDPOINT_URL_KMS", moto_kms.endpoint)
    key = moto_kms.keys["ECC_NIST_P256"]
    with AwsKmsClient() as client:
        assert client.get_public_key(key.key_id).der == key.der


def test_wrong_secret_is_auth_error(moto_kms: Any) -> None:
    key = moto_kms.keys["RSA_2048"]
    wrong = "x" + moto_kms.secret_access_key[1:]
    with AwsKmsClient(**_client_args(moto_kms, secret_access_key=wrong)) as client, \
            pytest.raises(AuthError) as info:
        client.get_public_key(key.key_id)
    assert info.value.status_code == 403
    assert info.value.code in ("SignatureDoesNotMatch", "InvalidSignatureException")
    assert wrong not in str(info.value) and wrong not in repr(info.value)


def test_unknown_access_key_is_auth_error(moto_kms: Any) -> None:
    key = moto_kms.keys["RSA_2048"]
    with AwsKmsClient(**_client_args(moto_kms, access_key_id="AKIANOTAREALKEY00000")) as client, \
            pytest.raises(AuthError):
        client.get_public_key(key.key_id)


def test_async_wrong_secret_is_auth_error(moto_kms: Any) -> None:
    key = moto_kms.keys["RSA_2048"]

    async def fetch() -> None:
        async with AsyncAwsKmsClient(**_client_args(moto_kms, secret_access_key="nope")) as client:
            await client.get_public_key(key.key_id)

    with pytest.raises(AuthError):
        asyncio.run(fetch())


@pytest.mark.parametrize(
    "ident",
    ["00000000-0000-0000-0000-000000000000", "alias/does-not-exist",
     "arn:aws:kms:us-east-1:123456789012:key/11111111-2222-3333-4444-555555555555"],
)
def test_unknown_key_is_not_found(moto_kms: Any, ident: str) -> None:
    with AwsKmsClient(**_client_args(moto_kms)) as client, pytest.raises(NotFoundError) as info:
        client.get_public_key(ident)
    assert info.value.status_code == 400
    assert info.value.code == "NotFoundException"


def test_async_unknown_key_is_not_found(moto_kms: Any) -> None:
    async def fetch() -> None:
        async with AsyncAwsKmsClient(**_client_args(moto_kms)) as client:
            await client.get_public_key("alias/nothing-here")

    with pytest.raises(NotFoundError):
        asyncio.run(fetch())


def test_no_secret_in_debug_logs(moto_kms: Any, caplog: pytest.LogCaptureFixture) -> None:
    import logging

    caplog.set_level(logging.DEBUG)
    key = moto_kms.keys["RSA_2048"]
    with AwsKmsClient(**_client_args(moto_kms, session_token="moto-ignores-this-token")) as client, \
            pytest.raises(AuthError):
        client.get_public_key(key.key_id)  # moto refuses the unknown token; we only watch the logs
    with AwsKmsClient(**_client_args(moto_kms)) as client:
        client.get_public_key(key.key_id)
    assert caplog.records, "httpx/httpcore debug logging was not captured"
    assert moto_kms.secret_access_key not in caplog.text
    assert "moto-ignores-this-token" not in caplog.text


# -- the published shape: build the wheels, install kms-pubkey-aws alone into a fresh venv, and
# fetch a key from moto through the installed package, not the source tree --------------------

ROOT = Path(__file__).resolve().parents[2]
AWS_PACKAGES = ("overlays/core", "generated/aws", "overlays/aws")

FETCH = """
import json, sys, kms_pubkey, kms_pubkey_aws
from kms_pubkey_aws import AwsKmsClient
args = json.loads(sys.argv[1])
with AwsKmsClient(args["region"], endpoint=args["endpoint"], access_key_id=args["access_key_id"],
                  secret_access_key=args["secret"]) as client:
    key = client.get_public_key(args["key_id"])
print(json.dumps({"der": key.der.hex(), "spec": key.key_spec,
                  "core": kms_pubkey.__file__, "aws": kms_pubkey_aws.__file__}))
"""


def _run(cmd: list[str], timeout: float, **kwargs: object) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, **kwargs)  # type: ignore[call-overload]
    assert result.returncode == 0, f"{cmd[:4]} failed:\n{result.stdout[-2000:]}\n{result.stderr[-4000:]}"
    return result


@pytest.mark.slow
def test_installed_wheel_fetches_from_moto(moto_kms, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    dist = tmp_path / "dist"
    for package in AWS_PACKAGES:
        _run([sys.executable, "-m", "build", "--wheel", "--outdir", str(dist), str(ROOT / package)], 300)
    wheels = sorted(p.name for p in dist.glob("*.whl"))
    assert [w.split("-")[0] for w in wheels] == ["kms_pubkey", "kms_pubkey_aws", "kms_pubkey_aws_api"]

    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    python = env_dir / "bin" / "python"
    # Only the name: our three wheels come from dist/, third-party ones from the registry.
    install = [str(python), "-m", "pip", "install", "--quiet", "--find-links", str(dist)]
    pyproject = tomllib.loads((ROOT / "overlays/aws/pyproject.toml").read_text(encoding="utf-8"))
    _run([*install, f"kms-pubkey-aws=={pyproject['project']['version']}"], 600)  # make version moves it

    key = moto_kms.keys["ECC_NIST_P256"]
    args = {"region": moto_kms.region, "endpoint": moto_kms.endpoint, "key_id": key.key_id,
            "access_key_id": moto_kms.access_key_id, "secret": moto_kms.secret_access_key}
    clean_env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "PYTHON"))}
    out = _run([str(python), "-c", FETCH, json.dumps(args)], 120, cwd=tmp_path, env=clean_env)
    result = json.loads(out.stdout)
    assert bytes.fromhex(result["der"]) == key.der  # what boto3 returned from moto
    assert result["spec"] == "ECC_NIST_P256"
    for module in ("core", "aws"):
        assert str(env_dir) in result[module], f"{module} was imported from outside the fresh venv"

    # The console script comes with the wheels and finds the AWS plugin.
    cli = _run([str(env_dir / "bin" / "kms-pubkey"), "get", "--help"], 60, env=clean_env)
    assert "aws" in cli.stdout

    # A vendor whose wheel is absent: one line naming the wheel to install, exit 2.
    for vendor, wheel in [
        ("alibaba", "kms-pubkey-alibaba"),
        ("alibaba-instance", "kms-pubkey-alibaba"),
        ("huawei", "kms-pubkey-huawei"),
    ]:
        missing = subprocess.run(
            [str(env_dir / "bin" / "kms-pubkey"), "get", vendor, "KEY_ID", "--region", "r"],
            capture_output=True, text=True, timeout=60, env=clean_env, check=False,
        )
        assert (missing.returncode, missing.stdout) == (2, ""), missing.stderr
        hint = f"kms-pubkey: error: the {vendor} vendor is not installed: pip install {wheel}\n"
        assert missing.stderr == hint
