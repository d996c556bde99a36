"""``$ref`` in a pack's JSON Schemas: each must resolve inside the schema, and none may lead
back to itself without first descending into a property or an item.

``{"$ref": "#"}`` at the top of a schema, or two definitions that refer to each other, send
any validator into endless recursion on the first value checked; a reference to another
document would make validation fetch it. Both are refused when the schema is compiled.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

__all__ = ["ref_problem"]

# Keywords whose subschemas apply to the same value (no descent into the instance).
_SAME_VALUE_LISTS = ("allOf", "anyOf", "oneOf")
_SAME_VALUE_ONE = ("not", "if", "then", "else")


def ref_problem(schema: Any) -> str | None:
    """Why the ``$ref`` of ``schema`` cannot be used, or ``None``."""
    if not isinstance(schema, Mapping):
        return None
    refs = list(_all_refs(schema))
    for ref in refs:
        if not isinstance(ref, str) or not (ref == "#" or ref.startswith("#/")):
            return f"$ref {ref!r} is not a reference inside this schema ('#/...')"
        if _resolve(schema, ref) is _MISSING:
            return f"$ref {ref!r} does not resolve"
    try:
        for ref in dict.fromkeys(refs):
            if _loops(schema, ref):
                return f"$ref {ref!r} refers back to itself without descending into a value"
    except RecursionError:  # `not` inside `not` inside ...
        return "schema nested too deeply to check"
    return None


_MISSING = object()


def _resolve(root: Mapping[str, Any], ref: str) -> Any:
    target: Any = root
    for raw in ref[2:].split("/") if ref != "#" else ():
        key = raw.replace("~1", "/").replace("~0", "~")
        if isinstance(target, Mapping) and key in target:
            target = target[key]
        elif isinstance(target, list) and key.isdigit() and int(key) < len(target):
            target = target[int(key)]
        else:
            return _MISSING
    return target


def _all_refs(root: Any) -> Iterator[Any]:
    """Every ``$ref`` value anywhere in ``root`` (a walk with a stack: schemas may nest
    deeper than Python recursion goes)."""
    stack = [root]
    while stack:
        node = stack.pop()
        if isinstance(node, Mapping):
            if "$ref" in node:
                yield node["$ref"]
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)


def _same_value_refs(node: Any) -> Iterator[str]:
    """The references checked against the very value ``node`` checks."""
    if not isinstance(node, Mapping):
        return
    ref = node.get("$ref")
    if isinstance(ref, str):
        yield ref
    for key in _SAME_VALUE_LISTS:
        subs = node.get(key)
        if isinstance(subs, list):
            for sub in subs:
                yield from _same_value_refs(sub)
    for key in _SAME_VALUE_ONE:
        yield from _same_value_refs(node.get(key))


def _loops(root: Mapping[str, Any], start: str) -> bool:
    seen: set[str] = set()
    todo = [start]
    while todo:
        ref = todo.pop()
        if ref in seen:
            if ref == start:
                return True
            continue
        seen.add(ref)
        for nxt in _same_value_refs(_resolve(root, ref)):
            if nxt == start:
                return True
            todo.append(nxt)
    return False
