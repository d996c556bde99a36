"""Template variables a task's templates may read."""

from __future__ import annotations

from typing import Any

__all__ = ["JINJA_GLOBALS", "optional_fields", "task_variables"]

JINJA_GLOBALS = frozenset(
    {"range", "dict", "lipsum", "cycler", "joiner", "namespace", "true", "false", "none"}
)


def task_variables(fields: dict[str, Any]) -> frozenset[str] | None:
    """Content fields plus ``entry``; ``None`` when the schema does not list its fields."""
    props = fields.get("properties")
    if not isinstance(props, dict):
        return None
    return frozenset(props) | {"entry", "id"}


def optional_fields(fields: dict[str, Any]) -> frozenset[str]:
    props = fields.get("properties")
    if not isinstance(props, dict):
        return frozenset()
    required = fields.get("required", [])
    if not isinstance(required, list):  # an invalid schema: TK402 reports it, not its effects
        return frozenset()
    return frozenset(p for p in props if p not in required)
