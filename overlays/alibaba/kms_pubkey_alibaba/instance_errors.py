"""Old import path of `kms_pubkey_alibaba.instance.errors`: the very same module."""

import sys

from kms_pubkey_alibaba.instance import errors

sys.modules[__name__] = errors
