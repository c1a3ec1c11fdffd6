"""Old import path of `kms_pubkey_alibaba.instance.proto`: the very same module."""

import sys

from kms_pubkey_alibaba.instance import proto

sys.modules[__name__] = proto
