"""A local KMS emulator speaking AWS, Alibaba Cloud and Huawei Cloud KMS on one port: GetPublicKey,
and signing, verifying, encrypting, decrypting and deriving with each key's private half.

from kms_pubkey_emulator import Emulator
with Emulator() as emu:
    emu.url, emu.keys
"""

from kms_pubkey_emulator.config import EmulatorConfig
from kms_pubkey_emulator.keys import KeyStore, SpecInfo, StoredKey
from kms_pubkey_emulator.protocol import EmulatorState, VendorProtocol
from kms_pubkey_emulator.server import PROTOCOLS, Emulator, EmulatorApp

__all__ = [
    "PROTOCOLS",
    "Emulator",
    "EmulatorApp",
    "EmulatorConfig",
    "EmulatorState",
    "KeyStore",
    "SpecInfo",
    "StoredKey",
    "VendorProtocol",
]
