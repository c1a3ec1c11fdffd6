"""Every fenced block of README.md, emulator/README.md, overlays/*/README.md (and bench/README.md,
which has none yet) is run, checked, or is byte-identical to a block another test runs.

`COVERAGE` names, per file, every block by its first line and says how it is covered; a block it
does not name fails `test_every_block_is_covered`, so a new snippet cannot slip in untested. The
tests below read each block from the README at run time (never a copy), so an edited snippet is
the one that runs.

Python snippets run for real, in-process, against an emulator on 127.0.0.1, pointed at the way a
user would: credentials and endpoint overrides in the environment (AWS_ENDPOINT_URL_KMS,
HUAWEICLOUD_SDK_REGION_KMS_CN_NORTH_4), or `endpoint=` where the snippet shows it. The names a
snippet uses (`alias/signing`, the Huawei README's key id) are made in the emulator through its
documented state file (`--state-dir DIR` keeps `DIR/keys.json`); placeholders (`key_id`,
`project`, `password`, `endpoint`) are defined in the snippet's namespace. Expected keys come
from the emulator's admin listing and from keys this test made itself with `cryptography`.
"""

from __future__ import annotations

import ast
import base64
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

import kms_pubkey
from kms_pubkey_emulator import Emulator, EmulatorConfig
from tests.cli.test_demo import DEMO
from tests.cli.test_readme_cli import BLOCK as CLI_BLOCK
from tests.support.tls import serve_over_tls

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
FENCE = re.compile(r"^```([\w-]*)\n(.*?)^```$", re.DOTALL | re.MULTILINE)
HUAWEI_DOC_KEY_ID = "0d0466b0-e727-4d9c-b35d-f84bb474a37f"  # the one overlays/huawei/README.md names
CLEARED = ("AWS_", "ALIBABA_CLOUD_", "HUAWEICLOUD_", "CLOUD_SDK_")
# Make targets the READMEs name that a test must not run: each is run by CI or is too slow.
NOT_RUN_TARGETS = {
    "test": "CI runs it (.ci/run); it is the whole suite, this test included",
    "generate": "rewrites generated/; tests/test_specs.py and make check-generated cover it",
    "check-generated": "regenerates every client (minutes); CI runs it",
    "lint": "ruff and mypy over the tree (minutes); CI runs it",
    "wheels": "builds every wheel (minutes); the packaging tests build them",
    "bench": "5-10 minutes in its own venv; never part of a test run",
    "release-check": "builds and installs every wheel (minutes); tests/release/test_release.py runs it",
}

# file -> first line of each block -> how it is covered
COVERAGE: dict[str, dict[str, str]] = {
    "README.md": {
        "make demo   # starts the local multi-cloud emulator and fetches a key from every vendor": "make",
        "from kms_pubkey_aws import AwsKmsClient": "python:aws",
        "from kms_pubkey_alibaba import AlibabaKmsClient": "python:alibaba",
        "from kms_pubkey_alibaba import AlibabaKmsInstanceClient": "python:alibaba-instance",
        "from kms_pubkey_huawei import HuaweiKmsClient": "python:huawei",
        "from kms_pubkey.aiohttp_transport import AiohttpTransport": "python:aiohttp",
        "import asyncio": "python:key-uris",  # tests/docs/test_readme_key_uris.py
        "import kms_pubkey": "python:jwks",
        ". .venv/bin/activate": "tests/cli/test_readme_cli.py",
        "specs/            hand-written OpenAPI 3.0 documents, one per API": "layout",
        "make help             # every target": "make",
        "make version VERSION=0.2.0   # every version and internal pin; regenerates generated/": (
            "tests/release/test_release.py"
        ),
    },
    "emulator/README.md": {
        "$ kms-pubkey emulator --host 127.0.0.1 --port 8765 [--state-dir DIR]": "emulator-command",
        "from kms_pubkey_emulator import Emulator": "python:emulator",
    },
    "overlays/core/README.md": {
        "import kms_pubkey": "python:load",
        "from kms_pubkey import load_public_key": "python:offline",
    },
    "overlays/huawei/README.md": {
        "from kms_pubkey_huawei import HuaweiKmsClient": "python:huawei-readme",
    },
}


@dataclass(frozen=True)
class Block:
    file: str
    lang: str
    text: str

    @property
    def first_line(self) -> str:
        return self.text.splitlines()[0]


def doc_files() -> list[str]:
    overlays = sorted(p.relative_to(ROOT).as_posix() for p in ROOT.glob("overlays/*/README.md"))
    return ["README.md", "emulator/README.md", *overlays, "bench/README.md"]


def blocks(file: str) -> list[Block]:
    text = (ROOT / file).read_text(encoding="utf-8")
    return [Block(file, m.group(1), m.group(2)) for m in FENCE.finditer(text)]


def block(file: str, how: str) -> Block:
    (found,) = [b for b in blocks(file) if COVERAGE[file].get(b.first_line) == how]
    return found


def test_every_block_is_covered() -> None:
    seen = 0
    for file in doc_files():
        named = COVERAGE.get(file, {})
        firsts = [b.first_line for b in blocks(file)]
        for b in blocks(file):
            seen += 1
            assert b.first_line in named, f"{file}: a block that no test runs or exempts: {b.first_line!r}"
        assert sorted(named) == sorted(firsts), f"{file}: COVERAGE names blocks that are gone or repeated"
    assert seen == sum(len(v) for v in COVERAGE.values())


def test_the_cli_example_is_the_block_test_readme_cli_runs() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    match = CLI_BLOCK.search(readme)
    assert match, "tests/cli/test_readme_cli.py finds no block"
    assert match.group(1) == block("README.md", "tests/cli/test_readme_cli.py").text


# --- the emulator the snippets talk to ---------------------------------------------------------


def _pem(public_key: Any) -> str:
    data: bytes = public_key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return data.decode("ascii")


def _stored(
    vendor: str, spec: str, key_id: str, aliases: list[str], usage: str, algorithm: str
) -> dict[str, Any]:
    return {
        "vendor": vendor,
        "key_id": key_id,
        "key_version_id": str(uuid.uuid4()),
        "key_spec": spec,
        "key_usage": usage,
        "public_key_pem": _pem(ec.generate_private_key(ec.SECP256R1()).public_key()),
        "aliases": aliases,
        "enabled": True,
        "algorithm": algorithm,
    }


@pytest.fixture(scope="module")
def docs_emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Emulator, dict[str, str]]]:
    """An emulator whose state file already holds the keys the READMEs name; it makes the rest."""
    state = tmp_path_factory.mktemp("docs-emulator")
    made = [
        _stored(
            "aws",
            "ECC_NIST_P256",
            str(uuid.uuid4()),
            ["alias/emulator-ecc-nist-p256", "alias/signing"],
            "SIGN_VERIFY",
            "P256",
        ),
        _stored("huawei", "EC_P256", HUAWEI_DOC_KEY_ID, ["alias/emulator-ec-p256"], "SIGN_VERIFY", "P256"),
    ]
    (state / "keys.json").write_text(json.dumps({"version": 1, "keys": made}), encoding="utf-8")
    with Emulator(EmulatorConfig(port=0, state_dir=state)) as emu:
        yield emu, {k["vendor"]: k["public_key_pem"] for k in made}


def listed(emu: Emulator, vendor: str, **match: str) -> dict[str, Any]:
    """The one key of the emulator's admin listing that matches."""
    (found,) = [
        k for k in emu.admin_keys() if k["vendor"] == vendor and all(k[f] == v for f, v in match.items())
    ]
    return found


def run_snippet(text: str, namespace: dict[str, Any]) -> dict[int, Any]:
    """Exec the snippet; return the value of every expression statement, by line number."""
    tree = ast.parse(text)
    seen: dict[int, Any] = {}

    class Record(ast.NodeTransformer):
        def visit_Expr(self, node: ast.Expr) -> ast.AST:
            call = ast.Call(ast.Name("_record", ast.Load()), [ast.Constant(node.lineno), node.value], [])
            return ast.copy_location(ast.Expr(call), node)

    tree = ast.fix_missing_locations(Record().visit(tree))
    namespace["_record"] = lambda line, value: seen.__setitem__(line, value)
    resolve = socket.getaddrinfo

    def loopback_only(host: Any, *args: Any, **kwargs: Any) -> Any:
        # An edited snippet that lost its emulator endpoint must fail here, not ask a cloud host.
        if host not in ("127.0.0.1", "localhost", b"127.0.0.1"):
            raise OSError(f"README snippet tried to reach {host!r}; only 127.0.0.1 is allowed")
        return resolve(host, *args, **kwargs)

    socket.getaddrinfo = loopback_only
    try:
        exec(compile(tree, "<readme snippet>", "exec"), namespace)  # noqa: S102
    finally:
        socket.getaddrinfo = resolve
    return seen


def comment_claims(text: str, values: dict[int, Any]) -> int:
    """Check each `expression  # 'literal'` or `# {'k': v, ...}` comment against the value; count them."""
    checked = 0
    for number, line in enumerate(text.splitlines(), start=1):
        if number not in values or "#" not in line:
            continue
        comment = line.split("#", 1)[1].strip()
        if comment.startswith("'"):
            assert values[number] == ast.literal_eval(comment.split(" ", 1)[0]), line
            checked += 1
        elif comment.startswith("{") and comment.endswith(", ...}"):
            expected = ast.literal_eval(comment[: -len(", ...}")] + "}")
            assert {k: values[number][k] for k in expected} == expected, line
            checked += 1
    return checked


def line_of(snippet: str, code: str) -> int:
    """The number of the line whose code (before any comment) is `code`."""
    (number,) = [
        n for n, line in enumerate(snippet.splitlines(), start=1) if line.split("  #")[0].strip() == code
    ]
    return number


def emulator_env(monkeypatch: pytest.MonkeyPatch, emu: Emulator, **extra: str) -> None:
    for name, value in {**emu.client_env(), **extra}.items():
        monkeypatch.setenv(name, value)


# --- README.md ----------------------------------------------------------------------------------


def test_readme_aws_snippet(
    docs_emulator: tuple[Emulator, dict[str, str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    emu, made = docs_emulator
    emulator_env(monkeypatch, emu, AWS_ENDPOINT_URL_KMS=emu.url)
    snippet = block("README.md", "python:aws").text
    namespace: dict[str, Any] = {}
    values = run_snippet(snippet, namespace)
    key = namespace["key"]
    expected = listed(emu, "aws", key_spec="ECC_NIST_P256")
    assert "alias/signing" in expected["aliases"]
    assert key.pem == expected["public_key_pem"] == made["aws"]
    assert key.key_id.endswith(":key/" + expected["key_id"])  # the ARN, for the region signed
    assert ":eu-west-1:" in key.key_id
    assert comment_claims(snippet, values) == 2  # key_spec and to_jwk()
    pem_lines = key.pem.splitlines()
    assert "\r" not in key.pem and max(len(line) for line in pem_lines) == 64
    crypto_key = values[line_of(snippet, "key.to_cryptography()")]
    assert _pem(crypto_key) == made["aws"]


def test_readme_alibaba_snippet(
    docs_emulator: tuple[Emulator, dict[str, str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    emu, _ = docs_emulator
    emulator_env(monkeypatch, emu)
    expected = listed(emu, "alibaba", key_spec="EC_P256")
    snippet = block("README.md", "python:alibaba").text
    namespace: dict[str, Any] = {
        "endpoint": emu.url,
        "key_id": expected["key_id"],
        "key_version_id": expected["key_version_id"],
    }
    values = run_snippet(snippet, namespace)
    key = namespace["key"]
    assert (key.vendor, key.key_id, key.key_version_id) == (
        "alibaba",
        expected["key_id"],
        expected["key_version_id"],
    )
    assert key.pem == expected["public_key_pem"]
    assert comment_claims(snippet, values) == 1


@pytest.fixture(scope="module")
def tls_gateway(docs_emulator: tuple[Emulator, dict[str, str]]) -> Iterator[str]:
    """The emulator's app again over HTTPS, with the server certificate its instance CA signed."""
    emu, _ = docs_emulator
    assert emu.state is not None
    with serve_over_tls(emu) as url:
        yield url


def test_readme_alibaba_instance_snippet(
    docs_emulator: tuple[Emulator, dict[str, str]],
    tls_gateway: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The files the snippet names are the ones the emulator wrote at start, under the console's names."""
    emu, _ = docs_emulator
    shutil.copy(emu.client_key_file, tmp_path / "clientKey.json")
    shutil.copy(emu.ca_file, tmp_path / "PrivateKmsCA.pem")
    monkeypatch.chdir(tmp_path)
    expected = listed(emu, "alibaba", key_spec="RSA_2048")
    snippet = block("README.md", "python:alibaba-instance").text
    namespace: dict[str, Any] = {
        "endpoint": tls_gateway,
        "password": emu.client_key_password_file.read_text(encoding="utf-8"),
        "key_id": expected["key_id"],
    }
    run_snippet(snippet, namespace)
    key = namespace["key"]
    assert (key.vendor, key.key_id, key.key_spec) == ("alibaba", expected["key_id"], "RSA_2048")
    assert key.pem == expected["public_key_pem"]


def test_readme_huawei_snippet(
    docs_emulator: tuple[Emulator, dict[str, str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    emu, made = docs_emulator
    emulator_env(monkeypatch, emu, HUAWEICLOUD_SDK_REGION_KMS_CN_NORTH_4=emu.url)
    monkeypatch.delenv("HUAWEICLOUD_SDK_PROJECT_ID")  # the snippet passes project_id itself
    snippet = block("README.md", "python:huawei").text
    namespace: dict[str, Any] = {"project": emu.config.huawei_project_id, "key_id": HUAWEI_DOC_KEY_ID}
    run_snippet(snippet, namespace)
    key = namespace["key"]
    assert (key.vendor, key.key_id, key.key_spec) == ("huawei", HUAWEI_DOC_KEY_ID, "EC_P256")
    assert key.pem == listed(emu, "huawei", key_id=HUAWEI_DOC_KEY_ID)["public_key_pem"] == made["huawei"]


def test_readme_aiohttp_snippet(
    docs_emulator: tuple[Emulator, dict[str, str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    emu, made = docs_emulator
    emulator_env(
        monkeypatch, emu, AWS_ENDPOINT_URL_KMS=emu.url, HUAWEICLOUD_SDK_REGION_KMS_CN_NORTH_4=emu.url
    )
    snippet = block("README.md", "python:aiohttp").text
    namespace: dict[str, Any] = {"key_id": HUAWEI_DOC_KEY_ID}
    run_snippet(snippet, namespace)
    assert namespace["aws_key"].pem == made["aws"]
    assert namespace["huawei_key"].pem == made["huawei"]
    assert namespace["huawei_key"].key_id == HUAWEI_DOC_KEY_ID


def test_readme_jwks_snippet(
    docs_emulator: tuple[Emulator, dict[str, str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """`key` is the AWS snippet's key, fetched from the emulator; `other` a key made here.

    The claims are checked against joserfc (thumbprint), cryptography (the OpenSSH line) and
    the WSGI app's own answer; tests/jwks/ checks these against pyjwt, joserfc and ssh-keygen.
    """
    from joserfc.jwk import import_key

    from kms_pubkey_aws import AwsKmsClient

    emu, _ = docs_emulator
    emulator_env(monkeypatch, emu, AWS_ENDPOINT_URL_KMS=emu.url)
    with AwsKmsClient("eu-west-1") as kms:
        key = kms.get_public_key("alias/signing")
    other = kms_pubkey.load_public_key(_pem(ec.generate_private_key(ec.SECP384R1()).public_key()))
    snippet = block("README.md", "python:jwks").text
    namespace: dict[str, Any] = {"key": key, "other": other}
    values = run_snippet(snippet, namespace)
    assert comment_claims(snippet, values) == 1  # the to_jwk() members
    jwk = values[line_of(snippet, "key.to_jwk()")]
    assert jwk["kid"] == import_key(jwk).thumbprint()
    assert values[line_of(snippet, 'key.to_jwk(kid="key_id")["kid"]')] == key.key_id.rsplit("/", 1)[1]
    assert [k["kid"] for k in namespace["document"]["keys"]] == [jwk["kid"], other.to_jwk()["kid"]]
    openssh = serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH
    ssh = key.to_cryptography().public_bytes(*openssh)
    assert values[line_of(snippet, "key.to_ssh()")] == ssh.decode()
    assert values[line_of(snippet, 'key.fingerprint("ssh-sha256")')].startswith("SHA256:")
    answers: list[str] = []
    app = namespace["app"]
    body = b"".join(app({"REQUEST_METHOD": "GET"}, lambda status, headers: answers.append(status)))
    assert answers == ["200 OK"] and json.loads(body) == namespace["document"]


def test_readme_error_classes_are_the_sdks() -> None:
    """The README's list of what the SDK raises names every KmsError subclass, and only those."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    start = readme.index("Everything the SDK raises on purpose")
    text = readme[start : readme.index("\n\n", start)]
    named = set(re.findall(r"`(\w+Error)`", text))
    public = {
        name
        for name in kms_pubkey.__all__
        if isinstance(getattr(kms_pubkey, name), type)
        and issubclass(getattr(kms_pubkey, name), kms_pubkey.KmsError)
    }
    assert named == public - {"KmsError"}


def test_readme_layout_names_folders_that_exist() -> None:
    entries = [line.split()[0] for line in block("README.md", "layout").text.splitlines()]
    assert {"tests/vectors/", "tests/support/"} <= set(entries)
    for entry in entries:
        assert (ROOT / entry).is_dir(), entry


def _make(*args: str) -> subprocess.CompletedProcess[str]:
    """`make` as a user types it, also when this suite itself runs under `make test`."""
    env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL")}
    return subprocess.run(
        ["make", "--no-print-directory", *args], cwd=ROOT, env=env, capture_output=True, text=True,
        timeout=60, check=False,
    )


def test_readme_make_commands() -> None:
    """`make help` runs; every other target the README names is listed by it, and the ones a test
    must not run are named in NOT_RUN_TARGETS. `make demo` is what tests/cli/test_demo.py runs."""
    commands = [
        line.split("#")[0].strip()
        for b in blocks("README.md")
        if COVERAGE["README.md"][b.first_line] == "make"
        for line in b.text.splitlines()
        if line.strip()
    ]
    quick_start = [b for b in blocks("README.md") if b.first_line.startswith("make demo")]
    assert [line.split("#")[0].strip() for line in quick_start[0].text.splitlines()] == [
        "make demo",
        "make test",
    ]
    helped = _make("help")
    assert helped.returncode == 0, helped.stderr
    listed_targets = {line.split()[0] for line in helped.stdout.splitlines() if line.strip()}
    for command in commands:
        target = command.split()[1]
        assert command == f"make {target}", command
        assert target in listed_targets, target
        assert target in {"help", "demo"} | NOT_RUN_TARGETS.keys(), (
            f"make {target}: run it here or say why not"
        )
    demo = _make("-n", "demo")
    assert demo.returncode == 0 and demo.stdout.rstrip().endswith("scripts/demo.py"), demo.stdout
    assert DEMO == ROOT / "scripts" / "demo.py"  # the script tests/cli/test_demo.py runs


# --- emulator/README.md -------------------------------------------------------------------------


def test_emulator_readme_python_snippet() -> None:
    snippet = block("emulator/README.md", "python:emulator").text
    namespace: dict[str, Any] = {}
    values = run_snippet(snippet, namespace)
    emu, key = namespace["emu"], namespace["key"]

    def value(code: str) -> Any:
        return values[line_of(snippet, code)]

    assert re.fullmatch(r"http://127\.0\.0\.1:\d+", value("emu.url"))
    every = {(k.vendor, k.key_spec): k for k in value("emu.keys")}
    assert {("aws", "ECC_NIST_P256"), ("alibaba", "EC_P256"), ("huawei", "EC_P256")} <= every.keys()
    assert every["aws", "ECC_NIST_P256"] is key and key.enabled is False
    assert [k for k in emu.keys if not k.enabled] == [key]
    assert value("emu.client_env()")["AWS_ACCESS_KEY_ID"] == emu.config.access_key_id
    files = value("emu.client_key_file, emu.client_key_password_file, emu.ca_file")
    assert files[0].name.startswith("clientKey_") and files[0].suffix == ".json"
    assert files[1] == files[0].with_name(files[0].stem + "_Password.txt")
    assert files[2].name == "ca.pem"
    assert not files[0].exists()  # without a state dir, a temporary folder removed at stop


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_emulator_readme_command(tmp_path: Path) -> None:
    """The console line, with a free port for 8765 and a folder for DIR; it prints its URL and the
    ClientKey files, which exist, and serves the admin listing."""
    (line,) = block("emulator/README.md", "emulator-command").text.splitlines()
    assert line.startswith("$ ")
    port = str(_free_port())
    command = line[2:].replace("8765", port).replace("[--state-dir DIR]", f"--state-dir {tmp_path}").split()
    env = {k: v for k, v in os.environ.items() if not k.startswith(CLEARED)}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(url + "/_emulator/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        credentials = httpx.get(url + "/_emulator/credentials", timeout=5).json()
        assert len(httpx.get(url + "/_emulator/keys", timeout=5).json()) > 0
    finally:
        process.terminate()
        output, _ = process.communicate(timeout=10)
    assert url in output
    assert (tmp_path / "keys.json").exists()
    for name in ("client_key_file", "client_key_password_file", "ca_file"):
        assert credentials[name] in output
        assert Path(credentials[name]).is_relative_to(tmp_path) and Path(credentials[name]).exists()


# --- overlays/core/README.md --------------------------------------------------------------------


@pytest.mark.parametrize("form", ["SPKI PEM", "CRLF PEM", "literal \\n PEM", "DER", "base64 DER"])
def test_core_readme_snippet(form: str) -> None:
    """`data` is a key cryptography made, in each form the README lists for an EC key."""
    public = ec.generate_private_key(ec.SECP256R1()).public_key()
    der = public.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    pem = _pem(public)
    given: str | bytes = {
        "SPKI PEM": pem,
        "CRLF PEM": pem.replace("\n", "\r\n"),
        "literal \\n PEM": pem.replace("\n", "\\n"),
        "DER": der,
        "base64 DER": base64.b64encode(der).decode("ascii"),
    }[form]
    snippet = block("overlays/core/README.md", "python:load").text
    namespace: dict[str, Any] = {"data": given}
    values = run_snippet(snippet, namespace)
    assert namespace["key"].der == der
    assert namespace["key"].pem == pem
    assert comment_claims(snippet, values) == 2


def test_core_readme_offline_snippet() -> None:
    """The placeholders are keys and a signature `cryptography` made; its private keys check the results."""
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding, rsa

    signer = ec.generate_private_key(ec.SECP256R1())
    message = b"a release manifest"
    decrypter = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    namespace: dict[str, Any] = {
        "pem": _pem(signer.public_key()),
        "message": message,
        "signature": signer.sign(message, ec.ECDSA(hashes.SHA256())),
        "rsa_key": kms_pubkey.load_public_key(_pem(decrypter.public_key())),
    }
    snippet = block("overlays/core/README.md", "python:offline").text
    values = run_snippet(snippet, namespace)
    verify_line = line_of(snippet, 'key.verify(signature, message, algorithm="ECDSA_SHA_256")')
    assert verify_line in values and values[verify_line] is None
    check_line = line_of(
        snippet, 'key.is_valid_signature(signature, b"another message", algorithm="ECDSA_SHA_256")'
    )
    assert values[check_line] is False
    oaep = padding.OAEP(mgf=padding.MGF1(hashes.SHA256()), algorithm=hashes.SHA256(), label=None)
    assert decrypter.decrypt(namespace["ciphertext"], oaep) == b"a data key"


# --- overlays/huawei/README.md ------------------------------------------------------------------


def test_huawei_readme_snippet(
    docs_emulator: tuple[Emulator, dict[str, str]],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    emu, made = docs_emulator
    emulator_env(monkeypatch, emu, HUAWEICLOUD_SDK_REGION_KMS_CN_NORTH_4=emu.url)
    monkeypatch.delenv("HUAWEICLOUD_SDK_PROJECT_ID")
    snippet = block("overlays/huawei/README.md", "python:huawei-readme").text
    assert f'"{emu.config.huawei_project_id}"' in snippet  # the emulator's default project id
    run_snippet(snippet, {})
    assert capsys.readouterr().out == f"EC_P256 {made['huawei']}\n"
