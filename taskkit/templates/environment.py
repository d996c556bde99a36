"""The only place Jinja environments are built.

Templates from packs are untrusted data, so they run in Jinja's immutable sandbox with
``StrictUndefined``: a missing variable is an error, never an empty string. A YAML value
that is exactly one ``{{ expr }}`` keeps the expression's native type (an int stays an int,
a list stays a list); any other text renders to a string.

Compiling a Jinja template to Python is slow (about a millisecond), and libraries repeat the
same few templates thousands of times, so compiled templates are cached by source, and the
commonest shapes -- ``{{ name }}``, ``{{ a.b }}`` and text with only such placeholders -- are
rendered without Jinja at all, with Jinja's own semantics.
"""

from __future__ import annotations

import ast
import atexit
import difflib
import functools
import gc
import math
import os
import re
import signal
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from functools import lru_cache
from typing import Any

import jinja2
import markupsafe
from jinja2 import meta, nodes
from jinja2.compiler import CodeGenerator, Frame, optimizeconst
from jinja2.exceptions import SecurityError
from jinja2.sandbox import (
    ImmutableSandboxedEnvironment,
    SandboxedEscapeFormatter,
    SandboxedFormatter,
)

from ..runtime.memo import IdentityMemo
from . import _lowering as template_lowering
from ._lowering import lower_expression

__all__ = [
    "TemplateError",
    "check_syntax",
    "compile_renderer",
    "guarded_variables",
    "is_template",
    "parse",
    "python_braces",
    "render_string",
    "render_value",
    "undeclared_variables",
    "value_renderer",
]


class TemplateError(Exception):
    """A template failed to parse or render.

    Attributes:
        lineno: 1-based line inside the template text, when Jinja knows it.
        name: the undefined variable, for undefined-variable errors.
    """

    def __init__(self, message: str, *, lineno: int = 1, name: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.lineno = lineno
        self.name = name


MAX_SIZE = 1_000_000
"""The largest string, list or number argument a template may build or pass to a filter
(characters, items, or the value of a width/count): the sandbox bounds what code can do,
these bound what it can cost, so that ``'a' * 10**10`` is an error, not 10 GB."""
MAX_INT_BITS = 4096
"""The largest integer a template may compute (about 1,200 digits)."""
RENDER_SECONDS = 0.5
"""CPU time one Jinja render may take (nested loops); enforced in the main thread. CPU, not
wall time: on a loaded machine an ordinary render may wait longer than that."""
_PERCENT_TAIL = re.compile(
    r"[#0\- +]*(?P<width>\*|\d+)?(?:\.(?P<precision>\*|\d+))?[hlL]?(?P<conversion>[a-zA-Z%])?"
)
"""What follows a ``%`` (and its ``(key)``) in a conversion such as ``%-08.3f`` or ``%*d``:
its width and precision."""
_PARENTHESIS = re.compile(r"[()]")
_SPEC_NUMBER = re.compile(r"\d+")


class TemplateBudget(SecurityError):
    """A template that would cost more than a budget allows."""


def _sized(value: Any) -> int | None:
    return len(value) if isinstance(value, str | list | tuple | bytes) else None


def _check_int(value: Any, what: str) -> None:
    big = isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 20
    if big and abs(value) > MAX_SIZE:
        raise TemplateBudget(f"{what} {_short(value)} is over the limit of {MAX_SIZE:,}")


def _field_size(digits: str, what: str) -> int:
    """A width or precision written in a format, refused past :data:`MAX_SIZE` before it
    is read as a number (a run of 5,000 digits is itself an error to ``int``)."""
    if len(digits) > 7 or int(digits) > MAX_SIZE:
        raise TemplateBudget(f"format {_short(what)} asks for too wide a field")
    return int(digits)


def _check_percent(fmt: str, values: Any) -> None:
    """``fmt % values`` refused when its fields' widths and precisions (``*`` taking theirs
    from ``values``) add up past :data:`MAX_SIZE`: each pads its field to that many
    characters before anything else bounds the result."""
    if "%" not in fmt:
        return
    stars = iter(values if isinstance(values, tuple) else (values,))
    total = 0
    for width, precision, conversion in _percent_conversions(fmt):
        for part in (width, precision):
            if part == "*":
                n = next(stars, 0)
                total += abs(n) if isinstance(n, int) and not isinstance(n, bool) else 0
            elif part:
                total += _field_size(part, fmt)
        if conversion != "%":
            next(stars, None)  # the value the conversion itself takes
    if total > MAX_SIZE:
        raise TemplateBudget(f"format {_short(fmt)} asks for too wide a field")


def _percent_conversions(fmt: str) -> Iterator[tuple[str | None, str | None, str]]:
    """``(width, precision, conversion)`` of each ``%`` conversion of ``fmt``, read as Python
    reads them, in one pass: a ``(key)`` ends where its parentheses balance, and the first
    conversion Python cannot read ends the format (it raises there). A regex searched for
    every ``%(`` to the end of the text for its ``)``: ``'%(' * 400000`` took minutes where
    no watchdog runs."""
    pos = fmt.find("%")
    while pos >= 0:
        pos += 1
        if fmt.startswith("(", pos):
            depth = 0
            for paren in _PARENTHESIS.finditer(fmt, pos):
                depth += 1 if paren[0] == "(" else -1
                if depth == 0:
                    pos = paren.end()
                    break
            else:
                return  # an unclosed key: Python's ValueError
        tail = _PERCENT_TAIL.match(fmt, pos)
        assert tail is not None  # every part of it is optional
        if tail["conversion"] is None:
            return  # an incomplete conversion: Python's ValueError
        yield tail["width"], tail["precision"], tail["conversion"]
        pos = fmt.find("%", tail.end())


class _BoundedFormats:
    """``str.format``'s fields, bounded as :func:`_check_percent` bounds ``%``: the
    widths and precisions of one call's fields, nested ones included (``{:{w}}`` takes its
    width from an argument), add up to at most :data:`MAX_SIZE`. Checked on each field's
    final spec, where the width is known whatever wrote it."""

    _left = MAX_SIZE

    def vformat(self, format_string: str, args: Any, kwargs: Any) -> str:
        self._left = MAX_SIZE
        return super().vformat(format_string, args, kwargs)  # type: ignore[misc, no-any-return]

    def format_field(self, value: Any, format_spec: str) -> Any:
        for digits in _SPEC_NUMBER.findall(format_spec):
            self._left -= _field_size(digits, format_spec)
        if self._left < 0:
            raise TemplateBudget(f"format {_short(format_spec)} asks for too wide a field")
        return super().format_field(value, format_spec)  # type: ignore[misc]


class _Formatter(_BoundedFormats, SandboxedFormatter):
    pass


class _EscapeFormatter(_BoundedFormats, SandboxedEscapeFormatter):
    pass


def _short(value: Any) -> str:
    text = f"{value.bit_length()}-bit integer" if isinstance(value, int) else repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _bounded_join(parts: Iterable[Any]) -> str:
    """Jinja's ``a ~ b`` (its ``str_join``), refused past :data:`MAX_SIZE` characters:
    doubling a string in a loop would otherwise reach gigabytes in forty steps."""
    texts = [p if isinstance(p, str) else str(p) for p in parts]
    if sum(map(len, texts)) > MAX_SIZE:
        raise TemplateBudget(f"joining with ~ gives more than {MAX_SIZE:,} characters")
    return "".join(texts)


class _CodeGenerator(CodeGenerator):
    """Jinja's code generator, with ``~`` going through :func:`_bounded_join`."""

    @optimizeconst
    def visit_Concat(self, node: nodes.Concat, frame: Frame) -> None:
        self.write("environment.bounded_join((")
        for arg in node.nodes:
            self.visit(arg, frame)
            self.write(", ")
        self.write("))")


class _BudgetedEnvironment(ImmutableSandboxedEnvironment):
    """The sandbox, with the cost of operators, calls and output bounded."""

    intercepted_binops = frozenset({"*", "**", "+", "%", "//"})
    code_generator_class = _CodeGenerator
    bounded_join = staticmethod(_bounded_join)

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        if operator == "*":
            n, seq = (right, left) if _sized(left) is not None else (left, right)
            size = _sized(seq)
            if size is not None and isinstance(n, int) and size * n > MAX_SIZE:
                raise TemplateBudget(f"repeating a {size}-long value {_short(n)} times is too much")
            ints = isinstance(left, int) and isinstance(right, int)
            if ints and left.bit_length() + right.bit_length() > MAX_INT_BITS:
                raise TemplateBudget("the product is too large a number")
        elif operator == "**" and isinstance(left, int) and isinstance(right, int):
            if right > 0 and left not in (0, 1, -1) and right * left.bit_length() > MAX_INT_BITS:
                raise TemplateBudget(f"{_short(left)} ** {_short(right)} is too large a number")
        elif operator == "+":
            a, b = _sized(left), _sized(right)
            if a is not None and b is not None and a + b > MAX_SIZE:
                raise TemplateBudget("the concatenation is too long")
        elif operator == "%" and isinstance(left, str):
            _check_percent(left, right)
        return super().call_binop(context, operator, left, right)

    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        if getattr(__obj, "bounds_its_arguments", False):  # a template helper: its own checks
            return super().call(__context, __obj, *args, **kwargs)
        # A string argument is not looked at: the formats that read widths from text check
        # the widths themselves (wrap_str_format, `%`), and an id such as
        # 'credit_card_7815826' passed to `.get()` is not a width.
        for value in (*args, *kwargs.values()):
            _check_int(value, "argument")
        return super().call(__context, __obj, *args, **kwargs)

    def call_test(  # noqa: PLR0917  # Jinja's own signature
        self,
        name: str,
        value: Any,
        args: Any = None,
        kwargs: Any = None,
        context: Any = None,
        eval_ctx: Any = None,
    ) -> Any:
        # What Jinja does for a test that asks for no context, without its general path:
        # ``select``/``reject`` call this once per item (`s | reject('in', digits)`).
        func: Any = self.tests.get(name) if type(name) is str else None
        if func is not None and not hasattr(func, "jinja_pass_arg"):
            return func(value, *(args or ()), **(kwargs or {}))
        return super().call_test(name, value, args, kwargs, context, eval_ctx)

    def wrap_str_format(self, value: Any) -> Callable[..., str] | None:
        # Jinja's own, with formatters that bound each field's width and precision
        wrapped = super().wrap_str_format(value)
        if wrapped is None:
            return None
        owner: str = value.__self__
        formatter: SandboxedFormatter = (
            _EscapeFormatter(self, escape=owner.escape)
            if isinstance(owner, markupsafe.Markup)
            else _Formatter(self)
        )
        is_format_map = value.__name__ == "format_map"

        def bounded(*args: Any, **kwargs: Any) -> str:
            if is_format_map:
                if kwargs or len(args) != 1:
                    return wrapped(*args, **kwargs)  # Jinja's TypeError
                kwargs, args = args[0], ()
            return type(owner)(formatter.vformat(owner, args, kwargs))

        return functools.update_wrapper(bounded, value)

    def make_globals(self, d: Any) -> Any:
        # Jinja gives each template a ChainMap over the environment's globals, and copies it
        # (slowly: a ChainMap iterates through a temporary dict) into every render's context,
        # twice: a third of a short render. The globals here never change after import, so
        # a plain dict of them renders the same, faster.
        return {**self.globals, **(d or {})}


def _guarded_filter(fn: Callable[..., Any]) -> Callable[..., Any]:
    """A filter whose numeric arguments (widths, counts) are bounded like calls'."""

    formats = fn.__name__.endswith("format")  # Jinja's `format`: `value % args`

    @functools.wraps(fn)  # keeps jinja's pass_context/pass_environment marks
    def guarded(*args: Any, **kwargs: Any) -> Any:
        for value in (*args, *kwargs.values()):
            _check_int(value, "filter argument")
        if formats and args and isinstance(args[0], str):  # `'%*d' | format(w, 1)`
            _check_percent(args[0], kwargs or tuple(args[1:]))
        return fn(*args, **kwargs)

    return guarded


def _bounded_concat(parts: Iterable[str]) -> str:
    """Join a render's output, refusing it once it passes :data:`MAX_SIZE` characters
    (checked as it is produced, so a runaway loop stops there)."""
    out: list[str] = []
    total = 0
    for part in parts:
        total += len(part)
        if total > MAX_SIZE:
            raise TemplateBudget(f"the template renders more than {MAX_SIZE:,} characters")
        out.append(part)
    return "".join(out)


_ENV = _BudgetedEnvironment(
    undefined=jinja2.StrictUndefined,
    autoescape=False,
    keep_trailing_newline=True,
    cache_size=0,  # we cache compiled templates ourselves, by source
)
_ENV.concat = _bounded_concat  # type: ignore[method-assign]
_ENV.filters = {name: _guarded_filter(fn) for name, fn in _ENV.filters.items()}


class _Overtime(BaseException):
    """Raised by the watchdog inside a render; a BaseException, so that no ``except
    Exception`` in the template's code path can swallow it."""


class _Watchdog:
    """A Jinja render's time budget. A loop checks no clock, so while renders run a
    SIGVTALRM timer ticks every :data:`_TICK` seconds of CPU and raises in a render that has
    overrun; the first tick after the renders stop stops the timer. The handler is installed
    once, only where SIGVTALRM is free and only for the main thread (the one that receives
    signals); elsewhere renders run without a time budget.

    A render itself reads no clock: it only counts itself and says it runs (a step renders
    dozens of expressions, and a CPU clock is a system call, one more point where a loaded
    machine takes the processor away). The tick reads the clock instead: the first tick that
    meets a render notes the main thread's CPU time, and a later tick that meets the same
    render raises once that render has spent more than :data:`RENDER_SECONDS` since. It is
    stopped then between ``RENDER_SECONDS`` and about ``RENDER_SECONDS + 2 * _TICK`` of CPU
    into it, and never before. The budget is the main thread's own CPU time: the timer ticks
    on the whole process's, and a busy thread beside it (a server a test started, an agent's
    deadline thread) must not make a short render look overdue."""

    def __init__(self) -> None:
        self.state = "unset"  # "on", or "off" where it cannot run
        self.ticking = False  # the timer runs (a forked child's does not: reset at fork)
        self.renders = 0  # renders begun so far: the running one's number
        self.running = False
        self.seen: tuple[int, float, float] | None = None
        """The render a tick met (its number), the main thread's CPU time then, and the
        garbage collection time then."""
        # CPU spent in full garbage collections is not the render's: one of a large heap
        # that happens to start inside a render could take its whole budget. The young
        # generations' collections are short, and too frequent to time each.
        self.gc_seconds = 0.0
        self.gc_began: float | None = None

    def available(self) -> bool:
        if self.state == "unset":
            try:
                free = signal.getsignal(signal.SIGVTALRM) in (signal.SIG_DFL, None)
                if free:
                    signal.signal(signal.SIGVTALRM, self._on_alarm)
                    atexit.register(self._stop)
                    gc.callbacks.append(self._on_gc)
                    os.register_at_fork(after_in_child=self._forked)
                self.state = "on" if free else "off"
            except ValueError:  # not the main thread (of the main interpreter)
                return False
        return self.state == "on" and threading.current_thread() is threading.main_thread()

    def _stop(self) -> None:
        signal.setitimer(signal.ITIMER_VIRTUAL, 0)
        self.ticking = False
        self.seen = None

    def _forked(self) -> None:
        self.ticking = False  # timers are not inherited
        self.seen = None

    def _on_gc(self, phase: str, info: dict[str, int]) -> None:
        if info.get("generation") != 2:
            return
        if phase == "start":
            self.gc_began = time.thread_time()
        elif self.gc_began is not None:
            self.gc_seconds += time.thread_time() - self.gc_began
            self.gc_began = None

    def _collected(self, now: float) -> float:
        """Garbage collection time so far, the running collection's included."""
        return self.gc_seconds + (now - self.gc_began if self.gc_began is not None else 0.0)

    def _on_alarm(self, signum: int, frame: Any) -> None:
        if not self.running:
            self._stop()
            return
        now = time.thread_time()
        seen = self.seen
        if seen is None or seen[0] != self.renders:
            self.seen = (self.renders, now, self._collected(now))
            return
        spent = now - seen[1] - (self._collected(now) - seen[2])
        if spent > RENDER_SECONDS and _in_render_code(frame):
            # Raised only where the render itself runs: a tick that lands in a garbage
            # collector's callback (or other code the render merely triggered) would raise
            # where nobody catches it. A runaway render is back in its own code by the next
            # tick, and raised there.
            raise _Overtime  # again at every tick, until the render is left

    def run(self, render: Callable[..., Any], *args: Any) -> Any:
        """``render(*args)`` within the time budget (arguments passed along, so that a
        caller needs no closure per render: an expression is a microsecond or two)."""
        on_main = self.state == "on" and threading.get_ident() == threading.main_thread().ident
        if not on_main and not self.available():
            return render(*args)
        self.renders += 1
        outer = self.running  # a render inside a render leaves the outer one running
        self.running = True
        if not self.ticking:  # after `running`: a tick in between stops the timer
            signal.setitimer(signal.ITIMER_VIRTUAL, _TICK, _TICK)
            self.ticking = True
        try:
            return render(*args)
        except _Overtime:
            raise TemplateBudget(f"rendering took more than {RENDER_SECONDS:g} s") from None
        finally:
            self.running = outer


_TICK = 0.2
"""How often the watchdog looks at the clock while renders run (seconds)."""

_RENDER_CODE = (
    os.path.dirname(jinja2.__file__),
    os.path.dirname(markupsafe.__file__),
    __file__,
    template_lowering.__file__,
)


def _in_render_code(frame: Any) -> bool:
    """Whether the interrupted frame is a template's, Jinja's, or this module's."""
    name = frame.f_code.co_filename if frame is not None else ""
    return name == "<template>" or name.startswith(_RENDER_CODE)


_WATCHDOG = _Watchdog()
_budgeted = _WATCHDOG.run


_LEAVES = frozenset({str, int, bool, type(None)})
"""Values :func:`_json_value` keeps as they are, by exact type (checked inline in a
container's items: a call per item was most of the walk; a subclass takes the long way)."""


def _json_value(value: Any, depth: int = 0) -> Any:
    """A native render's value as JSON data: tuples become lists; a value JSON cannot hold
    (``range(3)``, a function, a float that is not finite) is an error.

    A plain list or dict that is JSON already is given back as it is, not copied: it may
    share records (or parts of them) with the state, as a plain path's value does, and
    nothing changes either in place (writes copy along the path they change)."""
    if type(value) in _LEAVES or value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise TemplateError(f"the expression gives {value!r}, which is not a JSON number")
        return value
    if depth > 200:
        raise TemplateError("the expression gives a value nested too deeply")
    # One pass: each item is converted once, and a new container is begun only at the first
    # item that changes (walking again from there made nested lists over a tuple cost
    # 2 ** depth: 1.7 s at depth 20).
    if type(value) is list:
        items: list[Any] | None = None
        for i, v in enumerate(value):
            new = v if type(v) in _LEAVES else _json_value(v, depth + 1)
            if items is not None:
                items.append(new)
            elif new is not v:
                items = [*value[:i], new]
        return value if items is None else items
    if type(value) is dict:
        fields: dict[str, Any] | None = None
        for k, v in value.items():
            if type(k) is not str and not isinstance(k, str):  # here: a pass of its own
                raise _keys_not_strings(value)  # over the keys cost a fifth of the walk
            new = v if type(v) in _LEAVES else _json_value(v, depth + 1)
            if fields is not None:
                fields[k] = new
            elif new is not v:
                fields = {}
                for kept, old in value.items():  # the items before this one, unchanged
                    if kept == k:
                        break
                    fields[kept] = old
                fields[k] = new
        return value if fields is None else fields
    if isinstance(value, list | tuple):
        return [v if type(v) in _LEAVES else _json_value(v, depth + 1) for v in value]
    if isinstance(value, dict):
        return _json_dict(value, depth)
    if isinstance(value, jinja2.Undefined):
        return value
    raise TemplateError(
        f"the expression gives a {type(value).__name__}, not a JSON value (string, number, "
        "boolean, null, list or mapping)"
    )


def _json_dict(value: dict[Any, Any], depth: int) -> dict[str, Any]:
    """A dict subclass as a new plain dict (string keys only: a JSON object's)."""
    if not all(isinstance(k, str) for k in value):
        raise _keys_not_strings(value)
    return {k: v if type(v) in _LEAVES else _json_value(v, depth + 1) for k, v in value.items()}


def _keys_not_strings(value: dict[Any, Any]) -> TemplateError:
    return TemplateError(
        f"the expression gives a {type(value).__name__} with keys that are not strings, not "
        "a JSON value (string, number, boolean, null, list or mapping)"
    )


_SINGLE_EXPR = re.compile(r"^\s*\{\{(?P<expr>(?:(?!\}\}|\{\{).)*)\}\}\s*$", re.S)
_SIMPLE_PATH = re.compile(r"^\s*([A-Za-z_]\w*)((?:\.[A-Za-z_]\w*)*)\s*$")
_PLACEHOLDER = re.compile(r"\{\{(.*?)\}\}", re.S)
_DICT_ATTRS = frozenset(dir(dict))


def is_template(text: str) -> bool:
    """Whether a string contains Jinja syntax at all (most strings in a pack do not)."""
    return "{" in text and ("{{" in text or "{%" in text or "{#" in text)


@lru_cache(maxsize=65536)
def parse(source: str) -> nodes.Template:
    """Parse a template; raises :class:`TemplateError` with the template line."""
    try:
        tree = _ENV.parse(source)
    except jinja2.TemplateSyntaxError as exc:
        raise TemplateError(exc.message or "syntax error", lineno=exc.lineno or 1) from None
    except (RecursionError, ValueError) as exc:
        raise _unreadable(exc) from None
    # Jinja parses `{{ x | titel }}` and fails only when compiling it: say so here, as a
    # syntax error, so that no caller meets it as a crash.
    for node in tree.find_all((nodes.Filter, nodes.Test)):
        known = _ENV.filters if isinstance(node, nodes.Filter) else _ENV.tests
        if node.name not in known:
            what = "filter" if isinstance(node, nodes.Filter) else "test"
            close = difflib.get_close_matches(node.name, list(known), n=1, cutoff=0.6)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise TemplateError(f"unknown {what} {node.name!r}{hint}", lineno=node.lineno or 1)
    return tree


def _unreadable(exc: Exception) -> TemplateError:
    """A template Jinja cannot even parse: nested too deeply, or a number too long."""
    if isinstance(exc, RecursionError):
        return TemplateError("the template is nested too deeply")
    return TemplateError(f"the template cannot be read: {exc}")


@lru_cache(maxsize=65536)
def _simple_roots(source: str) -> frozenset[str] | None:
    """Names read by a template our fast path renders, or that is text with filtered
    placeholders (``{{ city | title }}``): Jinja need not parse either to know that it
    parses, or what it reads (a parse costs a millisecond)."""
    roots = _filtered_roots(source)  # text with placeholders, filtered or not
    if roots is not None:
        return roots
    kind, plan = _plan(source, True)  # ... or a lone `{{ path | default(literal) }}`
    if kind == "default":
        return frozenset({plan[0]})
    return None


_FILTERED = re.compile(r"^\s*([^|]+?)\s*((?:\|\s*[A-Za-z_]\w*\s*)+)$")
_FILTER_NAME = re.compile(r"\|\s*([A-Za-z_]\w*)")
_GUARDS = frozenset({"default", "d"})  # read by guarded_variables from Jinja's tree


def _filtered_roots(source: str) -> frozenset[str] | None:
    if "{%" in source or "{#" in source:
        return None
    roots: set[str] = set()
    last = 0
    for ph in _PLACEHOLDER.finditer(source):
        if "{{" in source[last : ph.start()] or "}}" in source[last : ph.start()]:
            return None
        last = ph.end()
        m = _FILTERED.match(ph.group(1))
        path = _simple(ph.group(1) if m is None else m.group(1))
        if path is None:
            return None
        if m is not None:
            names = _FILTER_NAME.findall(m.group(2))
            if any(name in _GUARDS or name not in _ENV.filters for name in names):
                return None
        roots.add(path[0])
    if "{{" in source[last:] or "}}" in source[last:]:
        return None
    return frozenset(roots)


def check_syntax(source: str) -> None:
    """Raise :class:`TemplateError` if ``source`` does not parse."""
    if _simple_roots(source) is None:
        parse(source)


@lru_cache(maxsize=65536)
def undeclared_variables(source: str) -> frozenset[str]:
    """Top-level names a template reads from its context."""
    simple = _simple_roots(source)
    if simple is not None:
        return simple
    return frozenset(meta.find_undeclared_variables(parse(source)))


@lru_cache(maxsize=65536)
def guarded_variables(source: str) -> frozenset[str]:
    """Names read only through ``| default(...)`` or tested with ``is defined``/``undefined``."""
    kind, plan = _plan(source, True)
    if kind == "default":
        return frozenset({plan[0]})
    if _simple_roots(source) is not None:
        return frozenset()
    guarded = set()
    for node in parse(source).find_all((nodes.Filter, nodes.Test)):
        if isinstance(node.node, nodes.Name) and node.name in (
            "default",
            "d",
            "defined",
            "undefined",
        ):
            guarded.add(node.node.name)
    return frozenset(guarded)


_BRACE = re.compile(r"(?<![{$%])\{\s*([A-Za-z_]\w*)\s*\}(?!\})")
_JINJA_SPANS = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.S)


def python_braces(source: str) -> list[str]:
    """Names written as Python ``{name}`` placeholders outside any Jinja tag."""
    return _BRACE.findall(_JINJA_SPANS.sub(" ", source))


def _lookup_path(context: Mapping[str, Any], root: str, attrs: str) -> Any:
    """Resolve ``root.a.b`` like Jinja's getattr-then-getitem for dicts; raise when missing."""
    try:
        value = context[root]
    except KeyError:
        raise TemplateError(f"{root!r} is undefined", name=root) from None
    for attr in attrs.split(".")[1:]:
        if isinstance(value, dict) and attr in value:
            value = value[attr]
        else:
            raise TemplateError(f"{root}{attrs!s} is undefined: no attribute {attr!r}", name=root)
    return value


_DEFAULT = re.compile(r"^(?P<path>[^|]+?)\s*\|\s*default\((?P<lit>[^()]*)\)\s*$")
_LITERAL_WORDS = {
    "none": None,
    "None": None,
    "true": True,
    "True": True,
    "false": False,
    "False": False,
}


def _literal(text: str) -> tuple[bool, Any]:
    """A Jinja literal (number, string, none/true/false, [] or {}) -> (ok, value)."""
    text = text.strip()
    if text in _LITERAL_WORDS:
        return True, _LITERAL_WORDS[text]
    try:
        value = ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return False, None
    return isinstance(value, int | float | str | list | dict), value


def _with_default(expr: str) -> tuple[str, str, Any] | None:
    """``a.b | default(literal)`` -> (root, attrs, default); the commonest tool template."""
    m = _DEFAULT.match(expr)
    if m is None:
        return None
    path = _simple(m.group("path"))
    ok, value = _literal(m.group("lit"))
    if path is None or not ok or isinstance(value, list | dict):
        return None  # mutable defaults go through Jinja, which builds a fresh one each time
    return (*path, value)


def _simple(expr: str) -> tuple[str, str] | None:
    m = _SIMPLE_PATH.match(expr)
    if m is None:
        return None
    root, attrs = m.group(1), m.group(2)
    if root in ("true", "false", "none", "True", "False", "None") or root in _ENV.globals:
        return None  # a literal, or a Jinja global (`range`, `lipsum`): Jinja knows it
    if any(a in _DICT_ATTRS for a in attrs.split(".")[1:]):
        return None  # Jinja would return the dict method; let Jinja do it
    return root, attrs


@lru_cache(maxsize=65536)
def _compiled_expression(expr: str) -> Callable[..., Any]:
    try:
        return _ENV.compile_expression(expr, undefined_to_none=False)
    except jinja2.TemplateSyntaxError as exc:
        raise TemplateError(exc.message or "syntax error", lineno=exc.lineno or 1) from None
    except (RecursionError, ValueError) as exc:
        raise _unreadable(exc) from None


def _evaluate(expression: Any, context: Mapping[str, Any]) -> Any:
    """``expression(**context)`` (a :class:`jinja2.environment.TemplateExpression`) with one
    copy of ``context`` instead of three: the context Jinja builds for the render is a copy
    already, and the render writes only to its own ``vars``."""
    template = expression._template
    ctx = template.new_context(context if type(context) is dict else dict(context))
    for _ in template.root_render_func(ctx):
        pass
    return ctx.vars["result"]


@lru_cache(maxsize=65536)
def _source_evaluator(source: str) -> Callable[[Mapping[str, Any]], Any]:
    """:func:`_expression_evaluator` of a lone ``{{ expr }}`` (matched once, not per render)."""
    m = _SINGLE_EXPR.match(source)
    assert m is not None
    return _expression_evaluator(m.group("expr"))


@lru_cache(maxsize=65536)
def _expression_evaluator(expr: str) -> Callable[[Mapping[str, Any]], Any]:
    """How to evaluate ``expr``: lowered to Python closures where
    :mod:`taskkit.templates._lowering` can (with Jinja's semantics, a fraction of its cost),
    else Jinja's compiled expression. Compiled by Jinja first either way, so that an
    expression Jinja refuses is refused the same way."""
    expression = _compiled_expression(expr)
    lowered = lower_expression(_ENV, expr)
    if lowered is not None:
        return lowered
    return lambda context: _evaluate(expression, context)


@lru_cache(maxsize=65536)
def _compiled_template(source: str) -> jinja2.Template:
    try:
        return _ENV.from_string(source)
    except jinja2.TemplateSyntaxError as exc:
        raise TemplateError(exc.message or "syntax error", lineno=exc.lineno or 1) from None
    except (RecursionError, ValueError) as exc:
        raise _unreadable(exc) from None


_NEWLINES = re.compile(r"\r\n|\r")


@lru_cache(maxsize=65536)
def _plan(source: str, native: bool) -> tuple[str, Any]:
    """How to render ``source``: ("expr", path|None), ("text", pieces) or ("jinja", None)."""
    m = _SINGLE_EXPR.match(source)
    if native and m and "{%" not in source and "{#" not in source:
        defaulted = _with_default(m.group("expr"))
        if defaulted is not None:
            return "default", defaulted
        return "expr", _simple(m.group("expr"))
    if "{%" in source or "{#" in source:
        return "jinja", None
    pieces: list[str | tuple[str, str]] = []
    last = 0
    for ph in _PLACEHOLDER.finditer(source):
        simple = _simple(ph.group(1))
        if simple is None:
            return "jinja", None
        pieces.append(_NEWLINES.sub("\n", source[last : ph.start()]))  # as Jinja's lexer does
        pieces.append(simple)
        last = ph.end()
    pieces.append(_NEWLINES.sub("\n", source[last:]))
    if any(isinstance(p, str) and ("{{" in p or "}}" in p) for p in pieces):
        return "jinja", None  # an unclosed or stray tag: let Jinja render it, or say why not
    return "text", tuple(pieces)


def _undefined_error(exc: jinja2.UndefinedError) -> TemplateError:
    msg = exc.message or "undefined value"
    m = re.match(r"'([A-Za-z_]\w*)' is undefined", msg)
    return TemplateError(msg, name=m.group(1) if m else None)


def render_string(source: str, context: Mapping[str, Any], *, native: bool = True) -> Any:
    """Render one template string. With ``native``, a lone ``{{ expr }}`` keeps its type."""
    kind, plan = _plan(source, native)
    try:
        if kind == "default":
            root, attrs, fallback = plan
            try:
                return _lookup_path(context, root, attrs)
            except TemplateError:
                return fallback
        if kind == "expr":
            if plan is not None:
                return _lookup_path(context, *plan)
            return _native_expression(source, context)
        if kind == "text":
            out = []
            for piece in plan:
                out.append(
                    piece if isinstance(piece, str) else _to_str(_lookup_path(context, *piece))
                )
            return "".join(out)
        template = _compiled_template(source)
        return _budgeted(lambda: template.render(context))
    except TemplateError:
        raise
    except Exception as exc:
        raise _as_template_error(exc) from None


def _native_expression(source: str, context: Mapping[str, Any]) -> Any:
    """A lone ``{{ expr }}`` that is not a plain path, rendered to its native value."""
    return _native_value(_source_evaluator(source), context)


def _native_value(evaluate: Callable[[Mapping[str, Any]], Any], context: Mapping[str, Any]) -> Any:
    """What ``evaluate`` gives in ``context``, within the time budget, as JSON data."""
    value = _json_value(_budgeted(evaluate, context))
    if isinstance(value, jinja2.Undefined):
        value._fail_with_undefined_error()
    return value


def _as_template_error(exc: Exception) -> TemplateError:
    """What a render raised, as the :class:`TemplateError` callers see."""
    if isinstance(exc, jinja2.UndefinedError):
        return _undefined_error(exc)
    if isinstance(exc, jinja2.TemplateSyntaxError):
        return TemplateError(exc.message or "syntax error", lineno=exc.lineno or 1)
    if isinstance(exc, jinja2.TemplateError):
        return TemplateError(str(exc))
    return TemplateError(f"{type(exc).__name__}: {exc}")  # the template's own expressions


def _to_str(value: Any) -> str:
    return value if isinstance(value, str) else str(value)


def render_value(value: Any, context: Mapping[str, Any]) -> Any:
    """Render every template string inside a JSON-like value; other values are copied."""
    if isinstance(value, str):
        return render_string(value, context) if is_template(value) else value
    if isinstance(value, dict):
        return {k: render_value(v, context) for k, v in value.items()}
    if isinstance(value, list):
        return [render_value(v, context) for v in value]
    return value


Renderer = Callable[[Mapping[str, Any]], Any]

_RENDERERS: IdentityMemo[Renderer] = IdentityMemo(512)
"""Compiled renderers by the identity of the value, bounded: a long run loads every task
afresh, each with behaviour values of its own, and an unbounded table kept them all."""


def value_renderer(value: Any) -> Renderer:
    """``render_value(value, ·)`` compiled once, for values rendered on every call (a tool's
    declared behaviour): the tree is walked and each template's kind decided here, not on
    each call. Shared by identity, so ``value`` must not change afterwards."""
    if isinstance(value, str):
        return _string_renderer(value)  # by text: callers may build the same text anew
    renderer = _RENDERERS.get(value)
    if renderer is None:
        renderer = _RENDERERS.put(value, compile_renderer(value))
    return renderer


def compile_renderer(value: Any) -> Renderer:
    """:func:`value_renderer` without its cache, for a value rendered for a while only."""
    if isinstance(value, str):
        return _string_renderer(value)
    if isinstance(value, dict):
        items = tuple((k, compile_renderer(v)) for k, v in value.items())
        return lambda ctx: {k: render(ctx) for k, render in items}
    if isinstance(value, list):
        parts = tuple(compile_renderer(v) for v in value)
        return lambda ctx: [render(ctx) for render in parts]
    return lambda ctx: value


@lru_cache(maxsize=65536)
def _string_renderer(source: str) -> Renderer:
    if not is_template(source):
        return lambda ctx: source
    kind, plan = _plan(source, True)
    if kind == "default":
        root, attrs, fallback = plan
        get = _path_getter(root, attrs)

        def with_default(ctx: Mapping[str, Any]) -> Any:
            value = get(ctx)
            return fallback if value is _MISSING else value

        return with_default
    if kind == "expr" and plan is not None:
        root, attrs = plan
        get = _path_getter(root, attrs)

        def expression(ctx: Mapping[str, Any]) -> Any:
            value = get(ctx)
            return _lookup_path(ctx, root, attrs) if value is _MISSING else value  # it raises

        return expression
    if kind == "expr":  # an expression: straight to it, without render_string's dispatch
        evaluator: list[Callable[[Mapping[str, Any]], Any]] = []  # found on the first call

        def native(ctx: Mapping[str, Any]) -> Any:
            try:
                if not evaluator:  # a syntax error is the render's, each time it is asked
                    evaluator.append(_source_evaluator(source))
                return _native_value(evaluator[0], ctx)
            except TemplateError:
                raise
            except Exception as exc:
                raise _as_template_error(exc) from None

        return native
    return lambda ctx: render_string(source, ctx)


_MISSING = object()


def _path_getter(root: str, attrs: str) -> Renderer:
    """``root.a.b`` as :func:`_lookup_path` resolves it, but :data:`_MISSING` instead of an
    exception: an optional argument left out is the common case, not an error."""
    parts = tuple(attrs.split(".")[1:])

    def get(ctx: Mapping[str, Any]) -> Any:
        value = ctx.get(root, _MISSING)
        for attr in parts:
            if value is _MISSING or not isinstance(value, dict) or attr not in value:
                return _MISSING
            value = value[attr]
        return value

    return get
