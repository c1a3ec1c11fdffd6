"""Old import path of `kms_pubkey_alibaba.instance.cli`: the very same module."""

import sys

from kms_pubkey_alibaba.instance import cli

sys.modules[__name__] = cli
