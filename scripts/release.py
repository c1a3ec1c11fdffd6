"""Versions, the release check and publishing for the nine kms-pubkey packages.

Usage: python scripts/release.py version X.Y.Z | check | publish [--repository-url URL]

The nine packages are one family with one version: every overlay pins kms-pubkey and its
generated clients with `==`, so they can only move together. `version` writes that version
into every place that carries it (the table `PLACES` below and every internal `==` pin) and
regenerates generated/ (its version comes from the generator config). `check` (make
release-check) refuses a tree whose places disagree, then builds every wheel and sdist into
dist/ and checks them: twine check --strict, check-wheel-contents, the pins and licence files
inside the built wheels, and an install of each vendor's wheels alone into a fresh venv.
`publish` (make publish) refuses a dirty tree or a version the target index already has, then
builds, checks and uploads with twine, each package after the ones it pins.
"""

from __future__ import annotations

import argparse
import base64
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import tomllib
import urllib.error
import urllib.request
import venv
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from email.parser import HeaderParser
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

ROOT = Path(__file__).resolve().parent.parent
DIST = ROOT / "dist"
LICENSE = ROOT / "LICENSE"
CHANGELOG = ROOT / "CHANGELOG.md"
TIMEOUT = 900  # one build, one install or one upload


@dataclass(frozen=True)
class Package:
    folder: str
    name: str
    modules: tuple[str, ...]
    generator_config: str | None = None  # generated packages take their version from here


# Upload order: each package after every package it pins (check_tree asserts it).
PACKAGES = (
    Package("overlays/core", "kms-pubkey", ("kms_pubkey",)),
    *(
        Package(
            f"generated/{vendor}", f"kms-pubkey-{vendor}-api", (module,), f"generator/config/{vendor}.yaml"
        )
        for vendor, module in (
            ("aws", "kms_pubkey_aws_api"),
            ("alibaba", "kms_pubkey_alibaba_api"),
            ("alibaba-instance", "kms_pubkey_alibaba_instance_api"),
            ("huawei", "kms_pubkey_huawei_api"),
        )
    ),
    Package("overlays/aws", "kms-pubkey-aws", ("kms_pubkey_aws",)),
    Package("overlays/alibaba", "kms-pubkey-alibaba", ("kms_pubkey_alibaba",)),
    Package("overlays/huawei", "kms-pubkey-huawei", ("kms_pubkey_huawei",)),
    Package("emulator", "kms-pubkey-emulator", ("kms_pubkey_emulator",)),
)
BY_NAME = {p.name: p for p in PACKAGES}
# What `check` installs alone into a fresh venv: what a user of one cloud (or of the emulator) types.
INSTALLS = ("kms-pubkey-aws", "kms-pubkey-alibaba", "kms-pubkey-huawei", "kms-pubkey-emulator")

# Files other than the pyprojects that carry the version: (path, pattern with one group).
PLACES = (
    ("overlays/core/kms_pubkey/__init__.py", r'^__version__ = "([^"]*)"$'),
    ("overlays/core/kms_pubkey/defaults.py", r'^USER_AGENT = "kms-pubkey/([^"]*)"$'),
    *((p.generator_config, r'^package_version_override: "([^"]*)"') for p in PACKAGES if p.generator_config),
)
PROJECT_VERSION = r'(?m)^version = "([^"]*)"$'  # the first one is [project]'s
CHANGELOG_HEADING = r"(?m)^## (\S+) - (\d{4}-\d{2}-\d{2}|unreleased)$"


class ReleaseError(Exception):
    """A check failed; the message says what to fix."""


def say(text: str) -> None:
    print(f"release: {text}", flush=True)


def run(command: list[str], *, cwd: Path = ROOT, env: dict[str, str] | None = None) -> str:
    result = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=TIMEOUT)
    if result.returncode != 0:
        shown = " ".join(command[:4])
        raise ReleaseError(f"{shown} ... failed:\n{result.stdout[-3000:]}{result.stderr[-3000:]}")
    return result.stdout


def norm(name: str) -> str:
    """The distribution name as it starts a wheel or sdist file name."""
    return canonicalize_name(name).replace("-", "_")


# -- the version in the tree ---------------------------------------------------------------------


def pyproject(package: Package) -> dict[str, object]:
    data = tomllib.loads((ROOT / package.folder / "pyproject.toml").read_text(encoding="utf-8"))
    project = data["project"]
    assert isinstance(project, dict)
    return project


def internal_pins(package: Package) -> dict[str, str]:
    """Internal dependency -> its specifier as written, e.g. {'kms-pubkey': '==0.1.0'}."""
    found = {}
    for line in pyproject(package).get("dependencies", []):  # type: ignore[attr-defined]
        requirement = Requirement(line)
        if requirement.name in BY_NAME:
            found[requirement.name] = str(requirement.specifier)
    return found


def current_version() -> str:
    return str(pyproject(PACKAGES[0])["version"])


def tree_problems(version: str) -> list[str]:
    """Every place in the tree that does not say `version`."""
    problems = []
    for package in PACKAGES:
        file = f"{package.folder}/pyproject.toml"
        found = pyproject(package)["version"]
        if found != version:
            problems.append(f"{file}: version is {found}, expected {version}")
        for name, specifier in internal_pins(package).items():
            if specifier != f"=={version}":
                problems.append(f"{file}: pins {name}{specifier}, expected {name}=={version}")
            if PACKAGES.index(BY_NAME[name]) > PACKAGES.index(package):
                problems.append(f"scripts/release.py: PACKAGES has {package.name} before {name}, its pin")
        if not (ROOT / package.folder / "README.md").is_file():
            problems.append(f"{package.folder}: no README.md")
        license_copy = ROOT / package.folder / "LICENSE"
        if not license_copy.is_file() or license_copy.read_bytes() != LICENSE.read_bytes():
            problems.append(f"{package.folder}/LICENSE: missing or not a copy of the top-level LICENSE")
    for file, pattern in PLACES:
        match = re.search(pattern, (ROOT / file).read_text(encoding="utf-8"), re.MULTILINE)
        if match is None or match.group(1) != version:
            problems.append(f"{file}: says {match.group(1) if match else 'no version'}, expected {version}")
    headings = dict(re.findall(CHANGELOG_HEADING, CHANGELOG.read_text(encoding="utf-8")))
    if version not in headings:
        problems.append(f"CHANGELOG.md: no '## {version} - YYYY-MM-DD' section")
    elif headings[version] == "unreleased":
        problems.append(f"CHANGELOG.md: {version} is still 'unreleased': give its section the release date")
    return problems


def check_tree(version: str) -> None:
    problems = tree_problems(version)
    if problems:
        raise ReleaseError(
            "the version is not the same everywhere (make version VERSION=... writes every place):\n  "
            + "\n  ".join(problems)
        )
    say(f"tree: every package, pin and version place says {version}")


def set_version(version: str) -> None:
    try:
        if str(Version(version)) != version:
            raise InvalidVersion(version)
    except InvalidVersion:
        raise ReleaseError(f"{version!r} is not a normalised PEP 440 version such as 1.2.3") from None
    for package in PACKAGES:
        if package.generator_config:
            continue  # generated: written by the generator below
        path = ROOT / package.folder / "pyproject.toml"
        text = re.sub(PROJECT_VERSION, f'version = "{version}"', path.read_text(encoding="utf-8"), count=1)
        for name in BY_NAME:
            text = re.sub(rf'"{re.escape(name)}==[^"]*"', f'"{name}=={version}"', text)
        path.write_text(text, encoding="utf-8")
    for file, pattern in PLACES:
        path = ROOT / file
        text = path.read_text(encoding="utf-8")
        match = re.search(pattern, text, re.MULTILINE)
        if match is None:
            raise ReleaseError(f"{file}: no version found by {pattern!r}")
        path.write_text(text[: match.start(1)] + version + text[match.end(1) :], encoding="utf-8")
    changelog = CHANGELOG.read_text(encoding="utf-8")
    if version not in dict(re.findall(CHANGELOG_HEADING, changelog)):
        first = re.search(CHANGELOG_HEADING, changelog)
        at = first.start() if first else len(changelog)
        changelog = changelog[:at] + f"## {version} - unreleased\n\n" + changelog[at:]
        CHANGELOG.write_text(changelog, encoding="utf-8")
    run([sys.executable, str(ROOT / "generator" / "generate.py")])
    problems = [p for p in tree_problems(version) if not p.startswith("CHANGELOG.md")]
    if problems:
        raise ReleaseError("the version was not written everywhere:\n  " + "\n  ".join(problems))
    say(f"every package is now {version}; write its CHANGELOG.md entries and date before releasing")


# -- building and checking what was built --------------------------------------------------------


def build() -> None:
    """A fresh dist/ with every sdist, and every wheel built from its sdist."""
    shutil.rmtree(DIST, ignore_errors=True)
    DIST.mkdir()
    for package in PACKAGES:
        run([sys.executable, "-m", "build", "--outdir", str(DIST), str(ROOT / package.folder)])
        say(f"built {package.name}")


def built_files(package: Package, version: str) -> tuple[Path, Path]:
    wheel = DIST / f"{norm(package.name)}-{version}-py3-none-any.whl"
    sdist = DIST / f"{norm(package.name)}-{version}.tar.gz"
    for path in (wheel, sdist):
        if not path.is_file():
            raise ReleaseError(f"{path.relative_to(ROOT)} was not built")
    return wheel, sdist


def wheel_metadata(wheel: Path) -> tuple[dict[str, list[str]], list[str]]:
    """(METADATA headers, every name in the wheel)."""
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        (metadata,) = [n for n in names if n.endswith(".dist-info/METADATA")]
        message = HeaderParser().parsestr(archive.read(metadata).decode("utf-8"))
    headers: dict[str, list[str]] = {}
    for key, value in message.items():
        headers.setdefault(key, []).append(value)
    headers["Description"] = [str(message.get_payload())]
    return headers, names


def wheel_problems(package: Package, version: str) -> list[str]:
    """What is wrong inside the package's built wheel and sdist."""
    wheel, sdist = built_files(package, version)
    headers, names = wheel_metadata(wheel)
    problems = []
    if headers.get("Version") != [version]:
        problems.append(f"{wheel.name}: Version {headers.get('Version')}")
    if not headers.get("Requires-Python"):
        problems.append(f"{wheel.name}: no Requires-Python")
    if headers.get("License-Expression") != ["Apache-2.0"]:
        problems.append(f"{wheel.name}: License-Expression {headers.get('License-Expression')}")
    licenses = [n for n in names if re.fullmatch(r"[^/]+\.dist-info/licenses/LICENSE", n)]
    if not licenses or headers.get("License-File") != ["LICENSE"]:
        problems.append(f"{wheel.name}: the LICENSE file is not in .dist-info/licenses/")
    if not re.search(r"(?m)^# \S", headers.get("Description", [""])[0]):
        problems.append(f"{wheel.name}: no README as its description")
    for module in package.modules:
        if f"{module}/py.typed" not in names:
            problems.append(f"{wheel.name}: no {module}/py.typed")
    for line in headers.get("Requires-Dist", []):
        requirement = Requirement(line)
        if requirement.name in BY_NAME:
            # The pin must name a wheel that this very build produced.
            pinned = [s.version for s in requirement.specifier if s.operator == "=="]
            dependency = DIST / f"{norm(requirement.name)}-{pinned[0] if pinned else '?'}-py3-none-any.whl"
            if str(requirement.specifier) != f"=={version}" or not dependency.is_file():
                problems.append(
                    f"{wheel.name}: Requires-Dist {line!r}, but dist/ holds "
                    f"{norm(requirement.name)}-{version}: pin it as {requirement.name}=={version}"
                )
    with tarfile.open(sdist) as archive:
        members = {m.name.split("/", 1)[-1] for m in archive.getmembers()}
    for needed in ("LICENSE", "README.md", "pyproject.toml", "PKG-INFO"):
        if needed not in members:
            problems.append(f"{sdist.name}: no {needed}")
    return problems


def check_dist(version: str) -> None:
    files = sorted(str(p) for p in DIST.iterdir() if p.suffix in (".whl", ".gz"))
    expected = {str(path) for p in PACKAGES for path in built_files(p, version)}
    if set(files) != expected:
        raise ReleaseError(f"dist/ holds other files than this release's: {sorted(set(files) - expected)}")
    run([sys.executable, "-m", "twine", "check", "--strict", *files])
    say("twine check --strict: passed")
    run([sys.executable, "-m", "check_wheel_contents", *(f for f in files if f.endswith(".whl"))])
    say("check-wheel-contents: passed")
    problems = [problem for package in PACKAGES for problem in wheel_problems(package, version)]
    if problems:
        raise ReleaseError("the built files are not releasable:\n  " + "\n  ".join(problems))
    say("wheels: version, pins, Requires-Python, licence, README and py.typed in every one")


def closure(name: str, version: str) -> tuple[list[str], list[str]]:
    """(our packages `name` needs, the third-party requirements they carry), from the built wheels."""
    ours: list[str] = []
    third_party: list[str] = []
    todo = [name]
    while todo:
        current = todo.pop()
        if current in ours:
            continue
        ours.append(current)
        headers, _ = wheel_metadata(built_files(BY_NAME[current], version)[0])
        for line in headers.get("Requires-Dist", []):
            requirement = Requirement(line)
            if requirement.marker is not None and not requirement.marker.evaluate({"extra": ""}):
                continue
            if requirement.name in BY_NAME:
                todo.append(requirement.name)
            elif line not in third_party:
                third_party.append(line)
    return ours, third_party


IMPORT_CHECK = """
import importlib, pkgutil, sys
NEEDS_AN_EXTRA = {"kms_pubkey.aiohttp_transport"}  # kms-pubkey[aiohttp]; the base install has no aiohttp
count = 0
for top in sys.argv[1:]:
    package = importlib.import_module(top)
    found = pkgutil.walk_packages(package.__path__, top + ".")
    names = [m.name for m in found if not m.name.endswith(".__main__")]  # that one runs the CLI
    names = [n for n in names if n not in NEEDS_AN_EXTRA]
    for module in [package, *map(importlib.import_module, names)]:
        assert module.__file__.startswith(sys.prefix), (module.__name__, module.__file__)
        count += 1
print("imported", count, "modules")
"""


def check_installs(version: str) -> None:
    """Each vendor's wheels alone in a fresh venv: ours from dist/ only, the rest from the registry."""
    for name in INSTALLS:
        ours, third_party = closure(name, version)
        with tempfile.TemporaryDirectory(prefix="kms-pubkey-release-") as scratch:
            home = Path(scratch) / "venv"
            venv.create(home, with_pip=True)
            python = str(home / "bin" / "python")
            pip = [python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
            if third_party:
                run([*pip, *third_party])
            run([*pip, "--no-index", "--find-links", str(DIST), f"{name}=={version}"])
            installed = {
                canonicalize_name(line.split("==")[0])
                for line in run([python, "-m", "pip", "freeze", "--all"]).splitlines()
            }
            extra = (installed & set(BY_NAME)) - set(ours)
            if extra:
                raise ReleaseError(f"{name} pulled in packages it should not: {sorted(extra)}")
            modules = [m for n in ours for m in BY_NAME[n].modules]
            env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
            imported = run([python, "-c", IMPORT_CHECK, *modules], cwd=Path(scratch), env=env)
            run([python, "-m", "pip", "check"])
        say(f"fresh venv: {name} installs alone ({', '.join(sorted(ours))}); {imported.strip()}")


def release_check() -> str:
    version = current_version()
    check_tree(version)
    build()
    check_dist(version)
    check_installs(version)
    say(f"{version} is ready to publish (make publish)")
    return version


# -- publishing ----------------------------------------------------------------------------------


def dirty_files() -> list[str]:
    return run(["git", "status", "--porcelain", "--untracked-files=normal"]).splitlines()


def upload_url(given: str | None) -> str:
    """Where twine will upload: REPOSITORY_URL, else what twine itself resolves (TWINE_REPOSITORY_URL,
    TWINE_REPOSITORY and ~/.pypirc, else its default repository)."""
    if given:
        return given
    from twine import utils  # resolved with twine's own code, so the check and the upload agree

    config = os.environ.get("TWINE_CONFIG_FILE", utils.DEFAULT_CONFIG_FILE)
    repository = os.environ.get("TWINE_REPOSITORY", "pypi")
    resolved = utils.get_repository_from_config(config, repository, os.environ.get("TWINE_REPOSITORY_URL"))
    url = resolved["repository"]
    if not url:
        raise ReleaseError(f"twine resolves no URL for repository {repository!r}")
    return url


def index_url(upload: str) -> str:
    """The simple index of an upload URL: INDEX_URL when set; else a warehouse-style `upload.` host
    and `/legacy/` path map to the host without `upload.` and `/simple/`; else `<upload>/simple/`
    (pypiserver and most private indexes)."""
    if os.environ.get("INDEX_URL"):
        return os.environ["INDEX_URL"].rstrip("/") + "/"
    parts = urlsplit(upload)
    host = parts.netloc.removeprefix("upload.")
    path = parts.path.rstrip("/")
    path = path.removesuffix("/legacy") + "/simple/"
    return urlunsplit((parts.scheme, host, path, "", ""))


def published_versions(index: str, name: str) -> set[str]:
    """The versions of `name` whose files the index lists (none when it does not know the project)."""
    if urlsplit(index).scheme not in ("http", "https"):
        raise ReleaseError(f"the index {index} is not an http(s) URL")
    page_url = index + canonicalize_name(name) + "/"
    request = urllib.request.Request(page_url, headers={"Accept": "text/html"})  # noqa: S310 (checked above)
    user, password = os.environ.get("TWINE_USERNAME"), os.environ.get("TWINE_PASSWORD")
    if user and password:
        token = base64.b64encode(f"{user}:{password}".encode()).decode("ascii")
        request.add_header("Authorization", f"Basic {token}")
    try:
        with urllib.request.urlopen(request, timeout=60) as answer:  # noqa: S310 (an http(s) URL we built)
            page = answer.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as error:
        if error.code == 404:
            return set()
        raise ReleaseError(f"cannot read {index} to see what is published: HTTP {error.code}") from None
    except (urllib.error.URLError, OSError) as error:
        raise ReleaseError(f"cannot read {index} to see what is published: {error}") from None
    versions = set()
    for file in re.findall(r">\s*([^<>\s]+\.(?:whl|tar\.gz|zip))\s*<", page):
        if file.endswith(".whl"):
            project, version = file.split("-")[:2]
        else:
            project, _, version = file.removesuffix(".tar.gz").removesuffix(".zip").rpartition("-")
        if norm(project) == norm(name):
            versions.add(version)
    return versions


def publish(repository_url: str | None) -> None:
    dirty = dirty_files()
    if dirty:
        raise ReleaseError(
            "refusing to publish from a dirty tree (commit or remove these first):\n  "
            + "\n  ".join(dirty[:20])
        )
    version = current_version()
    check_tree(version)
    upload = upload_url(repository_url)
    index = index_url(upload)
    present = [p.name for p in PACKAGES if version in published_versions(index, p.name)]
    if present:
        raise ReleaseError(
            f"refusing to publish {version}: {index} already has it for {', '.join(present)}. "
            "A published version cannot be replaced; set a new one with make version VERSION=..."
        )
    say(f"{index} has no {version} of any package")
    build()
    check_dist(version)
    target = ["--repository-url", repository_url] if repository_url else []
    for package in PACKAGES:  # each after the packages it pins
        wheel, sdist = built_files(package, version)
        run([sys.executable, "-m", "twine", "upload", "--non-interactive", *target, str(wheel), str(sdist)])
        say(f"uploaded {wheel.name} and {sdist.name} to {upload}")
    say(f"published {version}")


def main(argv: Iterable[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    version = commands.add_parser("version", help="set every version and internal pin")
    version.add_argument("version")
    commands.add_parser("check", help="build and check every wheel and sdist")
    upload = commands.add_parser("publish", help="upload every wheel and sdist with twine")
    upload.add_argument("--repository-url", default=None)
    args = parser.parse_args(None if argv is None else list(argv))
    try:
        if args.command == "version":
            set_version(args.version)
        elif args.command == "check":
            release_check()
        else:
            publish(args.repository_url or None)
    except ReleaseError as error:
        print(f"release: error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
