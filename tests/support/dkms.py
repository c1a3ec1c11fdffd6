"""Calls through the official `alibabacloud-dkms-gcs` client (run by the `dkms_oracle` fixture of
tests/alibaba_instance, in its own venv) against an emulator's KMS instance."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def crypto_calls(dkms_oracle: Callable[[str, dict[str, Any]], Any], emulator: Any) -> Any:
    """A function that runs a list of Sign/Verify/Encrypt/Decrypt calls through the official
    client against `emulator`'s KMS instance, with its ClientKey, and returns their results."""
    from kms_pubkey_emulator.vendors.alibaba_instance import client_key

    material = client_key(emulator.state)
    protocol, _, host = emulator.url.partition("://")

    def calls(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
        out = dkms_oracle(
            "crypto",
            {
                "protocol": protocol,
                "endpoint": host,
                "client_key_file": str(material.client_key_file),
                "password": material.password,
                "calls": items,
            },
        )
        results: list[dict[str, Any]] = out["results"]
        return results

    return calls
