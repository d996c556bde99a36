"""The compiled validator agrees with jsonschema on validity, and classifies errors in
the verifier's order."""

from __future__ import annotations

import os

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from taskkit.schema.validate import SchemaError, compile_schema
from taskkit.testing.strategies import valid_calls

SCHEMAS = [
    {
        "type": "object",
        "properties": {"city": {"type": "string"}, "n": {"type": "integer", "minimum": 0}},
        "required": ["city"],
        "additionalProperties": False,
    },
    {
        "type": "object",
        "properties": {
            "tags": {
                "type": "array",
                "items": {"type": "string"},
                "maxItems": 3,
                "uniqueItems": True,
            }
        },
    },
    {
        "type": "object",
        "properties": {"unit": {"enum": ["km", "mi", 1]}, "x": {"type": ["number", "null"]}},
    },
    {
        "type": "object",
        "properties": {
            "d": {"type": "string", "format": "date"},
            "p": {"type": "string", "pattern": "^[A-Z]{2}$"},
        },
    },
    {
        "type": "object",
        "properties": {
            "v": {"anyOf": [{"type": "integer"}, {"type": "string", "minLength": 2}]},
            "w": {"oneOf": [{"type": "integer"}, {"type": "number"}]},
        },
    },
    {
        "type": "object",
        "properties": {
            "pt": {"type": "object", "properties": {"x": {"type": "number"}}, "required": ["x"]}
        },
        "additionalProperties": {"type": "boolean"},
    },
    {
        "$defs": {"node": {"type": "object", "properties": {"next": {"$ref": "#/$defs/node"}}}},
        "$ref": "#/$defs/node",
    },
    {
        "type": "object",
        "properties": {"q": {"type": "number", "exclusiveMaximum": 10, "multipleOf": 0.5}},
    },
    {  # the shape of most tool parameters: bare types and string enums, checked inline
        "type": "object",
        "description": "annotations do not change the checks",
        "properties": {
            "s": {"type": "string", "enum": ["a", "AB"], "description": "a string enum"},
            "i": {"type": "integer"},
            "b": {"type": "boolean", "default": False},
            "m": {"type": ["string", "integer"]},
            "e": {"enum": ["km"]},
            "o": {"type": "object"},
            "lo": {"type": "integer", "minimum": 0, "maximum": 5},
            "fe": {"type": "number", "minimum": 0.5},
            "nm": {"type": "string", "minLength": 1, "maxLength": 3, "title": "bounded"},
        },
        "required": ["s"],
        "additionalProperties": False,
    },
]

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-20, 20)
    | st.floats(-20, 20, allow_nan=False)
    | st.text(max_size=5)
    | st.sampled_from(["2026-01-31", "2026-02-30", "AB", "km", "a", 3.0, 2.5]),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(
            st.sampled_from(
                [
                    "city",
                    "n",
                    "tags",
                    "unit",
                    "x",
                    "d",
                    "p",
                    "v",
                    "w",
                    "pt",
                    "next",
                    "q",
                    "zz",
                    "s",
                    "i",
                    "b",
                    "m",
                    "e",
                    "o",
                    "lo",
                    "fe",
                    "nm",
                ]
            ),
            children,
            max_size=4,
        )
    ),
    max_leaves=12,
)


PAIRS = [
    (
        compile_schema(s),
        jsonschema.Draft202012Validator(s, format_checker=jsonschema.FormatChecker()),
    )
    for s in SCHEMAS
]


@pytest.mark.parametrize("pair", PAIRS, ids=range(len(PAIRS)))
@settings(max_examples=150, deadline=None)
@given(value=json_values)
def test_agrees_with_jsonschema(pair, value):
    ours, reference = pair
    assert ours.is_valid(value) == reference.is_valid(value)


@pytest.mark.parametrize("schema", SCHEMAS[:6], ids=range(6))
@settings(max_examples=25, deadline=None)
@given(data=st.data())
def test_generated_valid_instances_pass(schema, data):
    value = data.draw(valid_calls(schema))
    assert compile_schema(schema).first_error(value) is None


CALL = {
    "type": "object",
    "required": ["city", "when"],
    "additionalProperties": False,
    "properties": {
        "city": {"type": "string"},
        "when": {"type": "string", "format": "date"},
        "unit": {"enum": ["c", "f"]},
        "days": {"type": "integer", "maximum": 14},
        "opts": {"type": "object", "properties": {"hourly": {"type": "boolean"}}},
    },
}


@pytest.mark.parametrize(
    ("args", "kind", "path"),
    [
        ({"when": "x", "zz": 1}, "missing_required", ("city",)),  # missing beats unexpected
        ({"city": 1, "when": "2026-01-01", "zz": 1}, "unexpected_parameter", ("zz",)),  # beats type
        ({"city": 1, "when": "2026-01-01"}, "type_error", ("city",)),
        (
            {"city": "a", "when": "2026-01-01", "opts": {"hourly": "yes"}},
            "nested_type_error",
            ("opts", "hourly"),
        ),
        ({"city": "a", "when": "2026-01-01", "unit": "k"}, "enum_error", ("unit",)),
        ({"city": "a", "when": "01/02/2026"}, "format_error", ("when",)),
        ({"city": "a", "when": "2026-01-01", "days": 30}, "range_error", ("days",)),
    ],
)
def test_error_classes_in_order(args, kind, path):
    err = compile_schema(CALL).first_error(args)
    assert err is not None and (err.kind, err.path) == (kind, path)


def test_invalid_schema_is_refused():
    with pytest.raises(SchemaError):
        compile_schema({"type": "text"})


def test_unsupported_keywords_fall_back_to_jsonschema():
    schema = {"type": "object", "dependentRequired": {"a": ["b"]}}
    v = compile_schema(schema)
    assert v.is_valid({"a": 1, "b": 2}) and not v.is_valid({"a": 1})


@settings(max_examples=300, deadline=None)
@given(
    value=st.dictionaries(
        st.sampled_from(["s", "i", "b", "m", "e", "o", "lo", "fe", "nm", "zz"]), json_values
    )
)
def test_inline_parameter_checks_agree_with_jsonschema(value):
    ours, reference = PAIRS[-1]
    assert ours.is_valid(value) == reference.is_valid(value)


@settings(max_examples=400, deadline=None)
@given(
    name=st.sampled_from(["i", "b", "m", "e", "o", "lo", "fe", "nm"]),
    value=st.integers(-2, 7)
    | st.floats(-1, 6, allow_nan=False)
    | st.sampled_from([0.5, 0.49, 5.0, True, None, 3.0])
    | st.text(max_size=4),
)
def test_inline_bounds_agree_with_jsonschema_around_their_edges(name, value):
    """One parameter at a time, the others right, with values on and around the bounds."""
    ours, reference = PAIRS[-1]
    call = {"s": "a", name: value}
    assert ours.is_valid(call) == reference.is_valid(call)


def test_schema_text_never_becomes_code(monkeypatch):
    """Object checks are generated functions; names and values from the schema are data."""
    monkeypatch.delenv("TASKKIT_PWNED", raising=False)
    payload = "x')\nimport os; os.environ['TASKKIT_PWNED'] = '1'  # {k0}"
    schema = {
        "type": "object",
        "properties": {payload: {"type": "string", "enum": [payload]}, "k0": {"type": "integer"}},
        "required": [payload],
        "additionalProperties": False,
    }
    check = compile_schema(schema)
    assert check.first_error({payload: payload, "k0": 1}) is None
    assert check.first_error({payload: "other"}).kind == "enum_error"
    assert check.first_error({"k0": 1}).kind == "missing_required"
    assert check.first_error({payload: payload, "k0": "1"}).path == ("k0",)
    assert "TASKKIT_PWNED" not in os.environ
