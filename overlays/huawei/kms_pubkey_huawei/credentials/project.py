"""The project id ShowPublicKey's path needs, and why a domain id cannot stand in for it."""

from __future__ import annotations

import os
from collections.abc import Mapping

from kms_pubkey.credentials import first_env
from kms_pubkey.errors import ValidationError
from kms_pubkey_huawei.credentials.config_file import GLOBAL, file_section

PROJECT_ID_ENV = "HUAWEICLOUD_SDK_PROJECT_ID"
DOMAIN_ID_ENV = "HUAWEICLOUD_SDK_DOMAIN_ID"


def check_project_id(value: object) -> str:
    # [0-9A-Za-z]{32}, without a regular expression to compile on every cold start (~0.1 ms).
    if isinstance(value, str) and len(value) == 32 and value.isascii() and value.isalnum():
        return value
    raise ValidationError("project_id must be 32 characters (letters and digits), as IAM returns it")


def resolve_project_id(project_id: str | None, environ: Mapping[str, str] | None = None) -> str:
    """Argument, `HUAWEICLOUD_SDK_PROJECT_ID`, then `project_id` in the file's `[basic]` section.

    KMS is a project-level service: huaweicloudsdkcore signs it with BasicCredentials (project
    id, `X-Project-Id`), never GlobalCredentials (domain id, `X-Domain-Id`). A domain id is
    therefore ignored beside a project id, and alone it is an error that says so.
    """
    env = os.environ if environ is None else environ
    basic = file_section(env)
    value = project_id or first_env((PROJECT_ID_ENV,), env) or basic.get("project_id")
    if value:
        return check_project_id(value)
    domain_id = first_env((DOMAIN_ID_ENV,), env) or basic.get("domain_id")
    if domain_id or file_section(env, GLOBAL).get("domain_id"):
        raise ValidationError(
            "no Huawei Cloud project id: KMS is a project-level service, so a domain id (global "
            "credentials) cannot call ShowPublicKey; pass {project_id}, or set HUAWEICLOUD_SDK_PROJECT_ID",
            parameters=("project_id",),
        )
    raise ValidationError(
        "no Huawei Cloud project id: pass {project_id}, or set HUAWEICLOUD_SDK_PROJECT_ID",
        parameters=("project_id",),
    )
