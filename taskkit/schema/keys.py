"""Which keys are allowed where: the basis of "did you mean" for unknown keys."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from ..models import KINDS

__all__ = ["allowed_keys"]


@lru_cache(maxsize=len(KINDS))  # one per kind of document
def _schema(kind: str) -> dict[str, Any]:
    return KINDS[kind].model_json_schema()


def allowed_keys(kind: str | None, loc: Sequence[str | int], parent: Any) -> list[str]:
    """Property names of the (sub)schema that validates the mapping at ``loc``."""
    if kind not in KINDS:
        return []
    root = _schema(kind)
    node: Any = root
    for part in loc:
        node = _branch(root, node, None)
        if isinstance(part, int):
            node = node.get("items", {})
        else:
            node = node.get("properties", {}).get(part, {})
    node = _branch(root, node, parent)
    return sorted(node.get("properties", {}))


def _deref(root: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        node = root["$defs"][node["$ref"].rsplit("/", 1)[-1]]
    return node


def _branch(root: dict[str, Any], node: dict[str, Any], data: Any) -> dict[str, Any]:
    """Resolve refs and pick the union member that fits ``data`` best."""
    node = _deref(root, node)
    options = node.get("oneOf") or node.get("anyOf")
    if not options:
        return node
    members = [_deref(root, o) for o in options]
    members = [m for m in members if "properties" in m] or members
    if isinstance(data, dict):
        tag = data.get("check")
        for m in members:
            const = m.get("properties", {}).get("check", {}).get("const")
            if tag is not None and const == tag:
                return m
        return max(members, key=lambda m: len(set(m.get("properties", {})) & set(data)))
    return members[0] if members else node
