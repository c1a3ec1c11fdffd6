"""Old import path of `kms_pubkey_alibaba.instance.client_key`: the very same module."""

import sys

from kms_pubkey_alibaba.instance import client_key

sys.modules[__name__] = client_key
