"""Arguments that break a tool's ``parameters`` in exactly one way.

Each builder starts from a valid call and changes one parameter, so that the *first* error
the verifier meets is of the wanted class: it checks required parameters, then unexpected
ones, then each parameter's type, enum, format and range, in that order. The bad values are
built by construction, never by asking the verifier, so a test that the verifier classifies
them is not circular.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from typing import Any

from hypothesis import strategies as st

from ._schema import schema_strategy

__all__ = ["INVALID_KINDS", "VERIFIED_FORMATS", "breakers"]

INVALID_KINDS = (
    "missing_required",
    "unexpected_parameter",
    "type_error",
    "enum_error",
    "format_error",
    "range_error",
)
"""The verifier's error classes a schema can be broken into, one parameter at a time."""

VERIFIED_FORMATS = frozenset({"date", "date-time", "time", "email", "uri", "uuid", "ipv4", "ipv6"})
"""Formats :mod:`taskkit.schema.validate` checks (any other ``format`` is an annotation)."""

_COMBINATORS = frozenset({"$ref", "anyOf", "oneOf", "allOf", "not", "if", "then", "else"})
_PLAIN_ROOT = frozenset(
    {"type", "properties", "required", "additionalProperties", "title", "description", "$schema"}
)

# One value of each JSON type; `1` is both an integer and a number, so it is never used
# as "not a number".
_BY_TYPE: dict[str, Any] = {
    "string": "text",
    "integer": 7,
    "number": 2.5,
    "boolean": True,
    "object": {"k": 1},
    "array": [1],
    "null": None,
}
_ALLOWS: dict[str, Callable[[Any], bool]] = {
    "string": lambda v: isinstance(v, str),
    "integer": lambda v: type(v) is int or (type(v) is float and v.is_integer()),
    "number": lambda v: type(v) in (int, float),
    "boolean": lambda v: type(v) is bool,
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "null": lambda v: v is None,
}
# Letters that are no hex digit, and no '@', ':', '-' or digit: no such string is a date,
# time, email, URI, UUID or IP address.
_NOT_FORMATTED = "ghijklmnopqrstuvwxyz "

Breaker = st.SearchStrategy[tuple[str, Any]]
"""(parameter, bad value) pairs; a value of :data:`DROP` removes the parameter."""

DROP = object()


def breakers(parameters: Mapping[str, Any]) -> dict[str, Breaker]:
    """Error class -> strategy of (parameter, bad value), for each class ``parameters`` allows."""
    if not isinstance(parameters, Mapping) or set(parameters) - _PLAIN_ROOT:
        return {}  # combinators or $refs at the root: no single-parameter guarantee
    if parameters.get("type", "object") != "object":
        return {}
    props: Mapping[str, Any] = parameters.get("properties", {})
    required = [r for r in parameters.get("required", ()) if isinstance(r, str)]
    out: dict[str, Breaker] = {}
    if required:
        out["missing_required"] = st.sampled_from(required).map(lambda n: (n, DROP))
    if parameters.get("additionalProperties", True) is False:
        out["unexpected_parameter"] = st.tuples(
            st.text(min_size=1, max_size=12).filter(lambda k: k not in props),
            st.sampled_from(list(_BY_TYPE.values())),
        )
    plain = {
        name: s for name, s in props.items() if isinstance(s, Mapping) and not set(s) & _COMBINATORS
    }
    for kind, make in _VALUE_BREAKERS.items():
        options = [
            strategy.map(_paired(name))
            for name, s in plain.items()
            if (strategy := make(s)) is not None
        ]
        if options:
            out[kind] = st.one_of(options)
    return out


def _paired(name: str) -> Callable[[Any], tuple[str, Any]]:
    return lambda value: (name, value)


def _types(schema: Mapping[str, Any]) -> list[str]:
    t = schema.get("type")
    if t is None:
        return list(_BY_TYPE)
    return [t] if isinstance(t, str) else list(t)


def _wrong_type(schema: Mapping[str, Any]) -> st.SearchStrategy[Any] | None:
    if "type" not in schema:
        return None
    allowed = _types(schema)
    wrong = [v for v in _BY_TYPE.values() if not any(_ALLOWS[t](v) for t in allowed)]
    return st.sampled_from(wrong) if wrong else None


def _json_in(value: Any, options: list[Any]) -> bool:
    # JSON equality: 1 equals 1.0, but true is not 1
    return any((type(value) is bool) == (type(o) is bool) and value == o for o in options)


def _not_in_enum(schema: Mapping[str, Any]) -> st.SearchStrategy[Any] | None:
    if "enum" not in schema and "const" not in schema:
        return None
    options = list(schema["enum"]) if "enum" in schema else [schema["const"]]
    by_type: dict[str, st.SearchStrategy[Any]] = {
        "string": st.text(max_size=12),
        "integer": st.integers(),
        "number": st.floats(allow_nan=False, allow_infinity=False),
        # true, false and null are few: the enum may hold them all
        "boolean": st.sampled_from([b for b in (True, False) if not _json_in(b, options)]),
        "null": st.nothing() if _json_in(None, options) else st.none(),
    }
    candidates = [by_type[t] for t in _types(schema) if t in by_type and not by_type[t].is_empty]
    if not candidates:
        return None
    return st.one_of(candidates).filter(lambda v: not _json_in(v, options))


def _bad_format(schema: Mapping[str, Any]) -> st.SearchStrategy[Any] | None:
    if "enum" in schema or "const" in schema or "string" not in _types(schema):
        return None
    if "type" not in schema:
        return None  # a non-string would be valid too; keep the value a string on purpose
    low = int(schema.get("minLength", 0))
    high = int(schema["maxLength"]) if "maxLength" in schema else low + 12
    if high < low:
        return None
    if "pattern" in schema:
        pattern = re.compile(schema["pattern"])
        return st.text(min_size=low, max_size=high).filter(lambda s: pattern.search(s) is None)
    if schema.get("format") in VERIFIED_FORMATS:
        return st.text(alphabet=_NOT_FORMATTED, min_size=low, max_size=high)
    return None


def _out_of_range(schema: Mapping[str, Any]) -> st.SearchStrategy[Any] | None:
    if "enum" in schema or "const" in schema or "type" not in schema:
        return None
    types = _types(schema)
    if len(types) != 1:
        return None
    t = types[0]
    if t in ("integer", "number") and "multipleOf" not in schema:
        return _numbers_outside(schema, integer=t == "integer")
    if t == "string" and not schema.get("pattern") and schema.get("format") not in VERIFIED_FORMATS:
        return _sized_outside(schema, "Length", lambda lo, hi: st.text(min_size=lo, max_size=hi))
    if t == "array" and "uniqueItems" not in schema:
        items = schema_strategy(schema.get("items", True))
        return _sized_outside(
            schema, "Items", lambda lo, hi: st.lists(items, min_size=lo, max_size=hi)
        )
    return None


def _numbers_outside(schema: Mapping[str, Any], *, integer: bool) -> st.SearchStrategy[Any] | None:
    def bound(key: str) -> float | None:
        value = schema.get(key)
        return value if type(value) in (int, float) else None

    options: list[st.SearchStrategy[Any]] = []
    # (highest invalid value below the range, or lowest above it; whether it is itself invalid)
    if (m := bound("minimum")) is not None:
        options.append(
            _below(math.ceil(m) - 1, integer) if integer else _below(m, integer, open_=True)
        )
    if (x := bound("exclusiveMinimum")) is not None:
        options.append(_below(math.floor(x), integer) if integer else _below(x, integer))
    if (m := bound("maximum")) is not None:
        options.append(
            _above(math.floor(m) + 1, integer) if integer else _above(m, integer, open_=True)
        )
    if (x := bound("exclusiveMaximum")) is not None:
        options.append(_above(math.ceil(x), integer) if integer else _above(x, integer))
    return st.one_of(options) if options else None


def _below(top: float, integer: bool, *, open_: bool = False) -> st.SearchStrategy[Any]:
    if integer:
        return st.integers(min_value=int(top) - 1000, max_value=int(top))
    return st.floats(min_value=top - 1e6, max_value=top, exclude_max=open_)


def _above(low: float, integer: bool, *, open_: bool = False) -> st.SearchStrategy[Any]:
    if integer:
        return st.integers(min_value=int(low), max_value=int(low) + 1000)
    return st.floats(min_value=low, max_value=low + 1e6, exclude_min=open_)


def _sized_outside(
    schema: Mapping[str, Any],
    suffix: str,
    make: Callable[[int, int], st.SearchStrategy[Any]],
) -> st.SearchStrategy[Any] | None:
    options: list[st.SearchStrategy[Any]] = []
    low, high = schema.get("min" + suffix), schema.get("max" + suffix)
    if isinstance(low, int) and low > 0:
        options.append(make(0, low - 1))
    if isinstance(high, int):
        options.append(make(high + 1, high + 4))
    return st.one_of(options) if options else None


_VALUE_BREAKERS: dict[str, Callable[[Mapping[str, Any]], st.SearchStrategy[Any] | None]] = {
    "type_error": _wrong_type,
    "enum_error": _not_in_enum,
    "format_error": _bad_format,
    "range_error": _out_of_range,
}
