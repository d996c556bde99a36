"""``calc``'s tree check (a breadth-first queue over expression nodes) refuses the same
expressions with the same message as the ``ast.walk`` it replaced, kept here as the
reference: the first node refused is the one the walk meets first."""

from __future__ import annotations

import ast

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from taskkit.sim import helpers
from taskkit.sim.helpers import _BINARY, _UNARY, HelperError, parse_calc


def reference_check(expr: str) -> None:
    """The check as ``ast.walk`` did it."""
    try:
        tree = ast.parse(expr.strip(), mode="eval").body
    except SyntaxError as exc:
        raise HelperError(f"calc: {expr!r} is not an arithmetic expression ({exc})") from None
    for node in ast.walk(tree):
        if isinstance(node, ast.BinOp):
            if type(node.op) not in _BINARY:
                raise HelperError(f"calc: operator {type(node.op).__name__} is not allowed")
        elif isinstance(node, ast.UnaryOp):
            if type(node.op) not in _UNARY:
                raise HelperError(f"calc: operator {type(node.op).__name__} is not allowed")
        elif isinstance(node, ast.Constant):
            if isinstance(node.value, bool) or not isinstance(node.value, int | float):
                raise HelperError(f"calc: {node.value!r} is not a number")
        elif isinstance(node, ast.Name):
            pass
        elif not isinstance(node, ast.operator | ast.unaryop | ast.expr_context):
            raise HelperError(f"calc: {type(node).__name__} is not allowed (only arithmetic)")


def outcome(check: object, expr: str) -> str:
    try:
        check(expr)  # type: ignore[operator]
    except HelperError as exc:
        return f"refused: {exc.message if hasattr(exc, 'message') else exc}"
    return "ok"


ATOMS = ["1", "2.5", "x", "True", "'s'", "None", "f(1)", "a.b", "[1]", "a[0]", "(1, 2)"]
OPERATORS = ["+", "-", "*", "/", "//", "%", "**", "@", "|", "&", "<<", "==", "<", "and", "or"]
UNARY = ["-", "+", "not ", "~"]


def expressions() -> st.SearchStrategy[str]:
    atom = st.sampled_from(ATOMS)

    def extend(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
        binary = st.tuples(inner, st.sampled_from(OPERATORS), inner).map(
            lambda t: f"({t[0]} {t[1]} {t[2]})"
        )
        unary = st.tuples(st.sampled_from(UNARY), inner).map(lambda t: f"{t[0]}({t[1]})")
        ternary = st.tuples(inner, inner, inner).map(lambda t: f"({t[0]} if {t[1]} else {t[2]})")
        return binary | unary | ternary

    return st.recursive(atom, extend, max_leaves=12)


@settings(max_examples=400, deadline=None)
@given(expressions())
def test_the_queue_refuses_what_the_walk_refused(expr: str) -> None:
    parse_calc.cache_clear()
    assert outcome(parse_calc, expr) == outcome(reference_check, expr)


@pytest.mark.parametrize(
    "expr",
    [
        "1 + f(2) * 'x'",  # the call is met before the string, one level up
        "-(a.b) + [1]",  # the list (level 1) before the attribute (level 2)
        "(1 | 2) + ('s' * 3)",  # a refused operator at level 1 before a string at level 2
        "x ** 2 - 3 / y",
    ],
)
def test_fixed_examples_agree(expr: str) -> None:
    parse_calc.cache_clear()
    assert outcome(parse_calc, expr) == outcome(reference_check, expr)


def test_a_models_long_expressions_are_evaluated_and_not_kept() -> None:
    """A calculator tool's argument is the model's: thousands of distinct 1,000-character
    expressions must not fill the caches with their trees and closures."""
    helpers._compiled_calc.cache_clear()
    parse_calc.cache_clear()
    long = " + ".join(["1.5"] * 150)  # over CACHED_CALC_CHARS
    assert len(long) > helpers.CACHED_CALC_CHARS
    assert helpers.calc(long) == 225
    assert helpers._compiled_calc.cache_info().currsize == 0
    assert parse_calc.cache_info().currsize == 0
    assert helpers.calc("a * 2", a=3) == 6  # a tool's own: compiled once, kept
    assert helpers._compiled_calc.cache_info().currsize == 1
