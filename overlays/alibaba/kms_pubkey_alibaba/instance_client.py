"""Old import path of `kms_pubkey_alibaba.instance.client`: the very same module."""

import sys

from kms_pubkey_alibaba.instance import client

sys.modules[__name__] = client
