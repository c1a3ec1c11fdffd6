"""How much of one warm GetPublicKey call runs in the generated clients, per vendor.

Counts the Python lines executed (sys.settrace line events) during one call, after a warm-up
call, against the local emulator, and splits them by where the code lives: the generated
package, our overlays (core and vendor), and everything else (httpx, httpcore, stdlib).
Run from the repository root with the project venv: `.venv/bin/python bench/generated_share.py`.
"""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from types import FrameType
from typing import Any

from kms_pubkey_emulator import Emulator

ROOT = Path(__file__).resolve().parents[1]
GENERATED = str(ROOT / "generated")
OVERLAYS = str(ROOT / "overlays")
SECRET = "emulator-secret-key"


def _where(filename: str) -> str:
    if filename.startswith(GENERATED):
        return "generated"
    if filename.startswith(OVERLAYS):
        return "overlays"
    return "other"


def count_lines(call: Callable[[], Any]) -> Counter[str]:
    seen: Counter[str] = Counter()

    def tracer(frame: FrameType, event: str, arg: Any) -> Any:
        if event == "line":
            seen[_where(frame.f_code.co_filename)] += 1
        return tracer

    sys.settrace(tracer)
    try:
        call()
    finally:
        sys.settrace(None)
    return seen


def main() -> None:
    from kms_pubkey_alibaba import AlibabaKmsClient, AlibabaKmsInstanceClient
    from kms_pubkey_aws import AwsKmsClient
    from kms_pubkey_huawei import HuaweiKmsClient

    with Emulator() as emu:
        aws = emu.key("aws", "RSA_2048")
        ali = emu.key("alibaba", "RSA_2048")
        hw = emu.key("huawei", "RSA_2048")
        ak = {"access_key_id": "emulator-access-key"}
        cases: dict[str, tuple[Any, Callable[[Any], Any]]] = {
            "aws": (
                AwsKmsClient("us-east-1", endpoint=emu.url, secret_access_key=SECRET, **ak),
                lambda c: c.get_public_key(aws.key_id),
            ),
            "alibaba": (
                AlibabaKmsClient("cn-hangzhou", endpoint=emu.url, access_key_secret=SECRET, **ak),
                lambda c: c.get_public_key(ali.key_id, ali.key_version_id),
            ),
            "huawei": (
                HuaweiKmsClient(
                    "cn-north-4",
                    endpoint=emu.url,
                    project_id=emu.config.huawei_project_id,
                    access_key="emulator-access-key",
                    secret_key=SECRET,
                ),
                lambda c: c.get_public_key(hw.key_id),
            ),
            "alibaba-instance": (
                AlibabaKmsInstanceClient(
                    emu.url,
                    client_key_file=emu.client_key_file,
                    client_key_password=emu.client_key_password_file.read_text(encoding="utf-8").strip(),
                ),
                lambda c: c.get_public_key(ali.key_id),
            ),
        }
        print("| vendor | generated | overlays | httpx, stdlib, ... | generated share of our lines |")
        print("|---|---:|---:|---:|---:|")
        for name, (client, fetch) in cases.items():
            with client:
                fetch(client)  # warm: connection, caches
                seen = count_lines(lambda c=client, f=fetch: f(c))
            ours = seen["generated"] + seen["overlays"]
            share = seen["generated"] / ours if ours else 0.0
            print(f"| {name} | {seen['generated']} | {seen['overlays']} | {seen['other']} | {share:.0%} |")


if __name__ == "__main__":
    main()
