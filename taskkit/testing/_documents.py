"""Whole valid documents of every kind, from the models' JSON Schemas.

The JSON Schemas cannot say what the models' validators add ("exactly one operation",
"exactly one of ``entries`` or ``entries_file``", an answer check that checks something),
so the definitions those validators guard are replaced by unions of variants that can only
pass them, one per operation (and per choice of its one-of options) of the operations table;
a final filter through the model catches what is left.
"""

from __future__ import annotations

import copy
from typing import Any

from hypothesis import strategies as st
from pydantic import ValidationError

from ..models import KINDS, SCHEMA_VERSION
from ..models.operations import OPERATIONS  # the rules Behavior validates
from ._schema import schema_strategy

__all__ = ["document_strategy"]


def document_strategy(kind: str) -> st.SearchStrategy[dict[str, Any]]:
    """Valid ``kind`` documents as plain data (what a YAML file holds)."""
    if kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r}; one of {', '.join(KINDS)}")
    model = KINDS[kind]
    schema = copy.deepcopy(model.model_json_schema(mode="validation"))
    defs = schema.get("$defs", {})
    if "Behavior" in defs:
        defs["Behavior"] = {"anyOf": _behavior_variants(defs["Behavior"])}
    if "Require" in defs:
        defs["Require"] = {"anyOf": _exactly_one(defs["Require"], ["exists", "absent", "check"])}
    if "AnswerCheck" in defs:
        defs["AnswerCheck"] = {"anyOf": _answer_variants(defs["AnswerCheck"])}
    if kind == "content":
        schema = {"$defs": defs, "anyOf": _exactly_one(schema, ["entries", "entries_file"])}
    if kind == "pack":
        # A shared world (optional) is a map of free-form schemas: hypothesis-jsonschema draws
        # such objects through a Hypothesis internal (``many.more``) that current Hypothesis
        # no longer has. Packs are drawn without one; tests/worlds covers world files.
        keys = set(schema["properties"]) - {"world", "world_schema"}
        schema = _keep(schema, keys, [])

    def valid(data: Any) -> bool:
        try:
            model.model_validate(data)
        except ValidationError:
            return False
        return True

    # the model defaults schema_version, but a file must state it (the loader insists)
    stated = schema_strategy(schema).map(lambda d: {**d, "schema_version": SCHEMA_VERSION})
    return stated.filter(valid)


def _keep(schema: dict[str, Any], keys: set[str], required: list[str]) -> dict[str, Any]:
    out = dict(schema)
    out["properties"] = {k: v for k, v in schema["properties"].items() if k in keys}
    out["required"] = [*[r for r in schema.get("required", []) if r in keys], *required]
    return out


def _exactly_one(schema: dict[str, Any], choices: list[str]) -> list[dict[str, Any]]:
    others = set(schema["properties"]) - set(choices)
    return [_keep(schema, others | {c}, [c]) for c in choices]


def _behavior_variants(schema: dict[str, Any]) -> list[dict[str, Any]]:
    variants = []
    for op in OPERATIONS.values():
        # One variant per choice of a one-of option; the aggregate's field is always given
        # (a count needs none, but one does no harm).
        required = sorted(op.required | ({"field"} if op.name == "aggregate" else set()))
        choices: list[str | None] = [*sorted(op.one_of)] or [None]
        for choice in choices:
            keys = {op.name, "require", "respond", *(op.options - op.one_of)}
            if choice is not None:
                keys.add(choice)
            chosen = [choice] if choice is not None else []
            variants.append(_keep(schema, keys, [op.name, *required, *chosen]))
    variants.append(_keep(schema, {"require", "respond"}, ["respond"]))
    return variants


def _answer_variants(schema: dict[str, Any]) -> list[dict[str, Any]]:
    # an empty list or string does not count as a check: ask for a non-empty one
    out = []
    for name in ("contains", "not_contains", "equals", "regex", "number"):
        variant = _keep(schema, set(schema["properties"]), [name])
        prop = dict(variant["properties"][name])
        if "anyOf" in prop:  # `str | None`: keep the string
            prop = next(p for p in prop["anyOf"] if p.get("type") != "null")
        if prop.get("type") == "array":
            prop = {**prop, "minItems": 1}
        elif prop.get("type") == "string":
            prop = {**prop, "minLength": 1}
        variant["properties"] = {**variant["properties"], name: prop}
        out.append(variant)
    return out
