"""The generated `from_dict` of every JSON answer and error model enforces the JSON types the
spec declares (issue #11): a value of another JSON type raises TypeError or ValueError, while
every value the spec allows parses to itself.

The fields, their types, enum values and nullability are read from specs/*.yaml here, and the
bodies are built by hypothesis from them, so neither the expectations nor the field list come
from the generated code or the overlays. A field added to a spec is covered without touching
this file.
"""

from __future__ import annotations

import importlib
import inspect
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

SPECS = Path(__file__).resolve().parents[2] / "specs"
# spec -> the generated package; alibaba-kms-instance.yaml has protobuf bodies and no JSON models
PACKAGES = {
    "aws-kms.yaml": "kms_pubkey_aws_api",
    "alibaba-kms.yaml": "kms_pubkey_alibaba_api",
    "huawei-kms.yaml": "kms_pubkey_huawei_api",
}
JSON_TYPES = ("application/json", "application/x-amz-json-1.1")

quick = settings(deadline=None, database=None)  # a busy machine must not fail a test on time


@dataclass(frozen=True)
class Field:
    """One declared property: `kind` is str, int, enum (open: anyOf a string enum and a string),
    list (of `item`) or object (a nested model named `model`)."""

    name: str
    kind: str
    nullable: bool = False
    enum: tuple[str, ...] = ()
    item: Field | None = None
    model: str = ""


@dataclass(frozen=True)
class Model:
    spec: str
    name: str
    fields: tuple[Field, ...]

    @property
    def cls(self) -> Any:
        return getattr(importlib.import_module(f"{PACKAGES[self.spec]}.models"), self.name)


def _schemas(spec: dict[str, Any]) -> dict[str, Any]:
    return dict(spec["components"]["schemas"])


def _ref_name(schema: dict[str, Any]) -> str:
    return str(schema["$ref"]).rsplit("/", 1)[-1]


def _field(name: str, schema: dict[str, Any], schemas: dict[str, Any]) -> Field:
    nullable = bool(schema.get("nullable", False))
    if "$ref" in schema or "allOf" in schema:
        target = _ref_name(schema if "$ref" in schema else schema["allOf"][0])
        assert schemas[target]["type"] == "object", f"{name}: only object references are expected"
        return Field(name, "object", nullable, model=target)
    if "anyOf" in schema:
        known, fallback = schema["anyOf"]
        assert fallback == {"type": "string"}, f"{name}: an open enum ends with a plain string"
        return Field(name, "enum", nullable, enum=tuple(schemas[_ref_name(known)]["enum"]))
    kind = schema["type"]
    if kind == "array":
        return Field(name, "list", nullable, item=_field(f"{name}[]", schema["items"], schemas))
    assert kind in ("string", "integer") and "enum" not in schema, f"{name}: a new kind of field"
    return Field(name, {"string": "str", "integer": "int"}[kind], nullable)


def _models() -> list[Model]:
    found: dict[tuple[str, str], Model] = {}
    for spec_name in PACKAGES:
        spec = yaml.safe_load((SPECS / spec_name).read_text(encoding="utf-8"))
        schemas = _schemas(spec)
        todo = [
            _ref_name(content["schema"])
            for item in spec["paths"].values()
            for op in item.values()
            if isinstance(op, dict)
            for response in op.get("responses", {}).values()
            for media, content in response.get("content", {}).items()
            if media in JSON_TYPES
        ]
        while todo:
            name = todo.pop()
            if (spec_name, name) in found:
                continue
            props = schemas[name].get("properties", {})
            fields = tuple(_field(key, value, schemas) for key, value in props.items())
            found[spec_name, name] = Model(spec_name, name, fields)
            todo.extend(f.model for f in fields if f.kind == "object")
    return sorted(found.values(), key=lambda m: (m.spec, m.name))


MODELS = _models()
BY_NAME = {(m.spec, m.name): m for m in MODELS}
IDS = [f"{m.spec.removesuffix('.yaml')}:{m.name}" for m in MODELS]


def test_every_json_answer_and_error_model_is_covered() -> None:
    """The walk above finds the models the overlays parse; a spec change that hides one fails here."""
    names = {(m.spec, m.name) for m in MODELS}
    assert names >= {
        ("aws-kms.yaml", "GetPublicKeyResponse"),
        ("aws-kms.yaml", "ErrorResponse"),
        ("alibaba-kms.yaml", "GetPublicKeyResponse"),
        ("alibaba-kms.yaml", "ErrorResponse"),
        ("huawei-kms.yaml", "ShowPublicKeyResponse"),
        ("huawei-kms.yaml", "ErrorResponse"),
        ("huawei-kms.yaml", "ErrorDetail"),
    }
    assert all(m.fields for m in MODELS)


# --- valid values ---------------------------------------------------------------------------

texts = st.text(max_size=40)


def _valid_value(spec: str, field: Field) -> st.SearchStrategy[Any]:
    if field.kind == "str":
        value: st.SearchStrategy[Any] = texts
    elif field.kind == "int":
        value = st.integers()
    elif field.kind == "enum":
        value = st.sampled_from(field.enum) | texts.filter(lambda s: s not in field.enum)
    elif field.kind == "list":
        assert field.item is not None
        value = st.lists(_valid_value(spec, field.item), max_size=4)
    else:
        value = _valid_body(BY_NAME[spec, field.model])
    return (st.none() | value) if field.nullable else value


def _valid_body(model: Model) -> st.SearchStrategy[dict[str, Any]]:
    """Each declared field absent or holding an allowed value."""
    if not model.fields:
        return st.just({})
    present = st.sets(st.sampled_from([f.name for f in model.fields]))
    fields = {f.name: f for f in model.fields}
    return present.flatmap(
        lambda names: st.fixed_dictionaries({n: _valid_value(model.spec, fields[n]) for n in sorted(names)})
    )


PROBES = {"str": "x", "int": 1, "enum": "x", "list": [], "object": {}}


def _unset(model: Model) -> object:
    return importlib.import_module(PACKAGES[model.spec] + ".types").UNSET


def _attribute(model: Model, field: Field) -> str:
    """The attribute the JSON field lands in: the only one set when only that field is sent."""
    alone = model.cls.from_dict({field.name: PROBES[field.kind]})
    names = list(inspect.signature(model.cls).parameters)  # the constructor takes every declared field
    found = [n for n in names if getattr(alone, n) is not _unset(model)]
    assert len(found) == 1, (field.name, found)
    return found[0]


def _check_value(spec: str, field: Field, sent: Any, got: Any) -> None:
    if sent is None:
        assert got is None
    elif field.kind == "enum":
        # literal_enums: a known value and an unknown one (open enum) both stay the plain string
        assert type(got) is str and got == sent
    elif field.kind == "list":
        assert field.item is not None and isinstance(got, list) and len(got) == len(sent)
        for one_sent, one_got in zip(sent, got, strict=True):
            _check_value(spec, field.item, one_sent, one_got)
    elif field.kind == "object":
        assert type(got).__name__ == field.model
        assert got.to_dict() == sent
    else:
        assert type(got) is type(sent) and got == sent


@pytest.mark.parametrize("model", MODELS, ids=IDS)
@quick
@given(data=st.data())
def test_valid_values_parse_to_themselves(model: Model, data: st.DataObject) -> None:
    body = data.draw(_valid_body(model))
    parsed = model.cls.from_dict(body)
    assert parsed.to_dict() == body
    assert parsed.additional_properties == {}
    for field in model.fields:
        got = getattr(parsed, _attribute(model, field))
        if field.name in body:
            _check_value(model.spec, field, body[field.name], got)
        else:
            assert got is _unset(model)


# --- wrong JSON types -----------------------------------------------------------------------

leaves = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | texts
json_values = st.recursive(
    leaves,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(texts, inner, max_size=3),
    max_leaves=6,
)
numbers = st.integers() | st.floats(allow_nan=False)
objects = st.dictionaries(texts, json_values, max_size=3)
arrays = st.lists(json_values, max_size=3)


def _wrong_value(spec: str, field: Field) -> st.SearchStrategy[Any]:
    """A value of a JSON type the field does not allow (at the top or, for lists and objects, inside)."""
    others: list[st.SearchStrategy[Any]] = [] if field.nullable else [st.none()]
    if field.kind in ("str", "enum"):
        others += [numbers, st.booleans(), objects, arrays]
    elif field.kind == "int":
        others += [st.floats(allow_nan=False), st.booleans(), texts, objects, arrays]
    elif field.kind == "list":
        assert field.item is not None
        item = field.item
        others += [numbers, st.booleans(), texts, objects]
        # a list whose items are allowed but one, anywhere
        others.append(
            st.tuples(
                st.lists(_valid_value(spec, item), max_size=3),
                _wrong_value(spec, item),
                st.lists(_valid_value(spec, item), max_size=3),
            ).map(lambda t: [*t[0], t[1], *t[2]])
        )
    else:
        nested = BY_NAME[spec, field.model]
        others += [numbers, st.booleans(), texts, arrays]
        if nested.fields:
            others.append(_wrong_body(nested))
    return st.one_of(others)


def _wrong_body(model: Model) -> st.SearchStrategy[dict[str, Any]]:
    """A valid body in which one declared field holds a value of a wrong JSON type."""
    fields = st.sampled_from(model.fields)
    return st.tuples(_valid_body(model), fields).flatmap(
        lambda pair: _wrong_value(model.spec, pair[1]).map(lambda bad: {**pair[0], pair[1].name: bad})
    )


@pytest.mark.parametrize("model", MODELS, ids=IDS)
@quick
@given(data=st.data())
def test_a_field_of_the_wrong_json_type_raises(model: Model, data: st.DataObject) -> None:
    body = data.draw(_wrong_body(model))
    with pytest.raises((TypeError, ValueError)):
        model.cls.from_dict(body)


@pytest.mark.parametrize(
    ("spec", "model", "body"),
    [
        # the shapes issue #11 names: a plain string, an open enum's string fallback, an array
        ("aws-kms.yaml", "GetPublicKeyResponse", {"KeyId": 1234}),
        ("aws-kms.yaml", "GetPublicKeyResponse", {"PublicKey": {"der": "AAAA"}}),
        ("aws-kms.yaml", "GetPublicKeyResponse", {"KeySpec": 2048}),
        ("aws-kms.yaml", "GetPublicKeyResponse", {"KeyUsage": ["SIGN_VERIFY"]}),
        ("aws-kms.yaml", "GetPublicKeyResponse", {"SigningAlgorithms": "ECDSA_SHA_256"}),
        ("aws-kms.yaml", "GetPublicKeyResponse", {"SigningAlgorithms": ["ECDSA_SHA_256", 7]}),
        ("aws-kms.yaml", "GetPublicKeyResponse", {"EncryptionAlgorithms": {"0": "SM2PKE"}}),
        ("aws-kms.yaml", "GetPublicKeyResponse", {"KeyId": None}),  # not nullable in the spec
        ("aws-kms.yaml", "ErrorResponse", {"__type": True}),
        ("aws-kms.yaml", "ErrorResponse", {"message": ["no"]}),
        ("alibaba-kms.yaml", "GetPublicKeyResponse", {"PublicKey": 1.5}),
        ("huawei-kms.yaml", "ShowPublicKeyResponse", {"public_key": False}),
        ("huawei-kms.yaml", "ErrorResponse", {"error": "KMS.0207"}),
        ("huawei-kms.yaml", "ErrorResponse", {"error": {"error_code": 207}}),
    ],
)
def test_named_wrong_types_raise(spec: str, model: str, body: dict[str, Any]) -> None:
    with pytest.raises((TypeError, ValueError)):
        BY_NAME[spec, model].cls.from_dict(body)
