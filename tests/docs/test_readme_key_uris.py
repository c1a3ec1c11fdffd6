"""The README's key URI and key cache snippet runs as written against the docs emulator.

Its keys are the ones the README names (`alias/signing`, the Huawei doc key id), made by the
docs emulator fixture; the expected PEMs are the ones that fixture made with `cryptography`.
"""

from __future__ import annotations

from typing import Any

import pytest

from kms_pubkey import CacheStats
from tests.docs.test_readme_snippets import (
    block,
    comment_claims,
    docs_emulator,  # noqa: F401 - the fixture
    emulator_env,
    line_of,
    run_snippet,
)

pytestmark = pytest.mark.integration


def test_readme_key_uri_snippet(docs_emulator: Any, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    emu, made = docs_emulator
    endpoints = {"AWS_ENDPOINT_URL_KMS": emu.url, "HUAWEICLOUD_SDK_REGION_KMS_CN_NORTH_4": emu.url}
    emulator_env(monkeypatch, emu, **endpoints)
    snippet = block("README.md", "python:key-uris").text
    namespace: dict[str, Any] = {}
    values = run_snippet(snippet, namespace)
    assert comment_claims(snippet, values) == 1  # the region
    assert namespace["key"].pem == made["huawei"]
    assert namespace["cache"].get("awskms:///alias/signing").pem == made["aws"]
    stats = values[line_of(snippet, "cache.stats()")]
    assert stats == CacheStats(hits=0, misses=2, loads=2, errors=0, stale=0, size=2)  # as the comment says
    assert "CacheStats(hits=0, misses=2, loads=2, errors=0, stale=0, size=2)" in snippet
