"""Regular expressions from packs that Python's backtracking engine may take exponential
time on: a repetition inside a repetition (``^(a+)+$``, ``(a*)*``, ``(\\w+\\s?)*``).

Such a ``pattern`` in a pack's schema is refused when the schema is compiled (a TK402
finding), so lint and compile never run it on pack data. The test is on the pattern's
structure, not on a timing: patterns written for tool arguments and entries (ids, dates,
codes) do not nest unbounded repetitions.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from re import _parser as sre_parse  # the parser behind `re` (Python 3.11+)
from typing import Any

__all__ = ["pattern_problem", "schema_pattern_problem"]

_REPEATS = {
    sre_parse.MAX_REPEAT,
    sre_parse.MIN_REPEAT,
    getattr(sre_parse, "POSSESSIVE_REPEAT", None),
}
_WIDE = 10  # a bounded repeat above this many counts as unbounded


def pattern_problem(pattern: str) -> str | None:
    """Why ``pattern`` is refused (it does not compile, or nests repetitions), or ``None``."""
    try:
        re.compile(pattern)
        parsed = sre_parse.parse(pattern)
    except (re.error, RecursionError, OverflowError, ValueError) as exc:
        return f"pattern {pattern[:60]!r} is not a valid regular expression: {exc}"
    try:
        nested = _nested(parsed, inside=False)
    except RecursionError:
        return f"pattern {pattern[:60]!r} is nested too deeply"
    if nested:
        return (
            f"pattern {pattern[:60]!r} repeats a repetition, which can take exponential time "
            "on text that almost matches"
        )
    return None


def _nested(items: Any, *, inside: bool) -> bool:
    """Whether a wide repetition occurs inside another one in the parsed ``items``."""
    for op, arg in items:
        if op in _REPEATS:
            _, high, sub = arg
            wide = high is sre_parse.MAXREPEAT or high > _WIDE
            found = (wide and inside) or _nested(sub, inside=inside or wide)
        elif op is sre_parse.SUBPATTERN:
            found = _nested(arg[-1], inside=inside)
        elif op is sre_parse.BRANCH:
            found = any(_nested(branch, inside=inside) for branch in arg[1])
        elif op in (sre_parse.ASSERT, sre_parse.ASSERT_NOT):
            found = _nested(arg[1], inside=inside)
        else:
            found = False
        if found:
            return True
    return False


def schema_pattern_problem(schema: Any) -> str | None:
    """The first refused ``pattern`` (or ``patternProperties`` key) in a JSON Schema."""
    for pattern in _patterns(schema):
        problem = pattern_problem(pattern)
        if problem is not None:
            return problem
    return None


def _patterns(root: Any) -> Iterator[str]:
    stack = [root]
    while stack:
        node = stack.pop()
        if isinstance(node, Mapping):
            if isinstance(node.get("pattern"), str):
                yield node["pattern"]
            props = node.get("patternProperties")
            if isinstance(props, Mapping):
                yield from (k for k in props if isinstance(k, str))
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
