"""The emulator verifies every protocol with its own code: it imports nothing from overlays/.

A bug shared by a client and the emulator would pass every test (DESIGN.md, "One vendor shape"),
so no module of `kms_pubkey_emulator` may import `kms_pubkey` or any `kms_pubkey_<vendor>` package.
"""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "emulator" / "kms_pubkey_emulator"


def _overlay_packages() -> set[str]:
    """Top-level import names that overlays/ (and the generated clients under them) provide."""
    return {
        init.parent.name
        for tree in ("overlays", "generated")
        for init in (ROOT / tree).glob("*/*/__init__.py")
    }


def _imports(path: Path) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.lineno, node.module))
        elif isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", "")) in (
            "import_module",
            "__import__",
        ):
            found += [(node.lineno, arg.value) for arg in node.args if isinstance(arg, ast.Constant)]
    return found


def test_the_overlay_package_list_is_what_we_think() -> None:
    overlays = _overlay_packages()
    assert {"kms_pubkey", "kms_pubkey_aws", "kms_pubkey_alibaba", "kms_pubkey_huawei"} <= overlays
    assert "kms_pubkey_emulator" not in overlays


def test_no_emulator_module_imports_an_overlay() -> None:
    forbidden = _overlay_packages()
    modules = sorted(PACKAGE.rglob("*.py"))
    assert len(modules) >= 10
    offenders = [
        f"{path.relative_to(ROOT)}:{line}: {name}"
        for path in modules
        for line, name in _imports(path)
        if str(name).split(".")[0] in forbidden
    ]
    assert offenders == []


def test_the_ast_walk_catches_an_overlay_import(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text(
        "import kms_pubkey\nfrom kms_pubkey_aws import sigv4\nimport importlib\n"
        "importlib.import_module('kms_pubkey_huawei.signer')\n",
        encoding="utf-8",
    )
    names = {name for _, name in _imports(sample)}
    assert {"kms_pubkey", "kms_pubkey_aws", "kms_pubkey_huawei.signer"} <= names


def test_the_emulator_does_not_depend_on_a_vendor_package() -> None:
    project = tomllib.loads((ROOT / "emulator" / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    names = {dep.split("==")[0].split(">")[0].split("<")[0].strip() for dep in project["dependencies"]}
    assert not {n for n in names if n.startswith("kms-pubkey-")}, names
