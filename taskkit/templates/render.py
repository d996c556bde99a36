"""Filling an abstract task's templates with one content entry.

Lint (to check gold actions per entry) and compile (to build runnable tasks) render through
these functions, so they can never disagree about what an entry produces.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .environment import TemplateError, is_template, render_string, render_value

__all__ = ["RenderError", "entry_context", "render_at"]


class RenderError(Exception):
    """A template failed for one entry; ``loc`` is its key path in the task document."""

    def __init__(self, loc: tuple[str | int, ...], error: TemplateError) -> None:
        super().__init__(error.message)
        self.loc = loc
        self.error = error


def entry_context(entry: Mapping[str, Any]) -> dict[str, Any]:
    """Template variables of an entry: its fields, and the whole entry as ``entry``."""
    return {**entry, "entry": entry}


def render_at(value: Any, context: Mapping[str, Any], loc: tuple[str | int, ...]) -> Any:
    """Render ``value`` (found at ``loc``); a failure names the exact templated string."""
    try:
        return render_value(value, context)
    except TemplateError:
        pass
    return _locate_failure(value, context, loc)


def _locate_failure(value: Any, context: Mapping[str, Any], loc: tuple[str | int, ...]) -> Any:
    if isinstance(value, str):
        try:
            return render_string(value, context) if is_template(value) else value
        except TemplateError as exc:
            raise RenderError(loc, exc) from None
    if isinstance(value, dict):
        return {k: _locate_failure(v, context, (*loc, k)) for k, v in value.items()}
    if isinstance(value, list):
        return [_locate_failure(v, context, (*loc, i)) for i, v in enumerate(value)]
    return value
