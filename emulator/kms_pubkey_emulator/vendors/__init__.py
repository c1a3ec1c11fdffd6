"""Vendor wire protocols. Each module exposes one protocol object; see `kms_pubkey_emulator.protocol`."""
