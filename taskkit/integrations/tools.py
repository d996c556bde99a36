"""A compiled task's tools as Python functions: real signatures, type hints and Google-style
docstrings built from each tool's JSON Schema, so that frameworks which read tools off
functions (TRL's environments, ``transformers.utils.get_json_schema``) offer the model the
same tools the task does.

Type hints carry what they can (``str``, ``int``, ``float``, ``bool``, ``list[...]``,
``dict``, ``Literal[...]`` for enums, ``X | None = None`` for optional parameters); what a hint
cannot say (nested object properties, bounds, formats) goes into the argument's description.
The function body does not trust its signature: every call is verified by taskkit against the
tool's real schema, whatever keyword arguments arrive.
"""

from __future__ import annotations

import inspect
import json
import keyword
from collections.abc import Callable, Mapping
from typing import Any, Literal

__all__ = ["docstring", "signature_of", "tool_function", "type_hint"]

_SCALARS: dict[str, Any] = {"string": str, "integer": int, "number": float, "boolean": bool}

Invoke = Callable[[Any, str, dict[str, Any]], str]
"""``invoke(self, tool_name, arguments) -> observation text``."""


def type_hint(schema: Mapping[str, Any]) -> Any:
    """The Python type hint that says most of ``schema`` in the terms TRL understands."""
    enum = schema.get("enum")
    if (
        isinstance(enum, list)
        and enum
        and all(isinstance(v, str | int | float | bool) for v in enum)
    ):
        return Literal.__getitem__(tuple(enum))  # a Literal built at run time
    kind = schema.get("type")
    if isinstance(kind, list):  # ["string", "null"]: the non-null part
        kinds = [k for k in kind if k != "null"]
        kind = kinds[0] if len(kinds) == 1 else None
    if kind in _SCALARS:
        return _SCALARS[kind]
    if kind == "array":
        items = schema.get("items")
        if isinstance(items, Mapping) and items:
            return list.__class_getitem__(type_hint(items))  # list[...] built at run time
        return list
    if kind == "object":
        return dict
    return str  # no type a hint can say (anyOf, no type): the model writes text, taskkit judges


def _describe(name: str, schema: Mapping[str, Any]) -> str:
    """What the hint leaves out: the description, nested fields, bounds and formats."""
    parts = [str(schema.get("description") or "").strip().rstrip(".")]
    if schema.get("type") == "object" and isinstance(schema.get("properties"), Mapping):
        fields = ", ".join(
            f"{name} ({sub.get('type', 'any')})" for name, sub in schema["properties"].items()
        )
        if fields:
            parts.append(f"an object with {fields}")
    for key, words in (
        ("minimum", "at least"),
        ("maximum", "at most"),
        ("minLength", "at least this many characters:"),
        ("maxLength", "at most this many characters:"),
        ("format", "format"),
        ("default", "default"),
    ):
        if key in schema:
            parts.append(f"{words} {json.dumps(schema[key])}")
    text = "; ".join(p for p in parts if p) or name.replace("_", " ")
    return " ".join(text.split())  # one line: Google-style args are one entry a line


def docstring(description: str, parameters: Mapping[str, Any]) -> str:
    """A Google-style docstring: the tool's description, then ``Args:`` one line each."""
    lines = [" ".join(description.split()) or "A tool.", ""]
    props = parameters.get("properties") or {}
    if props:
        lines.append("Args:")
        lines.extend(f"    {name}: {_describe(name, sub)}" for name, sub in props.items())
        lines.append("")
    lines += ["Returns:", "    The tool's result as JSON text, or an error message."]
    return "\n".join(lines)


def signature_of(parameters: Mapping[str, Any]) -> inspect.Signature:
    """``(self, *, required..., optional=None...)`` from an object schema's properties."""
    props: Mapping[str, Any] = parameters.get("properties") or {}
    required = set(parameters.get("required") or ())
    params = [inspect.Parameter("self", inspect.Parameter.POSITIONAL_OR_KEYWORD)]
    for name, sub in props.items():
        if not name.isidentifier() or keyword.iskeyword(name):
            raise ValueError(f"parameter {name!r} is not a Python identifier")
        hint = type_hint(sub if isinstance(sub, Mapping) else {})
        if name in required:
            params.append(inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, annotation=hint))
        else:
            params.append(
                inspect.Parameter(
                    name, inspect.Parameter.KEYWORD_ONLY, annotation=hint | None, default=None
                )
            )
    return inspect.Signature(params, return_annotation=str)


_OMITTED: Any = None
"""What an optional parameter the model left out arrives as (dropped before verification)."""


def tool_function(
    name: str, description: str, parameters: Mapping[str, Any], invoke: Invoke
) -> Callable[..., str]:
    """A method named ``name`` that calls ``invoke(self, name, arguments)``.

    Its signature and docstring are for the framework to read; the body accepts any keyword
    arguments (an unexpected one is the verifier's verdict, not a Python TypeError), and
    optional parameters left at ``None`` are dropped, as if the model had not written them.
    """
    sig = signature_of(parameters)
    optional = {p.name for p in sig.parameters.values() if p.default is None}

    def method(self: Any, *args: Any, **kwargs: Any) -> str:
        if args:  # a tool is called with keywords; positional values are the model's mistake
            return f"error: {name} takes keyword arguments only, got {len(args)} positional"
        arguments = {k: v for k, v in kwargs.items() if not (k in optional and v is _OMITTED)}
        return invoke(self, name, arguments)

    method.__name__ = method.__qualname__ = name
    method.__doc__ = docstring(description, parameters)
    method.__signature__ = sig  # type: ignore[attr-defined]
    method.__annotations__ = {
        p.name: p.annotation for p in sig.parameters.values() if p.name != "self"
    } | {"return": str}
    return method
