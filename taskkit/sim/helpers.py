"""Safe helpers that behaviour templates may call: arithmetic, rounding, sums, dates.

Every helper is pure, returns native values (an int stays an int) and checks its inputs:
wrong types or absurd sizes raise :class:`HelperError`, which the simulator turns into a
``behavior_error`` observation, never a traceback. :data:`HELPERS` is the one table: the
behaviour context, lint (arity, TK411) and the docs read it.

``calc`` evaluates arithmetic without Python's ``eval``: the expression is parsed with
:mod:`ast` and only numbers, names given as keyword arguments, ``+ - * / // % **``, unary
minus and parentheses are evaluated; anything else (attributes, calls, subscripts) is
refused before anything runs.
"""

from __future__ import annotations

import ast
import datetime as dt
import math
import operator
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

__all__ = ["HELPERS", "Helper", "HelperError", "calc", "helper_context"]


class HelperError(ValueError):
    """A helper called with the wrong types or values."""


MAX_EXPONENT = 1000
"""The largest exponent ``calc`` raises to (``2 ** 1000`` is already 302 digits)."""
MAX_INT_BITS = 4096
"""The largest integer a helper may produce (about 1,200 digits)."""
MAX_EXPRESSION = 1000
"""The longest expression ``calc`` parses (characters)."""
MAX_ITEMS = 1_000_000
"""The longest list a helper builds."""


def _number(name: str, value: Any) -> int | float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise HelperError(f"{name} must be a number, got {_kind(value)}")
    return value


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    return {bool: "a boolean", str: "a string", list: "a list", dict: "an object"}.get(
        type(value), type(value).__name__
    )


def _checked(value: int | float, what: str) -> int | float:
    if isinstance(value, int) and value.bit_length() > MAX_INT_BITS:
        raise HelperError(f"{what}: the result is too large a number")
    if isinstance(value, float) and not math.isfinite(value):
        raise HelperError(f"{what}: the result is not a finite number")
    return value


# --- calc --------------------------------------------------------------------------------

_BINARY: dict[type[ast.operator], Callable[[Any, Any], Any]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.FloorDiv: operator.floordiv,
    ast.Mod: operator.mod,
    ast.Pow: operator.pow,
}
_UNARY: dict[type[ast.unaryop], Callable[[Any], Any]] = {
    ast.USub: operator.neg,
    ast.UAdd: operator.pos,
}


@lru_cache(maxsize=4096)
def parse_calc(expr: str) -> ast.expr:
    """The checked tree of a ``calc`` expression; :class:`HelperError` when it is not one.
    Kept for the expressions packs write (lint reads them again and again)."""
    return _checked_tree(expr)


def _checked_tree(expr: str) -> ast.expr:
    if len(expr) > MAX_EXPRESSION:
        raise HelperError(f"calc: the expression is over {MAX_EXPRESSION} characters")
    try:
        tree = ast.parse(expr.strip(), mode="eval").body
    except (SyntaxError, ValueError, RecursionError, MemoryError) as exc:
        raise HelperError(f"calc: {expr!r} is not an arithmetic expression ({exc})") from None
    # ast.walk's order (breadth first), without its generators and the operator and
    # context nodes it also yields (they are checked with their parent): the first node
    # refused is the one the walk would meet first, at a fifth of the walk's cost
    queue: deque[ast.expr] = deque([tree])
    while queue:
        node = queue.popleft()
        if isinstance(node, ast.BinOp):
            if type(node.op) not in _BINARY:
                raise HelperError(f"calc: operator {type(node.op).__name__} is not allowed")
            queue.append(node.left)
            queue.append(node.right)
        elif isinstance(node, ast.UnaryOp):
            if type(node.op) not in _UNARY:
                raise HelperError(f"calc: operator {type(node.op).__name__} is not allowed")
            queue.append(node.operand)
        elif isinstance(node, ast.Constant):
            if isinstance(node.value, bool) or not isinstance(node.value, int | float):
                raise HelperError(f"calc: {node.value!r} is not a number")
        elif not isinstance(node, ast.Name):
            raise HelperError(f"calc: {type(node).__name__} is not allowed (only arithmetic)")
    return tree


def calc_names(expr: str) -> frozenset[str]:
    """The names a ``calc`` expression reads (lint checks each is passed)."""
    return frozenset(n.id for n in ast.walk(parse_calc(expr)) if isinstance(n, ast.Name))


def _bits(n: int | float) -> int:
    return n.bit_length() if isinstance(n, int) else 0


def _power(base: int | float, exp: int | float) -> int | float:
    if abs(exp) > MAX_EXPONENT:
        raise HelperError(f"calc: exponent {exp!r} is over {MAX_EXPONENT}")
    ints = isinstance(base, int) and isinstance(exp, int)
    if ints and exp > 0 and _bits(base) * exp > MAX_INT_BITS:
        raise HelperError("calc: the result is too large a number")
    result: int | float = base**exp
    if isinstance(result, complex):
        raise HelperError("calc: a negative number to a fractional power")
    return result


Calc = Callable[[dict[str, Any]], int | float]


CACHED_CALC_CHARS = 200
"""The longest ``calc`` expression kept compiled. A tool's own expressions are short and
evaluated on every call; an agent's (a calculator tool's argument) may be up to
:data:`MAX_EXPRESSION` characters, each new, and a model sending thousands of long ones
would fill the cache with their closures (tens of kB each)."""


@lru_cache(maxsize=1024)
def _compiled_calc(expr: str) -> Calc:
    """A ``calc`` expression as closures over the names: a tool evaluates the same few on
    every call, and walking the tree per call was most of a call's cost."""
    return _compile(_checked_tree(expr))


def _compile(node: ast.expr) -> Calc:
    if isinstance(node, ast.Constant):
        value = _number("calc", node.value)  # checked by parse_calc already
        return lambda names: value
    if isinstance(node, ast.Name):
        return _name(node.id)
    if isinstance(node, ast.UnaryOp):
        unary, operand = _UNARY[type(node.op)], _compile(node.operand)
        return lambda names: _checked(unary(operand(names)), "calc")
    assert isinstance(node, ast.BinOp)
    left, right = _compile(node.left), _compile(node.right)
    if isinstance(node.op, ast.Pow):
        return lambda names: _checked(_power(left(names), right(names)), "calc")
    binary, multiplies = _BINARY[type(node.op)], isinstance(node.op, ast.Mult)

    def apply(names: dict[str, Any]) -> int | float:
        a, b = left(names), right(names)
        ints = isinstance(a, int) and isinstance(b, int)
        if ints and multiplies and _bits(a) + _bits(b) > MAX_INT_BITS:
            raise HelperError("calc: the result is too large a number")
        try:
            return _checked(binary(a, b), "calc")
        except ZeroDivisionError:
            raise HelperError("calc: division by zero") from None
        except OverflowError:
            raise HelperError("calc: the result is too large a number") from None

    return apply


def _name(name: str) -> Calc:
    what = f"calc: {name!r}"

    def load(names: dict[str, Any]) -> int | float:
        if name not in names:
            raise HelperError(f"calc: {name!r} is not given (pass it: {name}=...)")
        return _checked(_number(what, names[name]), "calc")

    return load


def calc(expr: Any, **names: Any) -> int | float:
    """``calc('a * b', a=2, b=3.5)``: arithmetic on numbers and the names given."""
    if not isinstance(expr, str):
        raise HelperError(f"calc: the expression must be a string, got {_kind(expr)}")
    try:
        if len(expr) <= CACHED_CALC_CHARS:
            return _compiled_calc(expr)(names)
        return _compile(_checked_tree(expr))(names)
    except RecursionError:
        raise HelperError("calc: the expression is nested too deeply") from None


# --- numbers and lists ---------------------------------------------------------------------


def _round(x: Any, n: Any = None) -> int | float:
    number = _number("round: x", x)
    if n is None:
        return round(number)
    if isinstance(n, bool) or not isinstance(n, int) or abs(n) > 100:
        raise HelperError(f"round: n must be a whole number up to 100, got {n!r}")
    return round(number, n)


def _list(name: str, value: Any) -> list[Any]:
    if not isinstance(value, list | tuple):
        raise HelperError(f"{name} must be a list, got {_kind(value)}")
    return list(value)


def _sum(values: Any) -> int | float:
    total: int | float = 0
    for i, v in enumerate(_list("sum: the argument", values)):
        if isinstance(v, bool) or not isinstance(v, int | float):
            _number(f"sum: item {i}", v)  # says why (the message only when it is needed)
        total = _checked(total + v, "sum")
    return total


def _zip(*lists: Any) -> list[list[Any]]:
    if not lists:
        raise HelperError("zip needs at least one list")
    columns = [_list(f"zip: argument {i + 1}", a) for i, a in enumerate(lists)]
    return [list(t) for t in zip(*columns, strict=False)]  # as Python's: the shortest wins


def _extreme(name: str, pick: Callable[..., Any], args: tuple[Any, ...]) -> Any:
    items = _list(f"{name}: the argument", args[0]) if len(args) == 1 else list(args)
    if not items:
        raise HelperError(f"{name} of nothing")
    try:
        return pick(items)
    except TypeError:
        raise HelperError(f"{name}: the items cannot be compared") from None


def _min(*args: Any) -> Any:
    return _extreme("min", min, args)


def _max(*args: Any) -> Any:
    return _extreme("max", max, args)


def _abs(x: Any) -> int | float:
    return abs(_number("abs: x", x))


def _len(x: Any) -> int:
    if not isinstance(x, str | list | tuple | dict):
        raise HelperError(f"len: expects a string, list or object, got {_kind(x)}")
    return len(x)


def _dict(name: str, value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise HelperError(f"{name} must be an object, got {_kind(value)}")
    return value


def _merge(*dicts: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for i, d in enumerate(dicts):
        out.update(_dict(f"merge: argument {i + 1}", d))
    return out


def _omit(d: Any, *keys: Any) -> dict[str, Any]:
    drop = set(map(str, keys))
    return {k: v for k, v in _dict("omit: the first argument", d).items() if k not in drop}


def _keys(d: Any) -> list[Any]:
    return list(_dict("keys: the argument", d))


def _values(d: Any) -> list[Any]:
    return list(_dict("values: the argument", d).values())


def _items(d: Any) -> list[list[Any]]:
    return [[k, v] for k, v in _dict("items: the argument", d).items()]


# --- dates ---------------------------------------------------------------------------------


def _date(name: str, value: Any) -> dt.date:
    if not isinstance(value, str):
        raise HelperError(f"{name} must be a 'YYYY-MM-DD' string, got {_kind(value)}")
    try:
        return dt.date.fromisoformat(value[:10])
    except ValueError:
        raise HelperError(f"{name}: {value[:40]!r} is not a 'YYYY-MM-DD' date") from None


def _add_days(date: Any, n: Any) -> str:
    if isinstance(n, bool) or not isinstance(n, int):
        raise HelperError(f"add_days: n must be a whole number, got {_kind(n)}")
    try:
        return (_date("add_days: the date", date) + dt.timedelta(days=n)).isoformat()
    except OverflowError:
        raise HelperError("add_days: the date is out of range") from None


def _days_between(a: Any, b: Any) -> int:
    return (_date("days_between: b", b) - _date("days_between: a", a)).days


# --- the table -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Helper:
    """One template helper: its function, its call shape and a line for the docs."""

    fn: Callable[..., Any]
    signature: str
    doc: str
    min_args: int
    max_args: int | None
    """The most positional arguments (``None``: any number)."""


HELPERS: dict[str, Helper] = {
    "calc": Helper(
        calc,
        "calc(expr, **names)",
        "arithmetic on numbers and the names passed: `+ - * / // % **` (exponent <= 1000), "
        "unary minus, parentheses",
        1,
        1,
    ),
    "round": Helper(
        _round, "round(x, n=None)", "Python's round: an int without `n`, else a float", 1, 2
    ),
    "sum": Helper(_sum, "sum(list)", "the sum of a list of numbers (0 for none)", 1, 1),
    "zip": Helper(_zip, "zip(a, b, ...)", "lists side by side: a list of lists", 1, None),
    "min": Helper(_min, "min(list) or min(a, b, ...)", "the smallest item", 1, None),
    "max": Helper(_max, "max(list) or max(a, b, ...)", "the largest item", 1, None),
    "abs": Helper(_abs, "abs(x)", "the absolute value of a number", 1, 1),
    "len": Helper(_len, "len(x)", "the length of a string, list or object", 1, 1),
    "merge": Helper(_merge, "merge(a, b, ...)", "the union of objects (later keys win)", 1, None),
    "omit": Helper(_omit, "omit(d, *keys)", "the object without those keys", 1, None),
    "add_days": Helper(
        _add_days, "add_days(date, n)", "the 'YYYY-MM-DD' date `n` days later", 2, 2
    ),
    "days_between": Helper(
        _days_between, "days_between(a, b)", "whole days from date `a` to date `b`", 2, 2
    ),
    "keys": Helper(_keys, "keys(d)", "an object's keys, as a list", 1, 1),
    "values": Helper(_values, "values(d)", "an object's values, as a list", 1, 1),
    "items": Helper(_items, "items(d)", "an object's `[key, value]` pairs, as a list", 1, 1),
}
"""Every helper behaviour templates may call, by name."""


for _helper in HELPERS.values():
    # each helper bounds what it computes itself (calc: MAX_INT_BITS, MAX_EXPONENT), so the
    # sandbox's limit on call arguments (numbers up to a million) does not apply: an amount
    # in cents may well be larger
    _helper.fn.bounds_its_arguments = True  # type: ignore[attr-defined]


def helper_context() -> dict[str, Callable[..., Any]]:
    """The names behaviour templates see the helpers under (a fresh mapping)."""
    return {name: h.fn for name, h in HELPERS.items()}
