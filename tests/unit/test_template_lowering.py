"""Expressions lowered to Python closures evaluate exactly as Jinja evaluates them: the same
value (of the same type) or the same error, for generated expressions over every node kind
the lowering handles, and for those it leaves to Jinja."""

from __future__ import annotations

import re
from typing import Any

import jinja2
from hypothesis import example, given, settings
from hypothesis import strategies as st

from taskkit.sim.helpers import helper_context
from taskkit.templates._lowering import lower_expression
from taskkit.templates.environment import _ENV, _compiled_expression, _evaluate, render_string


def _stops(*args: Any, **kwargs: Any) -> Any:
    raise StopIteration


def _unsafe(*args: Any, **kwargs: Any) -> Any:
    return args


# helpers as the simulator marks them, one of them marked unsafe as well: the sandbox's checks
# still hold for a helper called without them
for _fn in (_stops, _unsafe):
    _fn.bounds_its_arguments = True  # type: ignore[attr-defined]
_unsafe.unsafe_callable = True  # type: ignore[attr-defined]


class _Slotted(dict[str, Any]):
    """A dict subclass as the simulator's call arguments are: no attributes of its own."""

    __slots__ = ()


class _Odd(dict[str, Any]):
    """A dict subclass with a method and instance attributes that shadow its keys."""

    def amount(self) -> str:
        return "the method"


_odd = _Odd(id="key", amount=1)
_odd.id = "attribute"  # type: ignore[attr-defined]

CTX: dict[str, Any] = {
    **helper_context(),
    "slotted": _Slotted(id="key", amount=1),
    "odd": _odd,
    "stops": _stops,
    "unsafe": _unsafe,
    "args": {"n": 2, "legs": [{"id": "a", "amount": 3}, {"id": "b", "amount": 4.5}],
             "code": "HAT001", "flag": True, "none": None, "expr": "2 * 3 + 1", "big": 10**9},
    "res": {"passengers": [1, 2], "status": "ok", "items": "an item key", "dates": {"d1": 1}},
    "key": "d1",
    "nums": [3, 1, 2],
    "text": "Abc, def",
}  # fmt: skip

atoms = st.sampled_from(
    ["args.n", "args.legs", "args.code", "args.flag", "args.none", "args.missing", "res",
     "res.passengers", "res.status", "res.items", "res.keys", "res.dates[key]",
     "res.dates['d1']", "res.dates[args.n]", "res['status']", "nums", "nums[0]", "text",
     "missing", "missing.x", "1", "2.5", "'d1'", "'x'", "true", "none", "[1, 'a']",
     "{'k': args.n}", "(1, 2)", "range(3)", "res.__class__", "text.upper", "text[1:]",
     "[{'id': 1}, {'items': 2}, 3, 'ab', none]", "args.big", "slotted.id", "odd.id",
     "odd.amount", "odd['id']", "slotted['amount']", "[slotted, odd]"]
)  # fmt: skip
filters = st.sampled_from(
    ["length", "list", "string", "int", "first", "upper", "sum", "default(0)", "join(',')",
     "map(attribute='id')", "map(attribute='amount') | list", "reject('none') | list",
     "reject('in', 'abc') | list", "selectattr('id', 'equalto', 'a') | list", "tojson",
     "select('in', 'abc') | list", "reject('in', nums) | list", "select('number') | list",
     "reject('equalto', 1) | list", "select('none')", "reject('in')", "select() | list",
     "reject('nosuchtest') | list", "select('in', 10**9) | list", "reject(1) | list",
     "nofilter", "map(attribute='items') | list", "map(attribute='keys') | list",
     "map(attribute='0') | list", "map(attribute='id.x') | list", "map(attribute='id') | length",
     "map(attribute='id', default=1) | list", "map(attribute='id')", "list | length",
     "rejectattr('id', 'equalto', 'a') | list", "selectattr('items', 'none') | list",
     "selectattr('id') | list", "selectattr('0', 'equalto', 1) | list",
     "selectattr('id', 'nosuchtest') | list", "selectattr('id', 'in', args.big) | list",
     "rejectattr('keys', 'defined') | list", "selectattr('id', 'in', 'ab')"]
)  # fmt: skip
tests = st.sampled_from(["defined", "none", "in nums", "string", "number"])
binary = st.sampled_from(
    [" == ", " != ", " < ", " >= ", " in ", " not in ", " and ", " or ", " + ", " - ", " * ",
     " / ", " // ", " % ", " ** ", " ~ ", " < 2 < "]
)  # fmt: skip


def _expressions() -> st.SearchStrategy[str]:
    filtered = st.builds(lambda a, f: f"{a} | {f}", atoms, filters)
    tested = st.builds(lambda a, t: f"{a} is {t}", atoms, tests)
    calls = st.builds(
        lambda name, a, b: f"{name}({a}, {b})",
        st.sampled_from(
            ["max", "min", "round", "calc", "merge", "omit", "zip", "len", "sum", "stops", "unsafe"]
        ),
        atoms,
        atoms,
    )
    named = st.builds(
        lambda name, a, b: f"{name}({a}, p={b}, _block_vars={b})",
        st.sampled_from(["calc", "sum", "merge", "stops", "unsafe", "text.upper"]),
        atoms,
        atoms,
    )
    base = st.one_of(atoms, filtered, tested, calls, named)
    combined = st.builds(lambda a, op, b: f"{a}{op}{b}", base, binary, base)
    unary = st.builds(lambda op, a: f"{op}({a})", st.sampled_from(["not ", "-", "+"]), base)
    cond = st.builds(lambda a, b, c: f"{a} if {b} else {c}", base, base, base)
    return st.one_of(base, combined, unary, cond)


def _outcome(evaluate: Any) -> tuple[Any, ...]:
    """What evaluating gives, with object addresses left out of any text."""
    return tuple(_ADDRESS.sub("", x) if isinstance(x, str) else x for x in _raw(evaluate))


_ADDRESS = re.compile(r" at 0x[0-9a-f]+")


def _raw(evaluate: Any) -> tuple[Any, ...]:
    try:
        value = evaluate()
    except Exception as exc:  # the same exception, with the same message
        return ("error", type(exc).__name__, str(exc))
    if isinstance(value, jinja2.Undefined):
        return ("undefined", value._undefined_message)
    if hasattr(value, "__next__"):  # a lazy map or select: a native render refuses it
        return ("iterator", type(value).__name__)
    if callable(value):
        return ("callable", getattr(value, "__name__", None))
    return ("ok", type(value).__name__, repr(value))


@settings(max_examples=600, deadline=None)
@given(_expressions())
@example("args.n ~ args.n | select('none')")  # CI found it: the generator printed by name
@example("calc('p * n', p=args.n, n=2, _loop_vars=1)")  # Jinja drops its own names
@example("stops(1, 2)")
@example("[{'id': 1}, {'items': 2}, 3, 'ab', none] | map(attribute='items') | list")
@example("[{'id': 1}, {'items': 2}, 3, 'ab', none] | map(attribute='id') | list")
@example("res | map(attribute='upper') | list")
@example("args.legs | map(attribute='amount') ~ 1")  # the generator, printed by its name
@example("[{'id': 1}, {'items': 2}, 3, 'ab', none] | selectattr('id', 'equalto', 1) | list")
@example("[{'id': 1}, {'items': 2}, 3, 'ab', none] | rejectattr('items', 'none') | list")
@example("args.legs | selectattr('id', 'in', 'ab') ~ 1")  # printed by its name
@example("[slotted, odd] | map(attribute='id') | list")
@example("[slotted, odd] | selectattr('amount', 'equalto', 1) | list")
@example("odd.id ~ odd.amount ~ odd['id'] ~ slotted.id")
@example("args.big | map(attribute='id') | list")
@example("args.big | list")
@example("args.big | length")
@example("unsafe(1, 2)")
def test_a_lowered_expression_evaluates_as_jinja_does(expr):
    try:
        jinja = _compiled_expression(expr)
    except Exception:
        return  # Jinja refuses it: the lowering is never asked
    lowered = lower_expression(_ENV, expr)
    if lowered is None:
        return
    assert _outcome(lambda: lowered(CTX)) == _outcome(lambda: _evaluate(jinja, CTX))


def test_the_common_behaviour_expressions_are_lowered():
    """The shapes a tool's steps evaluate on every call do not fall back to Jinja."""
    for expr in [
        "args.legs | length == res.passengers | length",
        "-args.n",
        "res.dates[key] >= args.n",
        "args.code in res.dates",
        "res.status != 'ok' or args.n >= 2",
        "calc('p * n', p=args.n, n=2)",
        "args.legs | map(attribute='id') | list",
        "merge(res, {'k': args.n}) if args.flag else none",
    ]:
        assert lower_expression(_ENV, expr) is not None, expr
        assert _outcome(lambda e=expr: render_string("{{ " + e + " }}", CTX))[0] == "ok"


_TEST_VALUES = st.one_of(
    st.none(), st.booleans(), st.integers(-3, 3), st.text("ab1", max_size=3),
    st.lists(st.integers(0, 3), max_size=3), st.sampled_from([{"a": 1}, 2.5, "A", "a1"]),
)  # fmt: skip


@settings(max_examples=400, deadline=None)
@given(
    st.sampled_from([*sorted(_ENV.tests), "nosuchtest"]),
    _TEST_VALUES,
    st.lists(_TEST_VALUES, max_size=2),
)
def test_the_sandbox_runs_a_test_as_jinja_does(name, value, args):
    """``select``/``reject`` run a test per item through ``call_test``, which the sandbox
    answers without Jinja's general path: the same value or the same error."""
    ours = _outcome(lambda: _ENV.call_test(name, value, args))
    assert ours == _outcome(lambda: jinja2.Environment.call_test(_ENV, name, value, args))
