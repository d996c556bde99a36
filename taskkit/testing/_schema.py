"""JSON Schema -> Hypothesis strategy, fast for the shapes packs and models use.

hypothesis-jsonschema's ``from_schema`` is exact, but it merges and re-resolves sub-schemas
on every draw of an object, slow for a content entry holding a few arrays of records (the
figure is in ``benchmarks/README.md``, "Figures the code points to"). Plain objects, arrays, local ``$ref``\\ s and unions are composed here from
Hypothesis' own collection strategies instead; every other sub-schema (strings with a format
or a pattern, bounded numbers, anything using keywords not composed here) goes to
``from_schema`` once, when the strategy is built.

Two deliberate narrowings, both documented in ``docs/testing.md``: keys an object schema
merely allows (``additionalProperties``) are not generated -- templates can only name
declared properties, lint sees to that -- and arrays hold at most :data:`MAX_ITEMS` items
beyond their ``minItems``, which keeps examples small enough to read and fast to run.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from hypothesis import strategies as st
from hypothesis.internal.conjecture import utils as conjecture_utils
from hypothesis_jsonschema import from_schema

from ..schema.validate import compile_trusted

__all__ = ["MAX_ITEMS", "json_values", "schema_strategy"]


def _legacy_more(self: Any) -> bool:
    """``many.more()`` as hypothesis-jsonschema (0.23, its latest release) calls it, on the
    iteration protocol that replaced it in Hypothesis 6.1xx: without this, drawing any
    object with free-form or counted keys (a task's ``hidden`` facts, a one-key trigger, a
    pack's world) fails with ``AttributeError: 'many' object has no attribute 'more'``."""
    if self._depth is None:
        self.__enter__()
        self._taskkit_elements = iter(self)
    try:
        next(self._taskkit_elements)
    except StopIteration:
        self.__exit__(None)
        return False
    return True


if not hasattr(conjecture_utils.many, "more"):  # only where Hypothesis dropped it
    conjecture_utils.many.more = _legacy_more  # type: ignore[attr-defined]

MAX_ITEMS = 4
"""Items generated beyond an array's ``minItems``."""

_ANNOTATIONS = frozenset(
    {
        "$schema", "$id", "$comment", "$anchor", "title", "description", "default", "examples",
        "deprecated", "readOnly", "writeOnly", "discriminator", "x-taskkit",
    }
)  # fmt: skip
_OBJECT_KEYS = _ANNOTATIONS | {"type", "properties", "required", "additionalProperties"}
_ARRAY_KEYS = _ANNOTATIONS | {"type", "items", "minItems", "maxItems"}
_DEFS = ("$defs", "definitions")

_JSON_LEAVES = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=12)
)


def json_values() -> st.SearchStrategy[Any]:
    """Any small JSON value: what a schema of ``{}`` (or ``true``) allows."""
    return st.recursive(
        _JSON_LEAVES,
        lambda inner: (
            st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
        ),
        max_leaves=8,
    )


def schema_strategy(schema: Mapping[str, Any] | bool) -> st.SearchStrategy[Any]:
    """Values valid against ``schema`` (draft 2020-12; local ``$ref`` s resolved)."""
    root = schema if isinstance(schema, Mapping) else {}
    return _Builder(root).build(schema)


class _Builder:
    def __init__(self, root: Mapping[str, Any]) -> None:
        self._root = root
        self._defs = {k: root[k] for k in _DEFS if isinstance(root.get(k), Mapping)}
        self._refs: dict[str, st.SearchStrategy[Any]] = {}

    def build(self, schema: Mapping[str, Any] | bool) -> st.SearchStrategy[Any]:
        if schema is True or (
            isinstance(schema, Mapping) and not set(schema) - _ANNOTATIONS - set(_DEFS)
        ):
            return json_values()
        if schema is False:
            return st.nothing()
        assert isinstance(schema, Mapping)
        keys = set(schema) - set(_DEFS)
        if keys - _ANNOTATIONS == {"$ref"} and str(schema["$ref"]).startswith("#/"):
            return self._ref(schema["$ref"])
        if keys - _ANNOTATIONS == {"anyOf"}:
            return st.one_of([self.build(s) for s in schema["anyOf"]])
        if keys - _ANNOTATIONS == {"oneOf"}:
            return self._one_of(schema["oneOf"])
        if keys - _ANNOTATIONS in ({"const"}, {"enum"}):
            return st.sampled_from(schema["enum"] if "enum" in schema else [schema["const"]])
        if (
            keys <= _OBJECT_KEYS
            and schema.get("type", "object") == "object"
            and keys & {"properties", "required", "type"}
        ):
            return self._object(schema)
        if keys <= _ARRAY_KEYS and schema.get("type") == "array":
            return self._array(schema)
        return self._leaf(schema)

    def _ref(self, ref: str) -> st.SearchStrategy[Any]:
        if ref not in self._refs:
            target: Any = self._root
            for part in ref[2:].split("/"):
                target = target[part.replace("~1", "/").replace("~0", "~")]
            # deferred: a recursive schema refers to itself while it is being built
            self._refs[ref] = st.deferred(lambda: built)
            built = self.build(target)
            self._refs[ref] = built
        return self._refs[ref]

    def _object(self, schema: Mapping[str, Any]) -> st.SearchStrategy[Any]:
        props: Mapping[str, Any] = schema.get("properties", {})
        required = list(dict.fromkeys(schema.get("required", ())))
        extra = schema.get("additionalProperties", True)
        if extra is False and any(name not in props for name in required):
            return st.nothing()  # a required key the schema forbids: nothing is valid
        if not props and not required and extra not in (True, False):
            return st.dictionaries(st.text(max_size=8), self.build(extra), max_size=3)
        if not props and not required:
            return st.dictionaries(st.text(max_size=8), json_values(), max_size=3)

        def sub(name: str) -> st.SearchStrategy[Any]:
            if name in props:
                return self.build(props[name])
            return json_values() if extra is True else self.build(extra)

        return st.fixed_dictionaries(
            {name: sub(name) for name in required},
            optional={name: sub(name) for name in props if name not in required},
        )

    def _array(self, schema: Mapping[str, Any]) -> st.SearchStrategy[Any]:
        low = int(schema.get("minItems", 0))
        high = low + MAX_ITEMS
        if "maxItems" in schema:
            high = min(high, int(schema["maxItems"]))
        if high < low:
            return st.nothing()
        return st.lists(self.build(schema.get("items", True)), min_size=low, max_size=high)

    def _one_of(self, branches: list[Any]) -> st.SearchStrategy[Any]:
        # the branches of a discriminated union exclude each other; other unions may not
        checks = [compile_trusted({**self._defs_for(b), **b}) for b in branches]
        return st.one_of([self.build(b) for b in branches]).filter(
            lambda v: sum(c.is_valid(v) for c in checks) == 1
        )

    def _leaf(self, schema: Mapping[str, Any]) -> st.SearchStrategy[Any]:
        return from_schema({**self._defs_for(schema), **schema})

    def _defs_for(self, schema: Any) -> dict[str, Any]:
        # a sub-schema handed on whole resolves its own $refs against the root's definitions
        return self._defs if isinstance(schema, Mapping) and "$ref" in json.dumps(schema) else {}
