"""The Huawei credential chain, in huaweicloudsdkcore's order: explicit arguments, the
environment, ~/.huaweicloud/credentials, then the ECS metadata service.

Two kinds of credentials reach KMS: an access key pair (AK/SK, with a security token when
temporary) that signs each request, or an IAM token sent in `X-Auth-Token`. Temporary pairs
(ECS metadata, IdP federation) come as a `Fetcher`: nothing is fetched while a client is built.
"""

from kms_pubkey_huawei.credentials.chain import (
    ARGUMENT_NAMES,
    IamToken,
    resolve_credentials,
)
from kms_pubkey_huawei.credentials.project import check_project_id, resolve_project_id

__all__ = [
    "ARGUMENT_NAMES",
    "IamToken",
    "check_project_id",
    "resolve_credentials",
    "resolve_project_id",
]
