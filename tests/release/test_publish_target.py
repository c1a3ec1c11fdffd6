"""Where `make publish` uploads and which simple index it asks first, as twine resolves the target.

scripts/release.py is loaded from its file. The expected URLs are written here, or taken from
twine's own constant for its default repository (so that no registry host is written here).
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest
from twine import utils as twine_utils

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def release() -> ModuleType:
    spec = importlib.util.spec_from_file_location("release_script", ROOT / "scripts" / "release.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["release_script"] = module
    spec.loader.exec_module(module)
    return module


def test_repository_url_wins(release: ModuleType, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TWINE_REPOSITORY_URL", "http://127.0.0.1:1/")
    assert release.upload_url("http://127.0.0.1:2/") == "http://127.0.0.1:2/"


def test_twine_environment_variables(release: ModuleType, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TWINE_REPOSITORY_URL", "http://127.0.0.1:1/")
    assert release.upload_url(None) == "http://127.0.0.1:1/"


def test_a_named_repository_from_pypirc(
    release: ModuleType, monkeypatch: pytest.MonkeyPatch, clean_env: Path
) -> None:
    (clean_env / ".pypirc").write_text(
        "[distutils]\nindex-servers =\n    private\n\n[private]\nrepository = http://127.0.0.1:3/upload/\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("TWINE_REPOSITORY", "private")
    assert release.upload_url(None) == "http://127.0.0.1:3/upload/"


def test_twine_default_repository(release: ModuleType) -> None:
    """No setting at all (clean_env gives an empty HOME): twine's default, whose index is the host
    without `upload.` and `/simple/` in place of `/legacy/`."""
    assert release.upload_url(None) == twine_utils.DEFAULT_REPOSITORY
    default = twine_utils.DEFAULT_REPOSITORY
    assert default.startswith("https://upload.") and default.endswith("/legacy/")
    expected = "https://" + default.removeprefix("https://upload.").removesuffix("legacy/") + "simple/"
    assert release.index_url(default) == expected


@pytest.mark.parametrize(
    ("upload", "index"),
    [
        ("http://127.0.0.1:8080", "http://127.0.0.1:8080/simple/"),
        ("http://127.0.0.1:8080/", "http://127.0.0.1:8080/simple/"),
        ("https://upload.example.test/legacy/", "https://example.test/simple/"),
        (
            "https://repo.example.test/repository/pypi-internal/",
            "https://repo.example.test/repository/pypi-internal/simple/",
        ),
    ],
)
def test_index_url(release: ModuleType, upload: str, index: str) -> None:
    assert release.index_url(upload) == index


def test_index_url_variable_wins(release: ModuleType, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INDEX_URL", "http://127.0.0.1:4/pkgs")
    assert release.index_url("http://127.0.0.1:5/") == "http://127.0.0.1:4/pkgs/"


def test_a_page_without_the_project_and_one_with_it(release: ModuleType) -> None:
    """published_versions reads file names from the simple page's anchors."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    pages = {
        "/simple/kms-pubkey-aws/": '<a href="/packages/kms_pubkey_aws-0.3.0-py3-none-any.whl#sha256=00">'
        "kms_pubkey_aws-0.3.0-py3-none-any.whl</a>\n"
        '<a href="/packages/kms_pubkey_aws-0.4.0.tar.gz">kms_pubkey_aws-0.4.0.tar.gz</a>',
    }

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = pages.get(self.path)
            self.send_response(200 if body else 404)
            self.end_headers()
            self.wfile.write((body or "not found").encode())

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        index = f"http://127.0.0.1:{server.server_port}/simple/"
        assert release.published_versions(index, "kms-pubkey-aws") == {"0.3.0", "0.4.0"}
        assert release.published_versions(index, "kms-pubkey") == set()
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
