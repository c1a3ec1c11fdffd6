"""How core finds what the vendor wheels bring: entry points, and the wheel to name when one is missing.

Groups:
- `kms_pubkey.vendors`: one object per vendor, used by `kms-pubkey get <vendor>`;
- `kms_pubkey.commands`: extra top-level commands, such as `emulator`;
- `kms_pubkey.key_uris`: one `kms_pubkey.uri_fetch.UriScheme` per key URI scheme, named by the scheme.

Core knows the vendors only by name, here, to tell which wheel to install.
"""

from __future__ import annotations

import sys

VENDOR_GROUP = "kms_pubkey.vendors"
COMMAND_GROUP = "kms_pubkey.commands"
KEY_URI_GROUP = "kms_pubkey.key_uris"
# The wheel that brings each vendor (its `get` subcommand and its key URI scheme).
VENDOR_WHEELS = {
    "aws": "kms-pubkey-aws",
    "alibaba": "kms-pubkey-alibaba",
    "alibaba-instance": "kms-pubkey-alibaba",
    "huawei": "kms-pubkey-huawei",
}


def load_all(group: str) -> list[object]:
    """Every plugin of `group`, by name; a broken one is reported on stderr and skipped."""
    from importlib.metadata import entry_points

    loaded = []
    for entry in sorted(entry_points(group=group), key=lambda e: e.name):
        try:
            loaded.append(entry.load())
        except Exception as exc:  # a broken plugin must not take the others down
            print(f"kms-pubkey: warning: cannot load plugin {entry.name!r}: {exc}", file=sys.stderr)
    return loaded


def load_one(group: str, name: str) -> object | None:
    """The plugin `name` of `group`, or None when no installed wheel declares it."""
    from importlib.metadata import entry_points

    for entry in entry_points(group=group, name=name):
        plugin: object = entry.load()
        return plugin
    return None
