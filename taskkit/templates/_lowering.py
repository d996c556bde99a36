"""Common Jinja expressions lowered to Python closures, with Jinja's own semantics.

A tool's behaviour evaluates a handful of small expressions on every call
(``{{ res.passengers | length == args.passengers | length }}``, ``{{ -p.amount }}``). Jinja
runs each as a compiled template: a new context (a copy of every variable), a generator,
the result read back from the context's variables: several microseconds of set-up around
an expression that costs less than one. Here an expression Jinja has compiled already is
walked once into nested closures that do what the code Jinja generates for it does, node
for node: the sandbox's ``getattr``/``getitem``/``call``/``call_binop``, the environment's
own filter and test functions, ``undefined(name=...)`` for a missing name. A node kind not
listed below leaves the expression to Jinja. :mod:`taskkit.templates.environment` keeps Jinja's path
as the reference, and a differential test holds the two equal, errors included.
"""

from __future__ import annotations

import inspect
import operator
from collections.abc import Callable, Iterator, Mapping
from functools import lru_cache
from types import FunctionType, GeneratorType
from typing import Any

import jinja2.filters
from jinja2 import nodes
from jinja2.nodes import EvalContext
from jinja2.parser import Parser
from jinja2.runtime import Context
from jinja2.sandbox import SandboxedEnvironment
from jinja2.utils import _PassArg

__all__ = ["lower_expression"]


class _Scope:
    """One evaluation: the variables, and a Jinja context made only if a filter, test or
    call asks for one (as the generated code would pass it)."""

    __slots__ = ("_context", "_eval_ctx", "_lazy", "env", "vars")

    def __init__(self, env: SandboxedEnvironment, variables: Mapping[str, Any]) -> None:
        self.env = env
        self.vars = variables
        self._context: Context | None = None
        self._eval_ctx: EvalContext | None = None
        self._lazy: _LazyContext | None = None

    @property
    def eval_ctx(self) -> EvalContext:
        """What a context's ``eval_ctx`` would be (``| list`` asks), without the context."""
        if self._context is not None:
            return self._context.eval_ctx
        if self._eval_ctx is None:
            self._eval_ctx = EvalContext(self.env, None)
        return self._eval_ctx

    @property
    def context(self) -> Context:
        if self._context is None:
            parent = {**self.env.globals, **self.vars}
            self._context = self.env.context_class(self.env, parent, None, {}, None)
        return self._context

    @property
    def lazy(self) -> _LazyContext:
        """What a call or a ``pass_context`` filter is given as the context."""
        if self._lazy is None:
            self._lazy = _LazyContext(self)
        return self._lazy


class _LazyContext:
    """The render's context as a callee sees it, made only when a callee reads more than
    its ``environment``, ``eval_ctx`` or ``call``: a context is a copy of every variable
    (the helpers included), and the filters and calls of a tool's expressions (``calc``,
    ``map``, ``reject``) read none of them. :meth:`call` is :meth:`jinja2.runtime.Context.
    call` for a callee that does not ask for the context; one that does gets the real one."""

    __slots__ = ("_scope", "environment")

    def __init__(self, scope: _Scope) -> None:
        self._scope = scope
        self.environment = scope.env

    @property
    def eval_ctx(self) -> EvalContext:
        return self._scope.eval_ctx

    def call(__self, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        target = __obj
        if hasattr(__obj, "__call__") and _PassArg.from_obj(__obj.__call__) is not None:  # noqa: B004
            target = __obj.__call__  # a callable class that takes a context
        passed = _PassArg.from_obj(target)
        if passed is _PassArg.context:
            return __self._scope.context.call(__obj, *args, **kwargs)
        if passed is _PassArg.eval_context:
            args = (__self._scope.eval_ctx, *args)
        elif passed is _PassArg.environment:
            args = (__self.environment, *args)
        kwargs.pop("_block_vars", None)
        kwargs.pop("_loop_vars", None)
        try:
            return target(*args, **kwargs)
        except StopIteration:
            return __self.environment.undefined(
                "value was undefined because a callable raised a StopIteration exception"
            )

    def __getattr__(self, name: str) -> Any:
        return getattr(self._scope.context, name)


Node = Callable[[_Scope], Any]
Evaluator = Callable[[Mapping[str, Any]], Any]

_MISSING = object()
_COMPARE: dict[str, Callable[[Any, Any], Any]] = {
    "eq": operator.eq,
    "ne": operator.ne,
    "gt": operator.gt,
    "gteq": operator.ge,
    "lt": operator.lt,
    "lteq": operator.le,
    "in": lambda a, b: a in b,
    "notin": lambda a, b: a not in b,
}
_PLAIN_BINOPS: dict[type[nodes.BinExpr], tuple[str, Callable[[Any, Any], Any]]] = {
    nodes.Add: ("+", operator.add),
    nodes.Sub: ("-", operator.sub),
    nodes.Mul: ("*", operator.mul),
    nodes.Div: ("/", operator.truediv),
    nodes.FloorDiv: ("//", operator.floordiv),
    nodes.Mod: ("%", operator.mod),
    nodes.Pow: ("**", operator.pow),
}
_DICT_ATTRS = frozenset(dir(dict))


class _NotLowered(Exception):
    """A node this module leaves to Jinja."""


def lower_expression(env: SandboxedEnvironment, source: str) -> Evaluator | None:
    """``source`` (an expression Jinja compiled already) as a closure over a variables
    mapping, or ``None`` when it uses a node kind left to Jinja."""
    try:
        parser = Parser(env, source, state="variable")
        tree = parser.parse_expression()
        if not parser.stream.eos:
            return None
        node = _lower(env, tree)
    except (_NotLowered, Exception):  # Jinja's path reports what is wrong with it
        return None

    def evaluate(variables: Mapping[str, Any]) -> Any:
        return node(_Scope(env, variables))

    return evaluate


def _lower(env: SandboxedEnvironment, node: nodes.Node) -> Node:
    if isinstance(node, nodes.Const):
        value = node.value
        if isinstance(value, list | dict | set):
            raise _NotLowered  # a mutable constant: Jinja makes it afresh
        return lambda scope: value
    if isinstance(node, nodes.Name) and node.ctx == "load":
        return _name(env, node.name)
    if isinstance(node, nodes.Getattr) and node.ctx == "load":
        return _getattr(env, _lower(env, node.node), node.attr)
    if isinstance(node, nodes.Getitem) and node.ctx == "load":
        if isinstance(node.arg, nodes.Slice):
            raise _NotLowered
        return _getitem(env, _lower(env, node.node), _lower(env, node.arg))
    if isinstance(node, nodes.Compare):
        return _compare(_lower(env, node.expr), [(o.op, _lower(env, o.expr)) for o in node.ops])
    if isinstance(node, nodes.And):
        left, right = _lower(env, node.left), _lower(env, node.right)
        return lambda scope: left(scope) and right(scope)
    if isinstance(node, nodes.Or):
        left, right = _lower(env, node.left), _lower(env, node.right)
        return lambda scope: left(scope) or right(scope)
    if isinstance(node, nodes.Not | nodes.Neg | nodes.Pos):
        return _unary(env, node)
    if type(node) in _PLAIN_BINOPS:
        return _binop(env, node)  # type: ignore[arg-type]
    if isinstance(node, nodes.Concat):
        parts = [_lower(env, n) for n in node.nodes]
        join = env.bounded_join  # type: ignore[attr-defined]
        return lambda scope: join([p(scope) for p in parts])
    if isinstance(node, nodes.CondExpr):
        if node.expr2 is None:
            raise _NotLowered
        test, yes, no = _lower(env, node.test), _lower(env, node.expr1), _lower(env, node.expr2)
        return lambda scope: yes(scope) if test(scope) else no(scope)
    if isinstance(node, nodes.List):
        items = [_lower(env, n) for n in node.items]
        return lambda scope: [i(scope) for i in items]
    if isinstance(node, nodes.Tuple) and node.ctx == "load":
        items = [_lower(env, n) for n in node.items]
        return lambda scope: tuple(i(scope) for i in items)
    if isinstance(node, nodes.Dict):
        pairs = [(_lower(env, p.key), _lower(env, p.value)) for p in node.items]
        return lambda scope: {k(scope): v(scope) for k, v in pairs}
    if isinstance(node, nodes.Filter | nodes.Test):
        return _filter_or_test(env, node)
    if isinstance(node, nodes.Call):
        return _call(env, node)
    raise _NotLowered


def _name(env: SandboxedEnvironment, name: str) -> Node:
    undefined = env.undefined
    globals_ = env.globals

    def load(scope: _Scope) -> Any:
        value = scope.vars.get(name, _MISSING)
        if value is _MISSING:
            value = globals_.get(name, _MISSING)
            if value is _MISSING:
                return undefined(name=name)
        return value

    return load


_PUBLIC_DICT_NAMES = frozenset(n for n in _DICT_ATTRS if not n.startswith("_"))


@lru_cache(maxsize=64)
def _reads_as_dict(cls: type) -> bool:
    """Whether the sandbox reads an attribute or an item of a ``cls`` instance exactly as of
    a dict (the simulator's call arguments are a dict subclass): a dict subclass that adds
    no public name, no instance attributes, and reads keys with dict's own methods."""
    return (
        issubclass(cls, dict)
        and cls.__dictoffset__ == 0
        and cls.__getattribute__ is dict.__getattribute__
        and not hasattr(cls, "__getattr__")
        and cls.__getitem__ is dict.__getitem__
        and cls.__contains__ is dict.__contains__
        and {n for n in dir(cls) if not n.startswith("_")} == _PUBLIC_DICT_NAMES
    )


def _dict_like(obj: object) -> bool:
    return _reads_as_dict(type(obj))  # type: ignore[arg-type]  # mypy: a type is unhashable


def _getattr(env: SandboxedEnvironment, target: Node, attr: str) -> Node:
    slow = env.getattr
    if attr in _DICT_ATTRS or attr.startswith("_"):
        return lambda scope: slow(target(scope), attr)

    def get(scope: _Scope) -> Any:
        obj = target(scope)
        # a plain dict has no attribute of this name: the sandbox reads the item
        if (type(obj) is dict or _dict_like(obj)) and attr in obj:
            return obj[attr]
        return slow(obj, attr)

    return get


def _getitem(env: SandboxedEnvironment, target: Node, key: Node) -> Node:
    slow = env.getitem

    def get(scope: _Scope) -> Any:
        obj, arg = target(scope), key(scope)
        if (type(obj) is dict or _dict_like(obj)) and type(arg) is str and arg in obj:
            return obj[arg]
        return slow(obj, arg)

    return get


def _compare(first: Node, ops: list[tuple[str, Node]]) -> Node:
    if len(ops) == 1:
        test, right = _COMPARE[ops[0][0]], ops[0][1]
        return lambda scope: test(first(scope), right(scope))
    chain = [(_COMPARE[op], node) for op, node in ops]

    def compare(scope: _Scope) -> Any:  # Python's chained comparison, as Jinja writes it
        left = first(scope)
        result: Any = True
        for test, node in chain:
            right = node(scope)
            result = test(left, right)
            if not result:
                return result
            left = right
        return result

    return compare


def _unary(env: SandboxedEnvironment, node: nodes.Not | nodes.Neg | nodes.Pos) -> Node:
    op = {nodes.Not: "not ", nodes.Neg: "-", nodes.Pos: "+"}[type(node)]
    if op in env.intercepted_unops:
        raise _NotLowered
    inner = _lower(env, node.node)
    if op == "not ":
        return lambda scope: not inner(scope)
    if op == "-":
        return lambda scope: -inner(scope)
    return lambda scope: +inner(scope)


def _binop(env: SandboxedEnvironment, node: nodes.BinExpr) -> Node:
    symbol, plain = _PLAIN_BINOPS[type(node)]
    left, right = _lower(env, node.left), _lower(env, node.right)
    if symbol in env.intercepted_binops:
        # the sandbox's operator checks; the context Jinja passes along is not read there
        call_binop: Callable[..., Any] = env.call_binop
        return lambda scope: call_binop(None, symbol, left(scope), right(scope))
    return lambda scope: plain(left(scope), right(scope))


def _arguments(
    env: SandboxedEnvironment, node: nodes.Filter | nodes.Test | nodes.Call
) -> tuple[list[Node], list[tuple[str, Node]]]:
    if node.dyn_args is not None or node.dyn_kwargs is not None:
        raise _NotLowered
    return (
        [_lower(env, a) for a in node.args],
        [(str(k.key), _lower(env, k.value)) for k in node.kwargs],
    )


def _filter_or_test(env: SandboxedEnvironment, node: nodes.Filter | nodes.Test) -> Node:
    table = env.filters if isinstance(node, nodes.Filter) else env.tests
    func: Any = table.get(node.name)
    if func is None or node.node is None:
        raise _NotLowered
    target = _lower(env, node.node)
    args, kwargs = _arguments(env, node)
    selecting = _selecting(env, node, func)
    if selecting is not None:
        return _select(env, func, target, args, selecting)
    direct = _direct_filter(env, node, func, target)
    if direct is not None:
        return direct
    call = _filter_or_test_call(env, func, args, kwargs)
    return lambda scope: call(scope, target(scope))


def _filter_or_test_call(
    env: SandboxedEnvironment, func: Any, args: list[Node], kwargs: list[tuple[str, Node]]
) -> Callable[[_Scope, Any], Any]:
    """The filter or test called on a value as the code Jinja generates calls it."""
    passed = _PassArg.from_obj(func)
    if passed is _PassArg.context:

        def first(scope: _Scope) -> list[Any]:
            return [scope.lazy]
    elif passed is _PassArg.eval_context:

        def first(scope: _Scope) -> list[Any]:
            return [scope.eval_ctx]
    elif passed is _PassArg.environment:

        def first(scope: _Scope) -> list[Any]:
            return [env]
    else:
        if not args and not kwargs:
            return lambda scope, value: func(value)

        def first(scope: _Scope) -> list[Any]:
            return []

    def call(scope: _Scope, value: Any) -> Any:
        values = [*first(scope), value, *(a(scope) for a in args)]
        return func(*values, **{k: v(scope) for k, v in kwargs})

    return call


_CONTAINERS = frozenset({list, tuple, dict, str, GeneratorType})
"""Values a filter's argument guard lets pass untouched (it bounds integers only) and that
``len``/``list`` take as they are: for these, the filter is its plain function."""


def _direct_filter(
    env: SandboxedEnvironment, node: nodes.Filter | nodes.Test, func: Any, target: Node
) -> Node | None:
    """``| length``, ``| list`` and ``| map(attribute='name')`` on a container, without the
    filter's wrappers (the argument guard, Jinja's async dispatch, its context): what they
    come to for a container. Any other value takes the filter's own path."""
    if not isinstance(node, nodes.Filter) or node.dyn_args or node.dyn_kwargs:
        return None
    plain = inspect.unwrap(func)
    if not node.args and not node.kwargs and plain in (len, jinja2.filters.sync_do_list):
        slow = _filter_or_test_call(env, func, [], [])
        whole: Callable[[Any], Any] = len if plain is len else list

        def apply(scope: _Scope) -> Any:
            value = target(scope)
            return whole(value) if type(value) in _CONTAINERS else slow(scope, value)

        return apply
    attribute = _plain_attribute(node)
    if plain is jinja2.filters.sync_do_map and attribute is not None:
        read = _key_reader(env, attribute)

        def map_attribute(scope: _Scope) -> Any:
            value = target(scope)
            if type(value) in _CONTAINERS:
                return sync_do_map(value, read)
            return func(scope.lazy, value, attribute=attribute)

        return map_attribute
    return None


def _plain_attribute(node: nodes.Filter) -> str | None:
    """The name in ``map(attribute='name')`` when it is one plain key (no default), else
    ``None``."""
    if node.args or len(node.kwargs) != 1 or node.kwargs[0].key != "attribute":
        return None
    return _plain_key(node.kwargs[0].value)


def _plain_key(node: nodes.Expr) -> str | None:
    """An attribute name Jinja's attribute getter reads as one key (a constant string, no
    dots, not digits), else ``None``."""
    if not isinstance(node, nodes.Const) or not isinstance(node.value, str):
        return None
    name = node.value
    return None if "." in name or name.isdigit() else name


def sync_do_map(value: Any, read: Callable[[Any], Any]) -> Iterator[Any]:
    # as jinja2.filters.sync_do_map with an attribute, named alike (a template that prints
    # the generator shows its name)
    if value:
        for item in value:
            yield read(item)


_SELECTS = {
    jinja2.filters.sync_do_select: (False, False),
    jinja2.filters.sync_do_reject: (True, False),
    jinja2.filters.sync_do_selectattr: (False, True),
    jinja2.filters.sync_do_rejectattr: (True, True),
}
"""The select filters: whether each rejects, and whether it tests an attribute of each item."""


def _selecting(
    env: SandboxedEnvironment, node: nodes.Filter | nodes.Test, func: Any
) -> tuple[Callable[..., Any], bool, str | None] | None:
    """``(test, reject, attribute)`` for ``select``/``reject`` by a test named by a constant
    that asks for no context (``| reject('in', digits)``), and for ``selectattr``/
    ``rejectattr`` of one plain key by such a test (``| selectattr('date', 'equalto', d)``);
    else ``None``."""
    found = _SELECTS.get(inspect.unwrap(func)) if isinstance(node, nodes.Filter) else None
    if found is None or node.kwargs or node.dyn_args or node.dyn_kwargs:
        return None
    negate, by_attribute = found
    attribute = None
    if by_attribute:
        attribute = _plain_key(node.args[0]) if node.args else None
        if attribute is None:
            return None
    named = node.args[1 if by_attribute else 0 :]
    if not named:
        return None
    name = named[0]
    if not isinstance(name, nodes.Const) or not isinstance(name.value, str):
        return None
    test: Any = env.tests.get(name.value)
    if test is None or _PassArg.from_obj(test) is not None:
        return None
    return test, negate, attribute


def _select(
    env: SandboxedEnvironment,
    func: Any,
    target: Node,
    args: list[Node],
    picking: tuple[Callable[..., Any], bool, str | None],
) -> Node:
    """Jinja's ``select``/``reject`` (``selectattr``/``rejectattr``) by a plain test: the
    filter is called as Jinja calls it (its argument checks, its lazy generator, which is
    dropped unstarted), and the items are picked by the same test, called directly rather
    than through ``call_test``, four calls deep per item (a character, for
    ``s | reject('in', digits)``), on the item's key read as the sandbox reads it."""
    test, negate, attribute = picking
    if attribute is None:

        def apply(scope: _Scope) -> Any:
            value = target(scope)
            values = [a(scope) for a in args]
            func(scope.lazy, value, *values)  # what it checks, it checks now; it runs nothing
            return select_or_reject(value, test, values[1:], negate)

        return apply
    read = _key_reader(env, attribute)

    def apply_by_key(scope: _Scope) -> Any:
        value = target(scope)
        values = [a(scope) for a in args]
        func(scope.lazy, value, *values)
        return _select_by_key(value, read, test, values[2:], negate)

    return apply_by_key


def _key_reader(env: SandboxedEnvironment, attribute: str) -> Callable[[Any], Any]:
    """An item's key as Jinja's attribute getter reads it: the sandbox's getitem, which for a
    dict that has the key is the value."""
    getitem = env.getitem

    def read(item: Any) -> Any:
        if (type(item) is dict or _dict_like(item)) and attribute in item:
            return item[attribute]
        return getitem(item, attribute)

    return read


def select_or_reject(
    value: Any, test: Callable[..., Any], extra: list[Any], negate: bool
) -> Iterator[Any]:
    # as jinja2.filters.select_or_reject, named alike: a template that prints the generator
    # shows its name. Lazy: nothing is read before the first item is asked.
    if value:
        for item in value:
            passed = test(item, *extra)
            if (not passed) if negate else passed:
                yield item


def _select_by_key(
    value: Any,
    read: Callable[[Any], Any],
    test: Callable[..., Any],
    extra: list[Any],
    negate: bool,
) -> Iterator[Any]:
    # select_or_reject testing each item's key
    if value:
        for item in value:
            passed = test(read(item), *extra)
            if (not passed) if negate else passed:
                yield item


# Jinja's generator for selectattr is select_or_reject too: a printed one shows that name
_select_by_key.__name__ = _select_by_key.__qualname__ = "select_or_reject"


def _call(env: SandboxedEnvironment, node: nodes.Call) -> Node:
    function = _lower(env, node.node)
    args, kwargs = _arguments(env, node)
    call: Callable[..., Any] = env.call
    undefined = env.undefined

    def apply(scope: _Scope) -> Any:
        fn = function(scope)
        values = [a(scope) for a in args]
        named = {k: v(scope) for k, v in kwargs}
        if type(fn) is FunctionType and _is_helper(fn.__dict__):
            # what the sandbox's call comes to for a template helper (`calc`, `merge`),
            # without its four calls of checks: safe, no context, Jinja's names dropped
            if named:
                named.pop("_block_vars", None)
                named.pop("_loop_vars", None)
            try:
                return fn(*values, **named)
            except StopIteration:
                return undefined(
                    "value was undefined because a callable raised a StopIteration exception"
                )
        return call(scope.lazy, fn, *values, **named)

    return apply


def _is_helper(marks: dict[str, Any]) -> bool:
    """Whether a plain function's attributes make it a template helper the environment's
    ``call`` passes straight on: it bounds its own arguments (the environment checks none
    for it), is not marked unsafe, and asks for no context or environment."""
    return (
        marks.get("bounds_its_arguments") is True
        and not marks.get("unsafe_callable", False)
        and not marks.get("alters_data", False)
        and "jinja_pass_arg" not in marks
    )
