"""The one loader for every vector set under tests/vectors/<set>/.

Nothing outside the repository is read. A missing set or file fails the test that asked for
it: vectors are the ground truth, so their absence is never a skip.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

VECTORS = Path(__file__).resolve().parents[1] / "vectors"


def vector_dir(name: str) -> Path:
    """The folder of vector set `name` (e.g. "aws-sigv4")."""
    folder = VECTORS / name
    assert folder.is_dir(), f"vector set {name!r} not found at {folder}"
    return folder


def vector_file(name: str, file: str) -> Path:
    path = vector_dir(name) / file
    assert path.is_file(), f"vector file {file!r} missing from set {name!r} ({path})"
    return path


def read_text(name: str, file: str) -> str:
    return vector_file(name, file).read_text(encoding="utf-8")


def load_json(name: str, file: str) -> Any:
    return json.loads(read_text(name, file))


def json_files(name: str) -> list[Path]:
    """Every *.json file of a set, sorted by name; at least one."""
    found = sorted(vector_dir(name).glob("*.json"))
    assert found, f"no *.json files in vector set {name!r}"
    return found


def cases(name: str) -> list[str]:
    """The case folders of a set made of one folder per case (aws-sigv4), sorted; at least one."""
    found = sorted(p.name for p in vector_dir(name).iterdir() if p.is_dir())
    assert found, f"no case folders in vector set {name!r}"
    return found
