"""Templates: sandboxed, strict, native types for lone expressions, and the fast path
rendering exactly as Jinja would."""

from __future__ import annotations

import jinja2
import pytest
from hypothesis import given
from hypothesis import strategies as st
from jinja2 import meta
from jinja2.sandbox import ImmutableSandboxedEnvironment

from taskkit.templates.environment import (
    TemplateError,
    check_syntax,
    python_braces,
    render_string,
    render_value,
    undeclared_variables,
    value_renderer,
)

CTX = {"city": "Austin", "n": 3, "homes": [{"id": "h1"}], "entry": {"city": "Austin", "n": 3}}


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("{{ n }}", 3),
        ("{{ homes }}", [{"id": "h1"}]),
        ("  {{ entry.n }} ", 3),
        ("{{ n + 1 }}", 4),
        ("{{ n }} bedrooms", "3 bedrooms"),
        ("in {{ city }} with {{ n }}", "in Austin with 3"),
        ("{% if n > 2 %}big{% else %}small{% endif %}", "big"),
        ("{{ missing | default(7) }}", 7),
        ("{{ entry.nope | default('x') }}", "x"),
        ("{{ n | default(0) }}", 3),
        ("{{ entry.n|default(none) }}", 3),
    ],
)
def test_render_keeps_native_type_only_for_a_lone_expression(source, expected):
    assert render_string(source, CTX) == expected


def test_undefined_is_an_error_naming_the_variable():
    with pytest.raises(TemplateError) as info:
        render_string("Homes in {{ ctiy }}", CTX)
    assert info.value.name == "ctiy"


def test_undefined_attribute_is_an_error():
    with pytest.raises(TemplateError):
        render_string("{{ entry.nope }}", CTX)


def test_sandbox_blocks_attribute_escape():
    with pytest.raises(TemplateError):
        render_string("{{ city.__class__.__mro__[1].__subclasses__() }}", CTX)


def test_render_value_walks_structures():
    assert render_value({"a": ["{{ n }}", "x{{ n }}"], "b": 1}, CTX) == {"a": [3, "x3"], "b": 1}


def test_undeclared_variables():
    assert undeclared_variables("{{ a }} {% for x in b %}{{ x.c }}{% endfor %}") == {"a", "b"}


def test_python_braces_outside_jinja():
    assert python_braces("Find {city} near {{ other }} and { n }") == ["city", "n"]


_reference = ImmutableSandboxedEnvironment(
    undefined=jinja2.StrictUndefined, keep_trailing_newline=True
)
names = st.sampled_from(["city", "n", "homes", "entry"])
texts = st.text(alphabet=st.characters(blacklist_characters="{}%#"), max_size=12)


@given(st.lists(st.tuples(texts, names), min_size=1, max_size=4), texts)
def test_fast_path_matches_jinja(pieces, tail):
    source = "".join(f"{text}{{{{ {name} }}}}" for text, name in pieces) + tail
    assert render_string(source, CTX, native=False) == _reference.from_string(source).render(CTX)


placeholders = st.builds(
    lambda path, filters, pad: pad + path + "".join(f"{pad}|{pad}{f}" for f in filters) + pad,
    st.sampled_from(["city", "entry.city", "n", "true", "entry.items", "a b", "x.__class__"]),
    st.lists(st.sampled_from(["title", "upper", "default", "nofilter", "trim", "d"]), max_size=3),
    st.sampled_from(["", " ", "  "]),
)
fragments = st.sampled_from(["", "text", "{", "}}", "{{", "{%", "%}", "{# c #}", " | "])


@given(st.lists(st.tuples(fragments, placeholders), min_size=1, max_size=3), fragments)
def test_the_fast_syntax_check_agrees_with_jinja(pieces, tail):
    """Without parsing, the same verdict and the same variables as Jinja's parser and
    compiler (compiling finds unknown filters, which parsing does not; check_syntax too)."""
    source = "".join(f"{text}{{{{{expr}}}}}" for text, expr in pieces) + tail
    try:
        expected = meta.find_undeclared_variables(_reference.parse(source))
    except jinja2.TemplateSyntaxError:  # TemplateAssertionError (unknown filter) is one
        with pytest.raises(TemplateError):
            check_syntax(source)
        return
    check_syntax(source)
    assert undeclared_variables(source) == expected


RENDERED = {
    "where": {"category": "{{ args.category | default(none) }}", "id": "{{ args.app_id }}"},
    "limit": "{{ args.limit | default(10) }}",
    "nested": "{{ args.app.id }}",
    "text": "no app {{ args.app_id }}",
    "jinja": "{{ args.app_id | upper }}",
    "constants": [3, True, None, "plain"],
}


@pytest.mark.parametrize(
    "args",
    [
        {"app_id": "a1", "category": "games", "limit": None, "app": {"id": 7}},
        {"app_id": "a1"},
        {},
        {"app_id": {"x": 1}, "app": "not a mapping"},
    ],
)
@pytest.mark.parametrize("key", sorted(RENDERED))
def test_a_compiled_renderer_renders_as_render_value(key, args):
    """value_renderer(v)(ctx) == render_value(v, ctx), errors included."""

    def outcome(render):
        try:
            return "ok", render()
        except TemplateError as exc:
            return "error", exc.message

    value, ctx = RENDERED[key], {"args": args, "state": {}}
    assert outcome(lambda: value_renderer(value)(ctx)) == outcome(lambda: render_value(value, ctx))


operands = st.sampled_from(
    ["n", "city", "homes", "entry.n", "entry.city", "entry", "range(n) | list", "dict(a=n)",
     "namespace(k=n).k", "homes | map(attribute='id') | list", "city | length", "missing",
     "entry.nope", "'x'", "2.5", "none", "[n, city]"]
)  # fmt: skip
operators = st.sampled_from([" == ", " != ", " < ", " ~ ", " + ", " in ", " and ", " or "])


@given(operands, st.lists(st.tuples(operators, operands), max_size=2), st.booleans())
def test_a_lone_expression_renders_as_jinja_evaluates_it(first, rest, negate):
    """Rendered natively, a Jinja expression (globals, filters, errors) is Jinja's value:
    the context the render builds is a faster copy of Jinja's own, not another."""
    expr = first + "".join(op + operand for op, operand in rest)
    expr = f"not ({expr})" if negate else expr

    def outcome(evaluate):
        try:
            return "ok", evaluate()
        except (TemplateError, jinja2.TemplateError, TypeError):
            return "error", None

    ours = outcome(lambda: render_string("{{ " + expr + " }}", CTX))
    reference = outcome(lambda: _reference.compile_expression(expr, False)(**CTX))
    if isinstance(reference[1], jinja2.Undefined):
        reference = ("error", None)  # strict: an undefined value is an error
    elif isinstance(reference[1], tuple):
        reference = ("ok", list(reference[1]))  # a native render gives JSON data
    assert ours == reference
