"""Old import path of `kms_pubkey_alibaba.instance.auth`: the very same module."""

import sys

from kms_pubkey_alibaba.instance import auth

sys.modules[__name__] = auth
