"""`EmulatorConfig`: the emulator's credentials, clock tolerance and where it listens."""

from __future__ import annotations

import dataclasses
from datetime import timedelta
from pathlib import Path

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765


@dataclasses.dataclass(frozen=True, kw_only=True)
class EmulatorConfig:
    """What the emulator accepts. The secrets are left out of `repr` so logs never show them.

    One access key pair serves every vendor (AWS, Alibaba and Huawei AK/SK alike).
    """

    access_key_id: str = "emulator-access-key"
    secret_access_key: str = dataclasses.field(default="emulator-secret-key", repr=False)
    huawei_project_id: str = "0123456789abcdef0123456789abcdef"
    huawei_token: str = dataclasses.field(default="emulator-token", repr=False)
    aws_account_id: str = "111122223333"
    state_dir: Path | None = None
    max_skew: timedelta = timedelta(minutes=15)
    host: str = DEFAULT_HOST
    port: int = DEFAULT_PORT

    def client_env(self) -> dict[str, str]:
        """Environment variables that point each vendor's credential chain at this emulator."""
        return {
            "AWS_ACCESS_KEY_ID": self.access_key_id,
            "AWS_SECRET_ACCESS_KEY": self.secret_access_key,
            "AWS_REGION": "us-east-1",
            "ALIBABA_CLOUD_ACCESS_KEY_ID": self.access_key_id,
            "ALIBABA_CLOUD_ACCESS_KEY_SECRET": self.secret_access_key,
            "ALIBABA_CLOUD_REGION_ID": "cn-hangzhou",
            "HUAWEICLOUD_SDK_AK": self.access_key_id,
            "HUAWEICLOUD_SDK_SK": self.secret_access_key,
            "HUAWEICLOUD_SDK_PROJECT_ID": self.huawei_project_id,
        }
