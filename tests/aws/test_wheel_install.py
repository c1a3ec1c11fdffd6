"""The published shape: build the wheels, install kms-pubkey-aws alone into a fresh venv,
and fetch a key from moto through the installed package, not the source tree."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import venv
from pathlib import Path

import pytest

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
    _run([*install, "kms-pubkey-aws==0.1.0"], 600)

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
