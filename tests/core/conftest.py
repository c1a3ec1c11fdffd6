"""Keys the offline tests (verify, encrypt) share: made once by the OpenSSL command line."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support import openssl


@pytest.fixture(scope="session")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("openssl")


@pytest.fixture(scope="session")
def rsa_key(folder: Path) -> openssl.Key:
    return openssl.Key(folder, "rsa", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048")


@pytest.fixture(scope="session")
def sm2_key(folder: Path) -> openssl.Key:
    return openssl.Key(folder, "sm2", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:SM2")
