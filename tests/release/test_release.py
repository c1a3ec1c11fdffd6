"""`make version`, `make release-check` and `make publish`, run as a maintainer types them, on
copies of this tree (its tracked and new files, committed into a fresh git repository), so the
checkout is never changed and the copies are clean trees.

`make` in a copy uses the virtual environment running these tests (`VENV=`, with `-o` so that
make never rebuilds it). Publishing goes to a pypiserver on 127.0.0.1 with authentication off and
no fallback to another index; the wheels are then installed from it used as an extra index, so
that third-party dependencies come through pip's own configuration, and each vendor fetches a
key from the emulator through its installed console script. Expected keys come from the
emulator's admin listing; expected versions are read from the pyproject files with tomllib.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import tomllib
import urllib.error
import urllib.request
import venv
import zipfile
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest

from kms_pubkey_emulator import Emulator
from tests.support.processes import stop

pytestmark = [pytest.mark.slow, pytest.mark.integration]

ROOT = Path(__file__).resolve().parents[2]
VENV = Path(sys.prefix)
PYPROJECTS = sorted(
    str(p.relative_to(ROOT))
    for p in [*ROOT.glob("overlays/*/pyproject.toml"), *ROOT.glob("generated/*/pyproject.toml")]
) + ["emulator/pyproject.toml"]
OURS = {tomllib.loads((ROOT / p).read_text(encoding="utf-8"))["project"]["name"] for p in PYPROJECTS}
VERSION = tomllib.loads((ROOT / "overlays/core/pyproject.toml").read_text(encoding="utf-8"))["project"][
    "version"
]
# overlay -> the generated wheels it pins, which must reach the index before it
GENERATED_FIRST = {
    "kms_pubkey_aws": ["kms_pubkey_aws_api"],
    "kms_pubkey_alibaba": ["kms_pubkey_alibaba_api", "kms_pubkey_alibaba_instance_api"],
    "kms_pubkey_huawei": ["kms_pubkey_huawei_api"],
}
MAKE_TIMEOUT = 900


@pytest.fixture(scope="module")
def real_env() -> dict[str, str]:
    """The environment before clean_env (function scope) empties HOME: pip keeps its cache."""
    env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL")}
    env.setdefault("PIP_CACHE_DIR", str(Path(os.environ.get("HOME", "/")) / ".cache" / "pip"))
    return env


def copy_tree(dest: Path) -> Path:
    """This checkout's tracked and untracked-but-not-ignored files, committed into a new repository."""
    listed = (
        subprocess.run(
            ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
            cwd=ROOT,
            capture_output=True,
            check=True,
            timeout=60,
        )
        .stdout.decode("utf-8")
        .split("\0")
    )
    for name in filter(None, listed):
        source = ROOT / name
        if source.is_file():  # a tracked file deleted in the checkout is left out
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, dest / name)
    git = [
        "git",
        "-c",
        "user.name=release test",
        "-c",
        "user.email=release-test@127.0.0.1",
        "-c",
        "commit.gpgsign=false",
        "-c",
        "init.defaultBranch=main",
    ]
    for command in (["init", "-q"], ["add", "-A"], ["commit", "-q", "--no-verify", "-m", "copy"]):
        subprocess.run([*git, *command], cwd=dest, capture_output=True, check=True, timeout=120)
    return dest


def make(tree: Path, env: Mapping[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    command = ["make", "--no-print-directory", "-o", f"{VENV}/.installed", f"VENV={VENV}", *args]
    return subprocess.run(
        command, cwd=tree, env=dict(env), capture_output=True, text=True, timeout=MAKE_TIMEOUT, check=False
    )


def output(result: subprocess.CompletedProcess[str]) -> str:
    return (
        f"exit {result.returncode}\n--- stdout\n{result.stdout[-4000:]}\n--- stderr\n{result.stderr[-4000:]}"
    )


# -- make version ---------------------------------------------------------------------------------


def test_the_readme_release_block_is_what_these_tests_run() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"<!-- release:start.*?-->\n```sh\n(.*?)```\n<!-- release:end -->", readme, re.DOTALL)
    assert block, "README.md has no release block"
    commands = [line.split("#")[0].strip() for line in block.group(1).splitlines()]
    assert commands == ["make version VERSION=0.2.0", "make release-check", "make publish"]


def test_make_version_sets_every_version_and_pin(tmp_path: Path, real_env: dict[str, str]) -> None:
    tree = copy_tree(tmp_path)
    result = make(tree, real_env, "version", "VERSION=7.8.9")
    assert result.returncode == 0, output(result)
    for file in PYPROJECTS:
        project = tomllib.loads((tree / file).read_text(encoding="utf-8"))["project"]
        assert project["version"] == "7.8.9", file
        pins = [d for d in project.get("dependencies", []) if re.split(r"[=<>!~ ]", d)[0] in OURS]
        for pin in pins:
            assert pin.endswith("==7.8.9"), (file, pin)
    assert sum(
        len(tomllib.loads((tree / f).read_text())["project"].get("dependencies", [])) for f in PYPROJECTS
    )
    core = (tree / "overlays/core/kms_pubkey/__init__.py").read_text(encoding="utf-8")
    assert '__version__ = "7.8.9"' in core
    assert 'USER_AGENT = "kms-pubkey/7.8.9"' in (tree / "overlays/core/kms_pubkey/defaults.py").read_text()
    assert "## 7.8.9 - unreleased" in (tree / "CHANGELOG.md").read_text(encoding="utf-8")
    # generated/*/pyproject.toml (checked above) got 7.8.9 from the generator configs, regenerated.
    for config in (tree / "generator" / "config").glob("*.yaml"):
        assert 'package_version_override: "7.8.9"' in config.read_text(encoding="utf-8")
    # An undated section is not releasable.
    refused = make(tree, real_env, "release-check")
    assert refused.returncode != 0
    assert "CHANGELOG.md: 7.8.9 is still 'unreleased'" in refused.stderr, output(refused)


def test_make_version_refuses_a_bad_version(tmp_path: Path, real_env: dict[str, str]) -> None:
    tree = copy_tree(tmp_path)
    result = make(tree, real_env, "version", "VERSION=1.2")
    assert result.returncode == 0, output(result)  # 1.2 is a valid, normalised PEP 440 version
    result = make(tree, real_env, "version", "VERSION=v1.02.0")
    assert result.returncode != 0 and "not a normalised PEP 440 version" in result.stderr, output(result)


# -- make release-check ---------------------------------------------------------------------------


def test_release_check_fails_when_one_pin_is_changed_by_hand(
    tmp_path: Path, real_env: dict[str, str]
) -> None:
    tree = copy_tree(tmp_path)
    pyproject = tree / "overlays" / "aws" / "pyproject.toml"
    text = pyproject.read_text(encoding="utf-8")
    assert f'"kms-pubkey-aws-api=={VERSION}"' in text
    pyproject.write_text(text.replace(f'"kms-pubkey-aws-api=={VERSION}"', '"kms-pubkey-aws-api==0.0.1"'))
    result = make(tree, real_env, "release-check")
    assert result.returncode != 0, output(result)
    expected = (
        f"overlays/aws/pyproject.toml: pins kms-pubkey-aws-api==0.0.1, expected kms-pubkey-aws-api=={VERSION}"
    )
    assert expected in result.stderr, output(result)


@pytest.fixture(scope="module")
def released_tree(tmp_path_factory: pytest.TempPathFactory, real_env: dict[str, str]) -> Path:
    """A copy on which `make release-check` has run (and passed: the test below asserts it)."""
    tree = copy_tree(tmp_path_factory.mktemp("released-tree"))
    result = make(tree, real_env, "release-check")
    (tree / "release-check.log").write_text(output(result), encoding="utf-8")
    (tree / ".git" / "info" / "exclude").write_text("release-check.log\n", encoding="utf-8")
    return tree


def test_release_check_passes(released_tree: Path) -> None:
    log = (released_tree / "release-check.log").read_text(encoding="utf-8")
    assert log.startswith("exit 0\n"), log
    for name in ("kms-pubkey-aws", "kms-pubkey-alibaba", "kms-pubkey-huawei"):
        assert f"fresh venv: {name} installs alone" in log
    built = sorted(p.name for p in (released_tree / "dist").iterdir())
    assert len(built) == 2 * len(PYPROJECTS), built
    for wheel in (released_tree / "dist").glob("*.whl"):
        with zipfile.ZipFile(wheel) as archive:
            names = archive.namelist()
        assert any(n.endswith(".dist-info/licenses/LICENSE") for n in names), wheel.name
        assert any(n.endswith("/py.typed") for n in names), wheel.name


# -- make publish ---------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """(URL, package folder) of a pypiserver on 127.0.0.1: uploads allowed, no authentication,
    no redirect to another index for projects it does not have."""
    packages = tmp_path_factory.mktemp("index-packages")
    port = _free_port()
    log = (packages.parent / "pypiserver.log").open("w")
    process = subprocess.Popen(
        [
            str(VENV / "bin" / "pypi-server"),
            "run",
            "-i",
            "127.0.0.1",
            "-p",
            str(port),
            "-a",
            ".",
            "-P",
            ".",
            "--disable-fallback",
            str(packages),
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(url + "/simple/", timeout=2):
                    break
            except (urllib.error.URLError, OSError):
                assert process.poll() is None, "pypiserver exited"
                assert time.monotonic() < deadline, "pypiserver did not start in 60 s"
                time.sleep(0.2)
        yield url, packages
    finally:
        stop(process)
        log.close()


def _publish_env(real_env: Mapping[str, str]) -> dict[str, str]:
    # twine asks for a name and password even when the index checks none.
    return {**real_env, "TWINE_USERNAME": "release-test", "TWINE_PASSWORD": "unused"}


@pytest.fixture(scope="module")
def published(released_tree: Path, index: tuple[str, Path], real_env: dict[str, str]) -> str:
    url, _ = index
    result = make(released_tree, _publish_env(real_env), "publish", f"REPOSITORY_URL={url}/")
    assert result.returncode == 0, output(result)
    return result.stdout


def test_publish_uploads_every_file_generated_wheels_first(
    published: str, index: tuple[str, Path], released_tree: Path
) -> None:
    url, packages = index
    expected = sorted(p.name for p in (released_tree / "dist").iterdir())
    assert sorted(p.name for p in packages.iterdir()) == expected
    for name in sorted(OURS):
        with urllib.request.urlopen(f"{url}/simple/{name}/", timeout=10) as page:
            listing = page.read().decode("utf-8")
        prefix = name.replace("-", "_")
        assert f"{prefix}-{VERSION}-py3-none-any.whl" in listing and f"{prefix}-{VERSION}.tar.gz" in listing
    # The index wrote each file when it arrived: every generated wheel is older than its overlay.
    arrived = {p.name: p.stat().st_mtime_ns for p in packages.iterdir()}
    for overlay, generated in GENERATED_FIRST.items():
        for dependency in [*generated, "kms_pubkey"]:
            assert (
                arrived[f"{dependency}-{VERSION}-py3-none-any.whl"]
                < arrived[f"{overlay}-{VERSION}-py3-none-any.whl"]
            )


def test_publishing_the_same_version_again_is_refused(
    published: str, index: tuple[str, Path], released_tree: Path, real_env: dict[str, str]
) -> None:
    url, packages = index
    before = {p.name: p.stat().st_mtime_ns for p in packages.iterdir()}
    result = make(released_tree, _publish_env(real_env), "publish", f"REPOSITORY_URL={url}/")
    assert result.returncode != 0, output(result)
    assert f"refusing to publish {VERSION}: {url}/simple/ already has it for kms-pubkey," in result.stderr
    assert "set a new one with make version VERSION=" in result.stderr
    assert {p.name: p.stat().st_mtime_ns for p in packages.iterdir()} == before


def test_publishing_from_a_dirty_tree_is_refused(
    released_tree: Path, index: tuple[str, Path], real_env: dict[str, str]
) -> None:
    url, packages = index
    stray = released_tree / "stray-notes.txt"
    stray.write_text("not committed\n", encoding="utf-8")
    try:
        result = make(released_tree, _publish_env(real_env), "publish", f"REPOSITORY_URL={url}/")
    finally:
        stray.unlink()
    assert result.returncode != 0, output(result)
    assert "refusing to publish from a dirty tree" in result.stderr and "stray-notes.txt" in result.stderr


def _installed_record(env_dir: Path, wheel: Path) -> tuple[set[str], set[str]]:
    """(the module lines of the wheel's RECORD, the RECORD lines pip installed), to prove that the
    installed files are the ones this test published."""
    with zipfile.ZipFile(wheel) as archive:
        (record,) = [n for n in archive.namelist() if n.endswith(".dist-info/RECORD")]
        shipped = {line for line in archive.read(record).decode().splitlines() if ".py," in line}
    (installed,) = env_dir.glob(f"lib/python*/site-packages/{record}")
    return shipped, set(installed.read_text(encoding="utf-8").splitlines())


@pytest.mark.parametrize(
    ("wheel", "vendor", "spec", "extra"),
    [
        ("kms-pubkey-aws", "aws", "ECC_NIST_P256", ["--region", "us-east-1"]),
        ("kms-pubkey-alibaba", "alibaba", "EC_P256", ["--region", "cn-hangzhou"]),
        ("kms-pubkey-huawei", "huawei", "EC_P256", ["--region", "cn-north-4"]),
    ],
)
def test_installed_from_the_index_fetches_a_key(
    published: str,
    index: tuple[str, Path],
    released_tree: Path,
    emulator: Emulator,
    real_env: dict[str, str],
    tmp_path: Path,
    wheel: str,
    vendor: str,
    spec: str,
    extra: list[str],
) -> None:
    url, _ = index
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    python = str(env_dir / "bin" / "python")
    install = subprocess.run(
        [
            python,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--extra-index-url",
            f"{url}/simple/",
            f"{wheel}=={VERSION}",
        ],
        env=real_env,
        capture_output=True,
        text=True,
        timeout=MAKE_TIMEOUT,
        check=False,
    )
    assert install.returncode == 0, install.stderr[-4000:]
    shipped, installed = _installed_record(
        env_dir, released_tree / "dist" / f"{wheel.replace('-', '_')}-{VERSION}-py3-none-any.whl"
    )
    assert shipped and shipped <= installed

    expected: Any = next(k for k in emulator.admin_keys() if k["vendor"] == vendor and k["key_spec"] == spec)
    arguments = [expected["key_id"], "--endpoint", emulator.url, *extra]
    if vendor == "alibaba":
        arguments += ["--key-version-id", expected["key_version_id"]]
    clean = {
        k: v
        for k, v in real_env.items()
        if not k.startswith(("AWS_", "ALIBABA", "HUAWEI", "CLOUD_SDK", "PYTHON"))
    }
    clean.update(emulator.client_env(), HOME=str(tmp_path))
    fetched = subprocess.run(
        [str(env_dir / "bin" / "kms-pubkey"), "get", vendor, *arguments],
        env=clean,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert fetched.returncode == 0, fetched.stderr
    assert fetched.stdout == expected["public_key_pem"]
