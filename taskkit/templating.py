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
import difflib
import re
from collections.abc import Callable, Mapping
from functools import lru_cache
from typing import Any

import jinja2
from jinja2 import meta, nodes
from jinja2.sandbox import ImmutableSandboxedEnvironment

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


_ENV = ImmutableSandboxedEnvironment(
    undefined=jinja2.StrictUndefined,
    autoescape=False,
    keep_trailing_newline=True,
    cache_size=0,  # we cache compiled templates ourselves, by source
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
    if root in ("true", "false", "none", "True", "False", "None"):
        return None
    if any(a in _DICT_ATTRS for a in attrs.split(".")[1:]):
        return None  # Jinja would return the dict method; let Jinja do it
    return root, attrs


@lru_cache(maxsize=65536)
def _compiled_expression(expr: str) -> Callable[..., Any]:
    try:
        return _ENV.compile_expression(expr, undefined_to_none=False)
    except jinja2.TemplateSyntaxError as exc:
        raise TemplateError(exc.message or "syntax error", lineno=exc.lineno or 1) from None


@lru_cache(maxsize=65536)
def _compiled_template(source: str) -> jinja2.Template:
    try:
        return _ENV.from_string(source)
    except jinja2.TemplateSyntaxError as exc:
        raise TemplateError(exc.message or "syntax error", lineno=exc.lineno or 1) from None


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
            m = _SINGLE_EXPR.match(source)
            assert m is not None
            value = _compiled_expression(m.group("expr"))(**context)
            if isinstance(value, jinja2.Undefined):
                value._fail_with_undefined_error()
            if not _is_json(value):  # `{{ range(3) }}`: nothing downstream can store it
                raise TemplateError(f"the value is a {type(value).__name__}, not JSON")
            return value
        if kind == "text":
            out = []
            for piece in plan:
                out.append(
                    piece if isinstance(piece, str) else _to_str(_lookup_path(context, *piece))
                )
            return "".join(out)
        return _compiled_template(source).render(context)
    except jinja2.UndefinedError as exc:
        raise _undefined_error(exc) from None
    except jinja2.TemplateSyntaxError as exc:
        raise TemplateError(exc.message or "syntax error", lineno=exc.lineno or 1) from None
    except jinja2.TemplateError as exc:
        raise TemplateError(str(exc)) from None
    except TemplateError:
        raise
    except Exception as exc:  # errors raised by the template's own expressions
        raise TemplateError(f"{type(exc).__name__}: {exc}") from None


def _is_json(value: Any) -> bool:
    if value is None or isinstance(value, str | int | float):  # bool is an int
        return True
    if isinstance(value, list):
        return all(_is_json(v) for v in value)
    if isinstance(value, dict):
        return all(isinstance(k, str) and _is_json(v) for k, v in value.items())
    return False


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

_RENDERERS: dict[int, tuple[Any, Renderer]] = {}


def value_renderer(value: Any) -> Renderer:
    """``render_value(value, ·)`` compiled once, for values rendered on every call (a tool's
    declared behaviour): the tree is walked and each template's kind decided here, not on
    each call. Shared by identity, so ``value`` must not change afterwards."""
    if isinstance(value, str):
        return _string_renderer(value)  # by text: callers may build the same text anew
    hit = _RENDERERS.get(id(value))
    if hit is not None and hit[0] is value:
        return hit[1]
    renderer = compile_renderer(value)
    _RENDERERS[id(value)] = (value, renderer)  # holding `value` keeps its id from being reused
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
