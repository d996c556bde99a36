"""Queries over the world state: named collections of records, as in tau-bench.

Conditions (``where``) are ``field: value`` (equality) or ``field: {op: value}``; a field is
a dotted path. Matching is exact by default, as an exact-state benchmark needs: strings as
written, numbers by value, ``True`` never ``1``. ``ieq``, ``icontains`` and ``istartswith``
ignore case and surrounding spaces, where a tool means to (a search box). A condition whose
value is null is skipped, so ``{{ args.max_price | default(none) }}`` needs no special case.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping
from typing import Any

from .paths import MISSING, get_path

__all__ = [
    "OPERATORS",
    "eq_key",
    "equal",
    "equalities",
    "find",
    "iequal",
    "matches",
    "memberships",
    "norm",
    "sort_records",
]


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


def _fold(value: str) -> str:
    return value.strip().casefold()


def equal(field: Any, value: Any) -> bool:
    """Exact equality: strings as written, numbers by value (``1`` equals ``1.0``), never a
    boolean with a number (``True`` is not ``1``), lists and objects item by item."""
    if type(field) is str and type(value) is str:
        return field == value  # the common case, once per record of a scan
    a, b = eq_key(field), eq_key(value)
    if a is not None or b is not None:
        return a is not None and a == b
    if isinstance(field, list) and isinstance(value, list):
        return len(field) == len(value) and all(map(equal, field, value))
    if isinstance(field, dict) and isinstance(value, dict):
        return field.keys() == value.keys() and all(equal(field[k], value[k]) for k in field)
    return False  # NaN, or a list against an object


def iequal(field: Any, value: Any) -> bool:
    """:func:`equal`, but strings ignore case and surrounding spaces."""
    if isinstance(field, str) and isinstance(value, str):
        return _fold(field) == _fold(value)
    return equal(field, value)


def _num(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return value
    return norm(value)


def _order(op: Callable[[Any, Any], bool]) -> Callable[[Any, Any], bool]:
    def test(field: Any, value: Any) -> bool:
        if isinstance(field, bool) != isinstance(value, bool):
            return False  # True is not 1, nor more than 0
        a, b = _num(field), _num(value)
        try:
            return op(a, b)
        except TypeError:
            return False

    return test


def _contains(same: Callable[[Any, Any], bool], fold: Callable[[str], str]) -> Callable[..., bool]:
    def test(field: Any, value: Any) -> bool:
        if isinstance(field, str):
            return isinstance(value, str) and fold(value) in fold(field)
        if isinstance(field, list):
            return any(same(x, value) for x in field)
        return False

    return test


def _startswith(fold: Callable[[str], str]) -> Callable[[Any, Any], bool]:
    def test(field: Any, value: Any) -> bool:
        return isinstance(field, str) and fold(field).startswith(fold(_text(value)))

    return test


def _in(field: Any, value: Any) -> bool:
    return isinstance(value, list) and any(equal(field, x) for x in value)


def _same(text: str) -> str:
    return text


OPERATORS: dict[str, Callable[[Any, Any], bool]] = {
    "eq": equal,
    "ne": lambda f, v: not equal(f, v),
    "ieq": iequal,
    "gt": _order(lambda a, b: a > b),
    "gte": _order(lambda a, b: a >= b),
    "lt": _order(lambda a, b: a < b),
    "lte": _order(lambda a, b: a <= b),
    "contains": _contains(equal, _same),
    "icontains": _contains(iequal, _fold),
    "in": _in,
    "not_in": lambda f, v: isinstance(v, list) and not _in(f, v),
    "startswith": _startswith(_same),
    "istartswith": _startswith(_fold),
}


def matches(record: Mapping[str, Any], where: Mapping[str, Any] | None) -> bool:
    """Whether ``record`` satisfies every (non-null) condition of ``where``; a field is a
    dotted path (``address.zip``), and a record without it fails any condition on it."""
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
                got = get_path(record, field)
                if got is MISSING or not test(got, value):
                    return False
        elif cond is not None:
            got = get_path(record, field)
            if got is MISSING or not equal(got, cond):
                return False
    return True


def equalities(where: Mapping[str, Any] | None) -> Iterator[tuple[str, Any]]:
    """The ``(field, value)`` exact-equality conditions of ``where`` (what an index answers)."""
    for field, cond in (where or {}).items():
        if isinstance(cond, dict):
            if cond.get("eq") is not None:
                yield field, cond["eq"]
        elif cond is not None:
            yield field, cond


def memberships(where: Mapping[str, Any] | None) -> Iterator[tuple[str, list[Any]]]:
    """The ``(field, values)`` of the ``in`` conditions of ``where`` whose values are a list
    (an index answers each value as an equality)."""
    for field, cond in (where or {}).items():
        if isinstance(cond, dict) and isinstance(cond.get("in"), list):
            yield field, cond["in"]


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
        keyed = [(r, get_path(r, name)) for r in records]
        present = [(r, v) for r, v in keyed if v is not None and v is not MISSING]
        missing = [r for r, v in keyed if v is None or v is MISSING]
        present.sort(key=lambda rv: _sort_value(rv[1]), reverse=desc)
        records = [r for r, _ in present] + missing
    return records


def _sort_value(value: Any) -> tuple[int, Any]:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return (0, value)
    return (1, _text(value).casefold())
