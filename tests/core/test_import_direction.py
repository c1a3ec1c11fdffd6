"""Core's key code flows one way: read -> key value -> derive. Imports must follow the flow.

A module may import its own step or an earlier one, never a later one. The one exception is
the `PublicKey` methods that hand over to `derive` (`to_cryptography`, `to_ssh`, `verify`...): they
import inside their bodies, when called, so that loading the key value loads nothing derived.
Read from the source (AST), so an import hidden under `TYPE_CHECKING` counts too.
"""

from __future__ import annotations

import ast
from pathlib import Path

import kms_pubkey

STEPS = {"read": 0, "key": 1, "derive": 2}
HANDOVERS = [
    ("PublicKey.derive_shared_secret", "kms_pubkey.derive.agree"),
    ("PublicKey.encapsulate", "kms_pubkey.derive.agree"),
    ("PublicKey.encrypt", "kms_pubkey.derive.encrypt"),
    ("PublicKey.fingerprint", "kms_pubkey.derive.fingerprint"),
    ("PublicKey.is_valid_signature", "kms_pubkey.derive.verify"),
    ("PublicKey.to_cryptography", "kms_pubkey.derive.crypto"),
    ("PublicKey.to_jwk", "kms_pubkey.derive.jwk"),
    ("PublicKey.to_ssh", "kms_pubkey.derive.ssh"),
    ("PublicKey.verify", "kms_pubkey.derive.verify"),
]
LAZY_HANDOVERS = {("kms_pubkey.public_key", where) for where, _ in HANDOVERS}


def step_of(module: str) -> str | None:
    if module == "kms_pubkey.public_key":
        return "key"
    for step in ("read", "derive"):
        if module == f"kms_pubkey.{step}" or module.startswith(f"kms_pubkey.{step}."):
            return step
    return None


def imported_modules(node: ast.Import | ast.ImportFrom, importer: str, is_package: bool) -> list[str]:
    """The modules an import statement loads, as far as core's layout tells them apart."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    base = node.module or ""
    if node.level:  # relative: resolve against the importer's package
        parts = importer.split(".")
        package = parts if is_package else parts[:-1]
        package = package[: len(package) - node.level + 1]
        base = ".".join([*package, base] if base else package)
    # `from kms_pubkey.read import der` loads the submodule; `from kms_pubkey.read import read_key`
    # loads the package only.
    known = MODULES | {base}
    return sorted(
        {f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base for alias in node.names}
    )


def violations(sources: dict[str, tuple[str, bool]]) -> list[str]:
    """Every import that points against the flow: 'importer (where) -> imported'."""
    found = []
    for importer, (source, is_package) in sorted(sources.items()):
        step = step_of(importer)
        if step is None:
            continue
        for where, node in _imports(ast.parse(source)):
            for target in imported_modules(node, importer, is_package):
                target_step = step_of(target)
                if target_step is None or STEPS[target_step] <= STEPS[step]:
                    continue
                if (importer, where) in LAZY_HANDOVERS:
                    continue
                found.append(f"{importer} ({where}) -> {target}")
    return sorted(set(found))


def _imports(tree: ast.Module) -> list[tuple[str, ast.Import | ast.ImportFrom]]:
    """(where, import) pairs; `where` is the enclosing class/function path, '<module>' at top."""
    found: list[tuple[str, ast.Import | ast.ImportFrom]] = []

    def visit(node: ast.AST, where: list[str]) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.Import, ast.ImportFrom)):
                found.append((".".join(where) or "<module>", child))
            elif isinstance(child, (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
                visit(child, [*where, child.name])
            else:
                visit(child, where)

    visit(tree, [])
    return found


def core_sources() -> dict[str, tuple[str, bool]]:
    """{module name: (source, is a package)} for every module of the installed core."""
    root = Path(kms_pubkey.__file__).parent
    sources = {}
    for path in root.rglob("*.py"):
        parts = path.relative_to(root.parent).with_suffix("").parts
        is_package = parts[-1] == "__init__"
        name = ".".join(parts[:-1] if is_package else parts)
        sources[name] = (path.read_text(encoding="utf-8"), is_package)
    return sources


MODULES = set(core_sources())


def test_core_imports_follow_read_key_derive() -> None:
    sources = core_sources()
    steps = {name: step_of(name) for name in sources}
    # The three steps exist where this test looks for them (a move must update the test).
    assert {"kms_pubkey.read.spki", "kms_pubkey.read.armour"} <= {n for n, s in steps.items() if s == "read"}
    assert {n for n, s in steps.items() if s == "key"} == {"kms_pubkey.public_key"}
    assert {"kms_pubkey.derive.crypto", "kms_pubkey.derive.jwk"} <= {
        n for n, s in steps.items() if s == "derive"
    }
    assert violations(sources) == []


def test_the_handovers_are_the_only_lazy_imports_back_and_they_are_lazy() -> None:
    source, _ = core_sources()["kms_pubkey.public_key"]
    back = [
        (where, target)
        for where, node in _imports(ast.parse(source))
        for target in imported_modules(node, "kms_pubkey.public_key", False)
        if step_of(target) == "derive"
    ]
    assert sorted(back) == HANDOVERS


def test_reading_never_imports_cryptography() -> None:
    for name, (source, is_package) in core_sources().items():
        if step_of(name) == "read":
            for _, node in _imports(ast.parse(source)):
                targets = imported_modules(node, name, is_package)
                assert not any(t.split(".")[0] == "cryptography" for t in targets), name


def test_the_checker_catches_imports_against_the_flow() -> None:
    bad = {
        "kms_pubkey.read.spki": ("from kms_pubkey.public_key import PublicKey\n", False),
        "kms_pubkey.read": (
            "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from kms_pubkey.derive import jwk\n",
            True,
        ),
        "kms_pubkey.public_key": (
            "from kms_pubkey.derive.jwk import to_jwk\n"
            "class PublicKey:\n    def pem(self):\n        from .derive import crypto\n"
            "    def to_jwk(self):\n        from kms_pubkey.derive.jwk import to_jwk\n",
            False,
        ),
        "kms_pubkey.derive.jwk": (
            "from kms_pubkey import public_key\nfrom kms_pubkey.read import der\n",
            False,
        ),
    }
    assert violations(bad) == [
        "kms_pubkey.public_key (<module>) -> kms_pubkey.derive.jwk",
        "kms_pubkey.public_key (PublicKey.pem) -> kms_pubkey.derive.crypto",
        "kms_pubkey.read (<module>) -> kms_pubkey.derive.jwk",
        "kms_pubkey.read.spki (<module>) -> kms_pubkey.public_key",
    ]
