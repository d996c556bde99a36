"""Where two JSON-like values first differ (for messages a person can follow)."""

from __future__ import annotations

from typing import Any

__all__ = ["first_difference"]


def first_difference(a: Any, b: Any, where: str = "") -> tuple[str, Any, Any] | None:
    """``(path, a's value, b's value)`` at the first difference, or ``None``.

    Leaves must be equal *and* of one type: ``1`` and ``1.0`` are different JSON output."""
    if isinstance(a, dict) and isinstance(b, dict):
        for key in dict.fromkeys([*a, *b]):
            found = first_difference(
                a.get(key), b.get(key), f"{where}.{key}" if where else str(key)
            )
            if found is not None:
                return found
        return None if list(a) == list(b) else (where, list(a), list(b))
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            found = first_difference(x, y, f"{where}[{i}]")
            if found is not None:
                return found
        return None
    return None if a == b and type(a) is type(b) else (where, a, b)
