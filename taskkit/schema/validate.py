"""JSON Schema compiled once into Python closures, for the hot paths.

Verifying a tool call happens at every step of every episode, and lint validates every
rendered gold action of every entry; a general validator (jsonschema) walks the schema on
each call. :func:`compile_schema` turns the common keywords into nested closures once per
schema, several times cheaper a call (figures: ``benchmarks/README.md``, "Figures the code
points to"), and reports the first violation *by
class* -- the verifier's error types -- in the order the simulator promises: missing
required parameter, unexpected parameter, then type / nested type / enum / format / range.

Schemas that use keywords outside the supported set fall back to jsonschema (still compiled
once), so the answer is never wrong, only slower.
"""

from __future__ import annotations

import datetime as _dt
import functools
import heapq
import ipaddress
import json
import math
import re
import sys
import uuid
from collections.abc import Callable, Mapping
from json.encoder import encode_basestring
from types import CodeType
from typing import Any, NamedTuple

from ..text.nearest import similarity as _similarity
from ..text.nearest import trigrams as _trigrams
from ..text.patterns import schema_pattern_problem
from ..text.saferegex import TooLong, compile_safe
from ._refs import ref_problem
from .check import schema_problems

__all__ = ["ERROR_KINDS", "Check", "SchemaError", "VError", "Validator", "compile_schema"]

ERROR_KINDS = (
    "missing_required",
    "unexpected_parameter",
    "type_error",
    "nested_type_error",
    "enum_error",
    "format_error",
    "range_error",
)


class VError(NamedTuple):
    """The first violation found: its class, where, and a message fit for the agent.

    A tuple rather than a frozen dataclass: every failed call makes one or two, and a
    frozen dataclass's ``__init__`` costs more than the check that found the fault."""

    kind: str
    path: tuple[str | int, ...]
    message: str

    def within(self, key: str | int) -> VError:
        return _new_tuple(VError, (self.kind, (key, *self.path), self.message))


_new_tuple = tuple.__new__  # a NamedTuple without its Python-level __new__


class SchemaError(ValueError):
    """The schema itself is not valid JSON Schema."""


Check = Callable[[Any], VError | None]

_ANNOTATIONS = frozenset(
    {
        "$schema", "$id", "$comment", "$anchor", "title", "description", "default", "examples",
        "deprecated", "readOnly", "writeOnly", "contentMediaType", "contentEncoding",
        "$defs", "definitions", "x-taskkit",
    }
)  # fmt: skip
_SUPPORTED = _ANNOTATIONS | {
    "type", "enum", "const", "properties", "required", "additionalProperties", "items",
    "prefixItems", "minItems", "maxItems", "uniqueItems", "minimum", "maximum",
    "exclusiveMinimum", "exclusiveMaximum", "multipleOf", "minLength", "maxLength", "pattern",
    "format", "anyOf", "oneOf", "allOf", "not", "$ref", "minProperties", "maxProperties",
}  # fmt: skip


def _is_int(v: Any) -> bool:
    t = type(v)
    return t is int or (t is float and v.is_integer())  # False for NaN and the infinities


def _is_number(v: Any) -> bool:
    t = type(v)
    # NaN and the infinities are not JSON numbers: a value that is one never passes
    return t is int or (t is float and v - v == 0.0)


_TYPE_TESTS: dict[str, Callable[[Any], bool]] = {
    "string": lambda v: type(v) is str,
    "integer": _is_int,
    "number": _is_number,
    "boolean": lambda v: type(v) is bool,
    "object": lambda v: type(v) is dict,
    "array": lambda v: type(v) is list,
    "null": lambda v: v is None,
}

_DATE_TIME = re.compile(
    r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[Zz]|[+-]\d{2}:\d{2})$"
)
_TIME = re.compile(r"^\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[Zz]|[+-]\d{2}:\d{2})?$")
_SPACE = re.compile(r"\s")
_URI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s]*$")


def _fmt_date(v: str) -> bool:
    try:
        _dt.date.fromisoformat(v)
    except ValueError:
        return False
    return len(v) == 10


def _fmt_date_time(v: str) -> bool:
    if not _DATE_TIME.match(v):
        return False
    try:
        _dt.datetime.fromisoformat(v.replace("z", "Z").replace("Z", "+00:00"))
    except ValueError:
        return False
    return True


def _fmt_email(v: str) -> bool:
    """``local@domain.tld``: one ``@``, no space, a dot inside the domain. Tested with string
    methods: the regex this replaces backtracked quadratically on long text."""
    local, _, domain = v.partition("@")
    return bool(local) and "@" not in domain and "." in domain[1:-1] and _SPACE.search(v) is None


def _fmt_uuid(v: str) -> bool:
    try:
        uuid.UUID(v)
    except ValueError:
        return False
    return len(v) == 36


def _fmt_ip(version: int) -> Callable[[str], bool]:
    def test(v: str) -> bool:
        try:
            return ipaddress.ip_address(v).version == version
        except ValueError:
            return False

    return test


_FORMATS: dict[str, Callable[[str], bool]] = {
    "date": _fmt_date,
    "date-time": _fmt_date_time,
    "time": lambda v: bool(_TIME.match(v)),
    "email": _fmt_email,
    "uri": lambda v: bool(_URI.match(v)),
    "uuid": _fmt_uuid,
    "ipv4": _fmt_ip(4),
    "ipv6": _fmt_ip(6),
}


class Validator:
    """A schema compiled once. ``first_error(value)`` is the hot path."""

    __slots__ = ("first_error", "schema")

    first_error: Check
    """The first violation in ``value``, or None. The compiled closure itself, not a method
    wrapping it: a call saves one Python frame, which is a fifth of a small schema's cost."""

    def __init__(self, schema: Mapping[str, Any] | bool, check: Check) -> None:
        self.schema = schema
        self.first_error = check

    def is_valid(self, value: Any) -> bool:
        return self.first_error(value) is None


def compile_schema(schema: Mapping[str, Any] | bool) -> Validator:
    """Compile ``schema``; raise :class:`SchemaError` if it is not valid JSON Schema."""
    # A $ref loop would recurse forever on the first value; a nested repetition in a
    # pattern could take exponential time on pack data.
    bad = ref_problem(schema) or schema_pattern_problem(schema)
    if bad is not None:
        raise SchemaError(bad)
    try:
        problem = next(schema_problems(schema), None)
    except RecursionError:
        raise SchemaError("schema nested too deeply to check") from None
    if problem is not None:
        where = "/".join(map(str, problem[0]))
        raise SchemaError(f"{where}: {problem[1]}" if where else problem[1])
    return compile_trusted(schema)


def compile_trusted(schema: Mapping[str, Any] | bool) -> Validator:
    """Compile a schema already known to be valid (skips the metaschema check)."""
    if not _supported(schema):
        return Validator(schema, _fallback(schema))
    root = schema if isinstance(schema, Mapping) else {}
    return Validator(schema, _Compiler(root).compile(schema, depth=0))


def _supported(schema: Any) -> bool:
    if isinstance(schema, bool):
        return True
    if not isinstance(schema, Mapping):
        return False
    for key, sub in schema.items():
        if key not in _SUPPORTED:
            return False
        if key in ("properties", "$defs", "definitions"):
            if not all(_supported(s) for s in sub.values()):
                return False
        elif key in ("items", "additionalProperties", "not") and not isinstance(sub, bool):
            if not _supported(sub):
                return False
        elif key in ("prefixItems", "anyOf", "oneOf", "allOf"):
            if not all(_supported(s) for s in sub):
                return False
        elif key == "$ref" and not str(sub).startswith("#/"):
            return False
    return True


@functools.cache
def _safe_validator_class() -> Any:
    """jsonschema's 2020-12 validator with ``pattern`` on RE2 (see :mod:`taskkit.text.saferegex`):
    its own runs Python's backtracking engine on the agent's text."""
    import jsonschema  # noqa: PLC0415

    def pattern(validator: Any, patrn: str, instance: Any, schema: Any) -> Any:
        if not validator.is_type(instance, "string"):
            return
        try:
            matched = compile_safe(patrn).search(instance)
        except TooLong as exc:
            yield jsonschema.ValidationError(str(exc))
            return
        if not matched:
            yield jsonschema.ValidationError(f"{_short(instance)} does not match {quote(patrn)}")

    extend: Any = jsonschema.validators.extend  # untyped in the stubs
    return extend(jsonschema.Draft202012Validator, {"pattern": pattern})


def _fallback(schema: Mapping[str, Any] | bool) -> Check:
    # Imported here: a tenth of a second of every command's start-up, for the few schemas
    # outside the supported set.
    import jsonschema  # noqa: PLC0415

    validator = _safe_validator_class()(
        schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )
    kinds = {
        "required": "missing_required",
        "additionalProperties": "unexpected_parameter",
        "unevaluatedProperties": "unexpected_parameter",
        "enum": "enum_error",
        "const": "enum_error",
        "format": "format_error",
        "pattern": "format_error",
    }

    def check(value: Any) -> VError | None:
        err = jsonschema.exceptions.best_match(validator.iter_errors(value))
        if err is None:
            return None
        path = tuple(err.absolute_path)
        kind = kinds.get(str(err.validator))
        if kind is None:
            if err.validator in ("type", "anyOf", "oneOf", "allOf", "not"):
                kind = "type_error" if len(path) <= 1 else "nested_type_error"
            else:
                kind = "range_error"
        return VError(kind, path, err.message)

    return check


def _where(path: tuple[str | int, ...]) -> str:
    if len(path) == 1 and type(path[0]) is str:  # a top-level parameter, nearly always
        return path[0]
    return "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path).lstrip(".")


class _Compiler:
    def __init__(self, root: Mapping[str, Any]) -> None:
        self._root = root
        self._refs: dict[str, Check] = {}

    def compile(self, schema: Mapping[str, Any] | bool, *, depth: int) -> Check:
        if schema is True or schema == {}:
            return _ok
        if schema is False:
            return lambda v: VError("type_error", (), "no value is allowed here")
        assert isinstance(schema, Mapping)
        if schema.get("type") == "object" and _OBJECT_ONLY.issuperset(schema):
            return self._object(schema, depth, typed=True)  # the usual tool `parameters`
        checks: list[Check] = []
        if "$ref" in schema:
            checks.append(self._ref(schema["$ref"], depth))
        if "type" in schema:
            checks.append(_type_check(schema["type"], depth))
        if "enum" in schema:
            checks.append(_enum_check(schema["enum"]))
        if "const" in schema:
            checks.append(_enum_check([schema["const"]]))
        if "properties" in schema or "required" in schema or "additionalProperties" in schema:
            checks.append(self._object(schema, depth))
        if "minProperties" in schema or "maxProperties" in schema:
            checks.append(_count_check(schema, "Properties", dict, "properties"))
        if any(k in schema for k in ("items", "prefixItems", "uniqueItems")):
            checks.append(self._array(schema, depth))
        if "minItems" in schema or "maxItems" in schema:
            checks.append(_count_check(schema, "Items", list, "items"))
        if any(k in schema for k in _NUMERIC):
            checks.append(_numeric_check(schema))
        if any(k in schema for k in ("minLength", "maxLength", "pattern", "format")):
            checks.append(_string_check(schema))
        for key in ("allOf", "anyOf", "oneOf"):
            if key in schema:
                checks.append(self._combinator(key, schema[key], depth))
        if "not" in schema:
            inner = self.compile(schema["not"], depth=depth)
            checks.append(
                lambda v: (
                    VError("type_error", (), "value matches a schema it must not")
                    if inner(v) is None
                    else None
                )
            )
        return _chain(checks)

    def _ref(self, ref: str, depth: int) -> Check:
        if ref in self._refs:
            return self._refs[ref]
        target: Any = self._root
        for raw in ref[2:].split("/"):
            target = target[raw.replace("~1", "/").replace("~0", "~")]
        slot: list[Check] = []

        def deferred(v: Any) -> VError | None:  # recursive schemas refer to themselves
            return slot[0](v)

        self._refs[ref] = deferred
        slot.append(self.compile(target, depth=depth))
        return self._refs[ref]

    def _object(self, schema: Mapping[str, Any], depth: int, *, typed: bool = False) -> Check:
        """Properties, required and additionalProperties; with ``typed``, also the
        ``type: object`` test, so a tool's whole ``parameters`` is one function."""
        props = {
            k: self.compile(s, depth=depth + 1) for k, s in schema.get("properties", {}).items()
        }
        extra = schema.get("additionalProperties", True)
        # Per property, the values accepted without calling its check: most tool parameters
        # are a bare type or a string enum, so the common call never leaves the function.
        fields = tuple(
            (name, _accepts(schema["properties"][name]), sub) for name, sub in props.items()
        )
        return _object_function(
            fields,
            tuple(schema.get("required", ())),
            closed=extra is False,
            extra=None if isinstance(extra, bool) else self.compile(extra, depth=depth + 1),
            not_object=_type_check("object", depth) if typed else None,
        )

    def _array(self, schema: Mapping[str, Any], depth: int) -> Check:
        prefix = [self.compile(s, depth=depth + 1) for s in schema.get("prefixItems", ())]
        items = schema.get("items", True)
        item_check = self.compile(items, depth=depth + 1)
        unique = bool(schema.get("uniqueItems", False))

        def check(v: Any) -> VError | None:
            if type(v) is not list:
                return None
            for i, item in enumerate(v):
                sub = prefix[i] if i < len(prefix) else item_check
                err = sub(item)
                if err is not None:
                    return err.within(i)
            if unique:
                seen: list[Any] = []
                for item in v:
                    if item in seen:
                        return VError("range_error", (), "array items must be unique")
                    seen.append(item)
            return None

        return check

    def _combinator(self, key: str, subs: list[Any], depth: int) -> Check:
        compiled = [self.compile(s, depth=depth) for s in subs]
        if key == "allOf":
            return _chain(compiled)

        def check(v: Any) -> VError | None:
            errors = [c(v) for c in compiled]
            passed = sum(e is None for e in errors)
            if key == "anyOf" and passed:
                return None
            if key == "oneOf" and passed == 1:
                return None
            if passed > 1:
                return VError("type_error", (), "value matches more than one allowed shape")
            first = next(e for e in errors if e is not None)
            if first.path:  # the value had the right shape but a wrong part: say which
                return first
            kind = "type_error" if depth <= 1 else "nested_type_error"
            return VError(kind, (), "value matches none of the allowed shapes")

        return check


def _ok(_: Any) -> VError | None:
    return None


def _object_function(
    fields: tuple[tuple[str, _Inline, Check], ...],
    required: tuple[str, ...],
    *,
    closed: bool,
    extra: Check | None,
    not_object: Check | None,
) -> Check:
    """The object check as one straight-line function, one ``if`` per property.

    Verifying a call is mostly this function, and unrolled it runs faster than the loop over
    a tuple of per-property tuples (fewer objects to touch, no unpacking; the figure is in
    ``benchmarks/README.md``, "Figures the code points to"). Only
    our own fixed lines make up its source: everything that comes from the schema (names,
    types, enums, sub-checks) is bound as a variable in its namespace, never written into
    the source, so a pack's schema cannot put code into it.
    """
    ns: dict[str, Any] = {
        "_A": _ABSENT,
        "VError": VError,
        "quote": quote,
        "need": frozenset(required),
        "known": frozenset(name for name, *_ in fields),
        "required": required,
        "not_object": not_object,
        "extra": extra,
    }
    lines = [
        "def check(v):",
        "    if type(v) is not dict:",
        "        return None if not_object is None else not_object(v)",
    ]
    if required:
        lines += [
            "    if not need <= v.keys():",
            "        for name in required:",
            "            if name not in v:",
            "                return VError('missing_required', (name,),"
            " f'missing required parameter {quote(name)}')",
        ]
    if closed:
        lines += [
            "    if not v.keys() <= known:",
            "        for name in v:",
            "            if name not in known:",
            "                return VError('unexpected_parameter', (name,),"
            " f'unexpected parameter {quote(name)}')",
        ]
    for i, (name, inline, sub) in enumerate(fields):
        ns[f"k{i}"], ns[f"s{i}"] = name, sub
        passes = _inline_test(i, inline, ns)
        lines += [
            f"    x = v.get(k{i}, _A)",
            f"    if not ({passes}):",
            f"        e = s{i}(x)",
            "        if e is not None:",
            f"            return e.within(k{i})",
        ]
    if extra is not None:
        lines += [
            "    for name, item in v.items():",
            "        if name not in known:",
            "            e = extra(item)",
            "            if e is not None:",
            "                return e.within(name)",
        ]
    lines.append("    return None")
    exec(_code("\n".join(lines)), ns)  # our own source, schema values only in `ns` (see above)
    check: Check = ns["check"]
    return check


def _inline_test(i: int, inline: _Inline, ns: dict[str, Any]) -> str:
    """The source of property ``i``'s inline test (true: the value passes without calling
    its sub-check), its values bound in ``ns`` as ``t{i}``, ``w{i}``, ``lo{i}``, ``hi{i}``."""
    types, words, bounds = inline
    ns[f"t{i}"], ns[f"w{i}"] = types, words
    if bounds is not None:
        ns[f"lo{i}"], ns[f"hi{i}"] = bounds
    if not types:
        passes = "x is _A"
    elif words is not None:
        passes = f"x is _A or (type(x) is str and x in w{i})"
    elif bounds is not None and types == {str}:
        passes = f"x is _A or (type(x) is str and lo{i} <= len(x) <= hi{i})"
    elif bounds is not None:
        passes = f"x is _A or (type(x) in t{i} and lo{i} <= x <= hi{i})"
    elif len(types) == 1:
        (ns[f"t{i}"],) = types
        passes = f"x is _A or type(x) is t{i}"
    else:
        passes = f"x is _A or type(x) in t{i}"
    if float in types:
        # NaN and the infinities are floats but not JSON numbers: x - x is 0 only for a
        # finite x, so they fall through to the check, which refuses them
        passes = f"{passes} and (type(x) is not float or x - x == 0.0)"
    return passes


@functools.lru_cache(maxsize=1024)
def _code(source: str) -> CodeType:
    """Compiled once per shape: schemas of the same shape (a library's tools mostly share
    a few) differ only in the values bound in the namespace, and compiling is 20x the cost
    of binding."""
    return compile(source, "<taskkit object check>", "exec")


_ABSENT = object()
_OBJECT_ONLY = _ANNOTATIONS | {"type", "properties", "required", "additionalProperties"}
_PY_TYPES: dict[str, tuple[type, ...]] = {
    # "integer" leaves out float: 3.0 is an integer to JSON Schema, so it goes to the check.
    # "number" takes floats, but only finite ones pass inline (see _object_function).
    "string": (str,),
    "integer": (int,),
    "number": (int, float),
    "boolean": (bool,),
    "object": (dict,),
    "array": (list,),
    "null": (type(None),),
}


class _Inline(NamedTuple):
    """What a value may be to pass a property's schema with no check run (see _accepts)."""

    types: frozenset[type]
    words: frozenset[str] | None = None
    """A string enum."""
    bounds: tuple[Any, Any] | None = None
    """Inclusive bounds of the value (a number) or of its length (a string)."""


def _accepts(schema: Any) -> _Inline:
    """The values that pass ``schema`` with no check run: those of a bare ``type`` (plus
    annotations), of a string ``enum``, or of a number or string type with only bounds
    (``minimum``/``maximum``, ``minLength``/``maxLength``). Anything else gets no types,
    so its compiled check always runs; so do values outside what is said here, which the
    check then explains."""
    if not isinstance(schema, Mapping):
        return _Inline(frozenset())
    rest = schema.keys() - _ANNOTATIONS
    types = schema.get("type")
    names = [types] if isinstance(types, str) else types
    if rest == {"type"} and isinstance(names, list) and all(n in _PY_TYPES for n in names):
        return _Inline(frozenset(t for n in names for t in _PY_TYPES[n]))
    enum = schema.get("enum")
    if (
        rest in ({"enum"}, {"type", "enum"})
        and types in (None, "string")
        and isinstance(enum, list)
        and all(type(x) is str for x in enum)
    ):
        return _Inline(frozenset({str}), frozenset(enum))
    if types in ("integer", "number") and {"type"} < rest <= _VALUE_BOUNDS:
        lo, hi = schema.get("minimum", -math.inf), schema.get("maximum", math.inf)
        if type(lo) in (int, float) and type(hi) in (int, float):
            return _Inline(frozenset(_PY_TYPES[types]), bounds=(lo, hi))
    if types == "string" and {"type"} < rest <= _LENGTH_BOUNDS:
        lo, hi = schema.get("minLength", 0), schema.get("maxLength", sys.maxsize)
        if type(lo) is int and type(hi) is int:
            return _Inline(frozenset({str}), bounds=(lo, hi))
    return _Inline(frozenset())


_VALUE_BOUNDS = frozenset({"type", "minimum", "maximum"})
_LENGTH_BOUNDS = frozenset({"type", "minLength", "maxLength"})


def _chain(checks: list[Check]) -> Check:
    if not checks:
        return _ok
    if len(checks) == 1:
        return checks[0]
    if len(checks) == 2:  # the usual pair, a type and one constraint: no loop
        first, second = checks
        return lambda v: first(v) or second(v)  # a VError is a non-empty tuple: truthy
    seq = tuple(checks)

    def check(v: Any) -> VError | None:
        for c in seq:
            err = c(v)
            if err is not None:
                return err
        return None

    return check


_JSON_NAMES = {bool: "boolean", int: "integer", float: "number", str: "string", list: "array",
               dict: "object", type(None): "null"}  # fmt: skip


def _type_name(v: Any) -> str:
    return _JSON_NAMES.get(type(v)) or type(v).__name__


def _type_check(types: str | list[str], depth: int) -> Check:
    names = [types] if isinstance(types, str) else list(types)
    tests = tuple(_TYPE_TESTS[n] for n in names)
    kind = "type_error" if depth <= 1 else "nested_type_error"
    want = " or ".join(names)
    if len(tests) == 1:
        test = tests[0]

        def check1(v: Any) -> VError | None:
            if test(v):
                return None
            return VError(kind, (), f"expected {want}, got {_got(v)}")

        return check1

    def check(v: Any) -> VError | None:
        for test in tests:
            if test(v):
                return None
        return VError(kind, (), f"expected {want}, got {_got(v)}")

    return check


def quote(text: str, limit: int = 60) -> str:
    """``text`` as a JSON string cut to ``limit`` characters: how names and values appear
    in messages to the agent (JSON terms, not Python's)."""
    if len(text) > limit:
        return encode_basestring(text[: limit - 3])[:-1] + '..."'
    return encode_basestring(text)


def _short(v: Any) -> str:
    """``v`` as JSON text (``null``, ``true``, ``"text"``, ``[1, 2]``), cut to 40
    characters; a value that JSON cannot hold is named by its type."""
    t = type(v)
    if t is str:
        return quote(v, 40)
    if v is None:
        return "null"
    if t is bool:
        return "true" if v else "false"
    if t is int:
        # str() refuses ints of more than 4,300 digits, and no message needs them whole
        return str(v) if v.bit_length() <= 128 else f"(an integer of {v.bit_length()} bits)"
    if t is float:
        if v - v == 0.0:
            return repr(v)
        return "NaN" if math.isnan(v) else ("Infinity" if v > 0 else "-Infinity")
    try:
        text = json.dumps(v, ensure_ascii=False, allow_nan=True, default=_unjson)
    except (TypeError, ValueError, RecursionError):
        text = f"({_type_name(v)})"
    return text if len(text) <= 40 else text[:37] + "..."


def _unjson(v: Any) -> str:
    return f"({type(v).__name__})"


def _got(v: Any) -> str:
    """What a type error says it got: ``null``, ``boolean true``, ``string "5"``."""
    return "null" if v is None else f"{_type_name(v)} {_short(v)}"


_SHOWN = 8
"""Allowed values an enum error lists: the nearest to the wrong value first."""


def _enum_check(values: list[Any]) -> Check:
    # JSON equality: 1 == 1.0, but True is not 1.
    keyed = [(type(x) is bool, x) for x in values]

    grams: list[set[str] | None] = []  # the values' trigrams, made on the first error

    def check(v: Any) -> VError | None:
        if (type(v) is bool, v) in keyed:
            return None
        if len(values) > _SHOWN and not grams:
            grams.extend(_trigrams(x) if type(x) is str else None for x in values)
        return VError("enum_error", (), f"{_short(v)} is not one of {_allowed(values, v, grams)}")

    return check


def _allowed(values: list[Any], got: Any, value_grams: list[set[str] | None]) -> str:
    """The allowed values as the agent reads them: all of a short list in its own order;
    of a long one, the nearest to ``got`` first (a case-insensitive match before any), and
    how many more there are, so the value the agent meant is never cut off."""
    if len(values) <= _SHOWN:
        return ", ".join(_short(x) for x in values)
    grams = _trigrams(got) if type(got) is str else None
    folded = got.casefold() if type(got) is str else None

    def closeness(i: int) -> tuple[float, int]:
        x = values[i]
        if grams is not None and type(x) is str:
            if x.casefold() == folded:
                return (2.0, -i)
            return (_similarity(grams, value_grams[i] or set()), -i)
        if type(got) in (int, float) and type(x) in (int, float) and type(got) is not bool:
            try:
                return (1.0 / (1.0 + abs(float(x) - float(got))), -i)
            except OverflowError:
                return (0.0, -i)
        return (0.0, -i)

    nearest = heapq.nlargest(_SHOWN, range(len(values)), key=closeness)
    shown = ", ".join(_short(values[i]) for i in nearest)
    return f"{shown} (nearest first; {len(values) - _SHOWN} more)"


def _count_check(schema: Mapping[str, Any], suffix: str, typ: type, noun: str) -> Check:
    lo = schema.get("min" + suffix)
    hi = schema.get("max" + suffix)

    def check(v: Any) -> VError | None:
        if type(v) is not typ:
            return None
        n = len(v)  # type: ignore[arg-type]  # v is a dict or list here
        if lo is not None and n < lo:
            return VError("range_error", (), f"needs at least {lo} {noun}, got {n}")
        if hi is not None and n > hi:
            return VError("range_error", (), f"allows at most {hi} {noun}, got {n}")
        return None

    return check


_NUMERIC = ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf")


def _numeric_check(schema: Mapping[str, Any]) -> Check:
    lo, hi = schema.get("minimum"), schema.get("maximum")
    xlo, xhi = schema.get("exclusiveMinimum"), schema.get("exclusiveMaximum")
    step = schema.get("multipleOf")

    def check(v: Any) -> VError | None:
        if type(v) not in (int, float):
            return None
        if lo is not None and v < lo:
            return VError("range_error", (), f"{_short(v)} is below the minimum {_short(lo)}")
        if hi is not None and v > hi:
            return VError("range_error", (), f"{_short(v)} is above the maximum {_short(hi)}")
        if xlo is not None and v <= xlo:
            return VError("range_error", (), f"{_short(v)} must be greater than {_short(xlo)}")
        if xhi is not None and v >= xhi:
            return VError("range_error", (), f"{_short(v)} must be less than {_short(xhi)}")
        if step is not None and _not_multiple(v, step):
            return VError("range_error", (), f"{_short(v)} is not a multiple of {_short(step)}")
        return None

    return check


def _not_multiple(v: float, step: float) -> bool:
    """jsonschema's own test, so both validators agree to the last float."""
    if isinstance(step, float):
        try:
            quotient = v / step
        except OverflowError:  # an int too large for a float: no float step divides it
            return True
        if not math.isfinite(quotient):
            return True
        return int(quotient) != quotient
    return bool(v % step)


def _string_check(schema: Mapping[str, Any]) -> Check:
    lo, hi = schema.get("minLength"), schema.get("maxLength")
    # RE2 when it takes the pattern (linear time on whatever the agent sends)
    pattern = compile_safe(schema["pattern"]) if "pattern" in schema else None
    fmt_name = schema.get("format")
    fmt = _FORMATS.get(fmt_name) if isinstance(fmt_name, str) else None

    def check(v: Any) -> VError | None:
        if type(v) is not str:
            return None
        if lo is not None and len(v) < lo:
            return VError("range_error", (), f"{_short(v)} is shorter than {lo} characters")
        if hi is not None and len(v) > hi:
            return VError("range_error", (), f"{_short(v)} is longer than {hi} characters")
        if pattern is not None:
            try:
                matched = pattern.search(v)
            except TooLong as exc:
                return VError("format_error", (), str(exc))
            if not matched:
                return VError(
                    "format_error", (), f"{_short(v)} does not match {quote(pattern.pattern)}"
                )
        if fmt is not None and not fmt(v):
            return VError("format_error", (), f"{_short(v)} is not a valid {fmt_name}")
        return None

    return check


def describe(err: VError) -> str:
    """``message (at a.b[0])``, for diagnostics and agent-facing errors."""
    return f"{err.message} (at {_where(err.path)})" if err.path else err.message
