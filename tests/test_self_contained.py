"""The test suite reads nothing outside the repository, so a bare clone passes on its own.

A cheap scan of every test source for paths that leave the repository, and a slow check that
really clones the repository into an empty temporary folder (no `shared/` beside it) and runs
every vector test there, expecting exactly the outcomes they have in this checkout.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
TESTS = ROOT / "tests"
LOADER_IMPORT = re.compile(r"^from tests\.support\.vectors import ", re.MULTILINE)
RUN_TIMEOUT = 600
MISSING = re.compile(r"not found|missing|no such|does not exist|absent|sha" r"red", re.IGNORECASE)

# Written in pieces so that this file does not match its own patterns.
FORBIDDEN = {
    "the old variable naming the folder beside the repository": re.compile("KMS_PUBKEY_" + "SHARED"),
    "a relative path to a parent folder": re.compile(re.escape(".." + "/") + "|" + re.escape(".." + "\\")),
    "the parent-folder constant of os.path": re.compile(r"\bpardir\b"),
    "a path component named shared": re.compile("[\"']" + "sha" + "red[\"'/]|/" + "sha" + "red\\b"),
}
# Path(__file__)[.resolve()] followed by .parent / .parents[N] steps, in any mix.
FILE_WALK = re.compile(r"__file__\)(?:\.resolve\(\)|\.absolute\(\))?((?:\.parent\b|\.parents\[\d+\])+)")
STEP = re.compile(r"\.parent\b|\.parents\[(\d+)\]")


def _sources() -> list[Path]:
    found = sorted(TESTS.rglob("*.py"))
    assert len(found) > 10, f"expected the test sources under {TESTS}"
    return found


def _levels_up(steps: str) -> int:
    """How many folders above the file `steps` climbs (.parent is 1, .parents[N] is N + 1)."""
    return sum(int(m.group(1)) + 1 if m.group(1) is not None else 1 for m in STEP.finditer(steps))


def test_levels_up_counts_like_pathlib() -> None:
    path = Path("/a/b/c/d.py")
    cases = {
        ".parent": path.parent,
        ".parents[0]": path.parents[0],
        ".parents[2]": path.parents[2],
        ".parent.parent": path.parent.parent,
        ".parents[1]" + ".parent": getattr(path.parents[1], "parent"),
    }
    for steps, expected in cases.items():
        assert path.parents[_levels_up(steps) - 1] == expected, steps


def test_no_test_source_points_outside_the_repository() -> None:
    problems = []
    for path in _sources():
        relative = path.relative_to(ROOT)
        text = path.read_text(encoding="utf-8")
        for what, pattern in FORBIDDEN.items():
            for match in pattern.finditer(text):
                line = text.count("\n", 0, match.start()) + 1
                problems.append(f"{relative}:{line}: {what}: {match.group(0)!r}")
        # tests/a/b.py reaches the repository root after 3 steps up; one more is outside.
        for match in FILE_WALK.finditer(text):
            if _levels_up(match.group(1)) > len(relative.parts):
                line = text.count("\n", 0, match.start()) + 1
                problems.append(f"{relative}:{line}: climbs above the repository root: {match.group(0)!r}")
    assert not problems, "test sources must read only what is inside the repository:\n" + "\n".join(problems)


def test_the_scan_catches_what_it_should() -> None:
    # Each line is something a test must not do; the scan must flag every one.
    # __FILE__ stands for the real name, so that this file does not match its own scan.
    bad = [
        'Path(__FILE__).resolve().parents[2]' + '.parent / "vectors"',
        "Path(__FILE__).parent.parent.parent.parent",
        'os.environ["KMS_PUBKEY_' + 'SHARED"]',
        'ROOT / ".' + './outside"',
        'Path("/work") / "sha' + 'red" / "seeds"',
    ]
    depth = len(Path("tests/aws/test_x.py").parts)

    def flagged(text: str) -> bool:
        text = text.replace("__FILE__", "__" + "file__")
        walked = [m for m in FILE_WALK.finditer(text) if _levels_up(m.group(1)) > depth]
        return bool(walked) or any(p.search(text) for p in FORBIDDEN.values())

    for text in bad:
        assert flagged(text), text
    assert not flagged('Path(__FILE__).resolve().parents[2] / "specs"')
    assert not flagged('"the shared gateway"')


def _vector_test_files(root: Path) -> list[str]:
    """Every test module that reads vectors (it imports the loader), relative to `root`."""
    files = [
        p.relative_to(root).as_posix()
        for p in sorted((root / "tests").rglob("test_*.py"))
        if p.name != Path(__file__).name and LOADER_IMPORT.search(p.read_text(encoding="utf-8"))
    ]
    assert files, f"no test module under {root / 'tests'} imports the vector loader"
    return files


def _run(root: Path, files: list[str], report: Path) -> dict[str, str]:
    """Run `files` under `root` with this interpreter; each test id with its outcome."""
    command = [sys.executable, "-m", "pytest", *files, "-p", "no:cacheprovider", "-q", f"--junitxml={report}"]
    result = subprocess.run(
        command, cwd=root, capture_output=True, text=True, timeout=RUN_TIMEOUT, check=False
    )
    output = f"{result.stdout[-6000:]}\n{result.stderr[-3000:]}"
    assert result.returncode == 0, f"vector tests failed in {root}:\n{output}"
    outcomes: dict[str, str] = {}
    for case in ET.parse(report).getroot().iter("testcase"):
        key = f"{case.get('classname')}::{case.get('name')}"
        skipped = case.find("skipped")
        bad = case.find("failure") if case.find("failure") is not None else case.find("error")
        if bad is not None:
            outcomes[key] = "failed: " + str(bad.get("message"))
        elif skipped is not None:
            outcomes[key] = "skipped: " + str(skipped.get("message"))
        else:
            outcomes[key] = "passed"
    return outcomes


@pytest.mark.slow
def test_vector_tests_pass_in_a_bare_clone(tmp_path: Path) -> None:
    git = shutil.which("git")
    # A clone is what the project promises to pass; without .git there is nothing to prove it on,
    # and a skip here would count as a pass.
    assert (ROOT / ".git").exists(), f"{ROOT} is not a git checkout: run the suite from a clone"
    assert git, "git is needed to clone the repository"
    clone = tmp_path / "alone" / "kms-pubkey"
    subprocess.run(
        [git, "clone", "--quiet", "--local", "--no-hardlinks", str(ROOT), str(clone)],
        check=True, capture_output=True, timeout=RUN_TIMEOUT,
    )
    assert sorted(p.name for p in clone.parent.iterdir()) == ["kms-pubkey"], "the clone must stand alone"

    files = _vector_test_files(clone)
    assert files == _vector_test_files(ROOT), (
        "the vector test modules differ between HEAD and the working tree: "
        "commit them, the clone is made from HEAD"
    )
    sets = sorted(p.name for p in (clone / "tests" / "vectors").iterdir() if p.is_dir())
    sources = "".join((clone / f).read_text(encoding="utf-8") for f in files)
    assert sets and all(f'"{name}"' in sources for name in sets), f"a vector set no test reads: {sets}"

    in_clone = _run(clone, files, tmp_path / "clone.xml")
    here = _run(ROOT, files, tmp_path / "checkout.xml")
    passed = [key for key, outcome in in_clone.items() if outcome == "passed"]
    assert len(passed) >= 100, f"only {len(passed)} vector tests passed in the clone"
    # Where this checkout has nothing beside it either (CI), the comparison below cannot see a
    # skip for a missing file, so such skips are refused by their reason.
    absent = [f"{k}: {v}" for k, v in in_clone.items() if v.startswith("skipped") and MISSING.search(v)]
    assert not absent, "vector tests skipped for something missing:\n" + "\n".join(absent)
    missing = {k: v for k, v in in_clone.items() if v != here.get(k)}
    assert in_clone.keys() == here.keys() and not missing, (
        "the clone (HEAD, nothing beside it) and this checkout disagree; uncommitted changes under "
        f"tests/ also cause this: {dict(list(missing.items())[:10])}, "
        f"only here: {sorted(here.keys() - in_clone.keys())[:10]}"
    )
