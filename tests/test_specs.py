"""Every hand-written OpenAPI document in specs/ is valid OpenAPI 3.0 (openapi-spec-validator).

Parametrized over the folder, so a spec added later is covered without touching this file.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from openapi_spec_validator import OpenAPIV30SpecValidator, validate
from openapi_spec_validator.readers import read_from_filename

SPECS = Path(__file__).resolve().parents[1] / "specs"
ALL = sorted(SPECS.glob("*.yaml")) + sorted(SPECS.glob("*.yml"))


def test_specs_folder_has_the_aws_spec() -> None:
    assert SPECS.is_dir()
    assert "aws-kms.yaml" in {p.name for p in ALL}


@pytest.mark.parametrize("path", ALL, ids=[p.name for p in ALL])
def test_spec_is_valid_openapi_30(path: Path) -> None:
    spec, base_uri = read_from_filename(str(path))
    assert str(spec["openapi"]).startswith("3.0."), "DESIGN.md asks for OpenAPI 3.0 documents"
    validate(spec, base_uri=base_uri, cls=OpenAPIV30SpecValidator)


@pytest.mark.parametrize("path", ALL, ids=[p.name for p in ALL])
def test_spec_declares_no_security(path: Path) -> None:
    # Signing lives in the overlays (httpx.Auth); a declared scheme would make the generator
    # produce an AuthenticatedClient path the overlays must not use (DESIGN.md).
    spec = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert "security" not in spec
    for item in spec.get("paths", {}).values():
        for op in item.values():
            if isinstance(op, dict):
                assert "security" not in op


def test_validator_rejects_a_broken_spec(tmp_path: Path) -> None:
    """The check can fail: a spec with a dangling $ref does not pass."""
    broken = tmp_path / "broken.yaml"
    broken.write_text(
        "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /:\n    post:\n      responses:\n"
        "        '200':\n          description: ok\n          content:\n            application/json:\n"
        "              schema: {$ref: '#/components/schemas/Missing'}\n",
        encoding="utf-8",
    )
    spec, base_uri = read_from_filename(str(broken))
    with pytest.raises(Exception):  # noqa: B017 - any validation error will do
        validate(spec, base_uri=base_uri, cls=OpenAPIV30SpecValidator)
