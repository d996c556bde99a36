"""Queries over the world state: named collections of records with ids, as in tau-bench.

Conditions (``where``) are ``field: value`` (equality) or ``field: {op: value}``. String
equality ignores case and surrounding spaces, as a search service would. A condition whose
value is null is skipped, so ``{{ args.max_price | default(none) }}`` needs no special case.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Hashable, Iterable, Mapping
from typing import Any

__all__ = ["OPERATORS", "eq_key", "find", "matches", "norm", "sort_records"]


def eq_key(value: Any) -> Hashable | None:
    """The hashable form under which exact equality is dict lookup: strings as they are,
    numbers by value (``1`` and ``1.0`` share one), booleans apart from numbers (``True``
    is never ``1``), null; ``None`` for what an index cannot hold (a list, an object, NaN),
    which is then compared by scanning."""
    if value is None:
        return ("z", None)
    if isinstance(value, bool):
        return ("b", value)
    if isinstance(value, str):
        return ("s", value)
    if isinstance(value, int):
        return ("n", value)
    if isinstance(value, float):
        return None if math.isnan(value) else ("n", value)
    return None


def norm(value: Any) -> Any:
    """Comparison form: strings case-folded and stripped; numbers as floats (an int too
    large for a float stays an int: Python compares the two exactly, and the agent may
    send one)."""
    if isinstance(value, str):
        return value.strip().casefold()
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        try:
            return float(value)
        except OverflowError:
            return value
    return value


def _text(value: Any) -> str:
    """``str(value)``, except that an int of thousands of digits (which ``str`` refuses)
    becomes a marker that equals no real text."""
    try:
        return str(value)
    except ValueError:
        return "\x00(a very long integer)"


def _num(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return value
    return norm(value)


def _order(op: Callable[[Any, Any], bool]) -> Callable[[Any, Any], bool]:
    def test(field: Any, value: Any) -> bool:
        a, b = _num(field), _num(value)
        try:
            return op(a, b)
        except TypeError:
            return False

    return test


def _contains(field: Any, value: Any) -> bool:
    if isinstance(field, str):
        return norm(value) in norm(field) if isinstance(value, str) else False
    if isinstance(field, list):
        return norm(value) in [norm(x) for x in field]
    return False


def _in(field: Any, value: Any) -> bool:
    return isinstance(value, list) and norm(field) in [norm(x) for x in value]


OPERATORS: dict[str, Callable[[Any, Any], bool]] = {
    "eq": lambda f, v: norm(f) == norm(v),
    "ne": lambda f, v: norm(f) != norm(v),
    "gt": _order(lambda a, b: a > b),
    "gte": _order(lambda a, b: a >= b),
    "lt": _order(lambda a, b: a < b),
    "lte": _order(lambda a, b: a <= b),
    "contains": _contains,
    "icontains": _contains,
    "in": _in,
    "not_in": lambda f, v: isinstance(v, list) and not _in(f, v),
    "startswith": lambda f, v: isinstance(f, str) and norm(f).startswith(norm(_text(v))),
}


def matches(record: Mapping[str, Any], where: Mapping[str, Any] | None) -> bool:
    """Whether ``record`` satisfies every (non-null) condition of ``where``."""
    if not where:
        return True
    for field, cond in where.items():
        if isinstance(cond, dict):
            for op, value in cond.items():
                if value is None:
                    continue
                test = OPERATORS.get(op)
                if test is None:  # a require's where is not schema-checked: refuse, don't crash
                    raise ValueError(f"unknown where operator {op!r}")
                if field not in record or not test(record[field], value):
                    return False
        elif cond is not None and (field not in record or norm(record[field]) != norm(cond)):
            return False
    return True


def find(records: Iterable[Any], where: Mapping[str, Any] | None) -> list[dict[str, Any]]:
    return [r for r in records if isinstance(r, dict) and matches(r, where)]


def sort_records(
    records: list[dict[str, Any]], keys: str | list[str] | None
) -> list[dict[str, Any]]:
    """Stable sort by each key in turn; ``-key`` descends; missing values sort last."""
    if not keys:
        return records
    for key in reversed([keys] if isinstance(keys, str) else keys):
        desc = key.startswith("-")
        name = key.lstrip("-")
        present = [r for r in records if r.get(name) is not None]
        missing = [r for r in records if r.get(name) is None]
        present.sort(key=lambda r: _sort_value(r[name]), reverse=desc)
        records = present + missing
    return records


def _sort_value(value: Any) -> tuple[int, Any]:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return (0, value)
    return (1, _text(value).casefold())
