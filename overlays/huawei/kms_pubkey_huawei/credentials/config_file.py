"""~/.huaweicloud/credentials: huaweicloudsdkcore's INI file, one section per credential type
(`[basic]` for regional services such as KMS, `[global]` for global ones), no named profiles."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from kms_pubkey.credentials import read_ini

CREDENTIALS_FILE_ENV = "HUAWEICLOUD_SDK_CREDENTIALS_FILE"
BASIC, GLOBAL = "basic", "global"


def credentials_file(env: Mapping[str, str]) -> Path:
    return Path(env.get(CREDENTIALS_FILE_ENV) or Path.home() / ".huaweicloud" / "credentials").expanduser()


def file_section(env: Mapping[str, str], section: str = BASIC) -> dict[str, str]:
    """The non-empty values of one section; empty when the file or the section is absent."""
    parser = read_ini(credentials_file(env))
    if parser is None or not parser.has_section(section):
        return {}
    return {k: v for k, v in parser.items(section) if v}
