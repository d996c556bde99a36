"""Templates from packs are bounded in what they cost, and the fast path agrees with Jinja."""

from __future__ import annotations

import threading
import time

import pytest

from taskkit.templates.environment import TemplateError, render_string


@pytest.mark.parametrize(
    ("template", "message"),
    [
        ("{{ 'a' * 10**10 }}", "repeating"),
        ("x {{ [1] * 10**9 }}", "repeating"),
        ("{{ 7 ** 99999999 }}", "too large a number"),
        ("{{ item | center(10**10) }}", "over the limit"),
        ("{{ item.ljust(10**10) }}", "over the limit"),
        ("{{ '{:>999999999}'.format(item) }}", "too wide a field"),
        ("{{ '%0999999999d' % 1 }}", "too wide a field"),
        ("{{ '%0999999999d' | format(1) }}", "too wide a field"),
        # widths and precisions that come from arguments, and many fields that add up
        ("{{ '%*d' % (99999999, 1) }}", "too wide a field"),
        ("{{ '%.*f' % (99999999, 1.0) }}", "too wide a field"),
        ("{{ '%*d' | format(99999999, 1) }}", "over the limit"),
        ("{{ '{x:{w}}'.format_map({'x': 1, 'w': 99999999}) }}", "too wide a field"),
        ("{{ '{x:.{p}f}'.format_map({'x': 1.0, 'p': 99999999}) }}", "too wide a field"),
        ("{{ ('{:999999}' * 5).format(1, 2, 3, 4, 5) }}", "too wide a field"),
        ("{{ ('%999999d' * 5) % (1, 2, 3, 4, 5) }}", "too wide a field"),
        (
            "{% for a in range(99999) %}{% for b in range(99999) %}x{% endfor %}{% endfor %}",
            "more than",
        ),
        (
            "{% for a in range(99999) %}{% for b in range(99999) %}{% endfor %}{% endfor %}",
            "took more than",
        ),
        ("{{ " + "(" * 3000 + "1" + ")" * 3000 + " }}", "nested too deeply"),
        ("{{ " + "9" * 5000 + " }}", "cannot be read"),
        ("{{ range(3) }}", "not a JSON value"),
        ("{{ lipsum }}", "not a JSON value"),
    ],
)
def test_a_costly_template_is_an_error_not_a_hang(template: str, message: str) -> None:
    start = time.process_time()  # CPU: the budget is CPU time, whatever the load
    with pytest.raises(TemplateError, match=message):
        render_string(template, {"item": "pen"})
    assert time.process_time() - start < 5


@pytest.mark.parametrize(
    ("fmt", "message"),
    [
        ("%(" * 400_000, "incomplete format key"),  # every `%(` once searched to the end
        ("%(" + "(" * 100_000 + ")" * 100_000 + ")s %099999999d", "too wide a field"),
        ("%(a)))%099999999d", "unsupported format character"),  # Python stops at `)`
    ],
)
def test_a_percent_format_is_read_in_one_pass_where_no_watchdog_runs(fmt, message) -> None:
    # a thread other than the main one has no render time budget: the check itself must
    # be linear in the format's length
    found: list[BaseException] = []
    worker = threading.Thread(target=_render_into, args=("{{ f % v }}", fmt, found))
    start = time.process_time()
    worker.start()
    worker.join(timeout=30)
    assert not worker.is_alive()
    assert time.process_time() - start < 2
    assert len(found) == 1 and isinstance(found[0], TemplateError), found
    assert message in str(found[0])


def _render_into(template: str, fmt: str, found: list[BaseException]) -> None:
    try:
        render_string(template, {"f": fmt, "v": {"a": 1}})
    except BaseException as exc:  # the test reads what the render raised
        found.append(exc)


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        ("{{ [1, 2] * 3 }}", [1, 2, 1, 2, 1, 2]),
        ("{{ item * 2 }}", "penpen"),
        ("{{ 2 ** 10 }}", 1024),
        ("{{ item | center(9) }}", "   pen   "),
        ("{% for i in range(3) %}{{ i }}{% endfor %}", "012"),
        ("{{ (1, 2) }}", [1, 2]),
        # a string argument with a long run of digits is an id, not a width
        ("{{ {'credit_card_7815826': 5}.get('credit_card_7815826') }}", 5),
        ("{{ '01234567890 '.strip('0123456789 ') }}", ""),
        ("{{ 'order 1234567: %s' % item }}", "order 1234567: pen"),
        ("{{ '%-6.2f|%03d|%%' % (3.14159, 7) }}", "3.14  |007|%"),
        ("{{ '%*d' | format(4, 1) }}", "   1"),
        ("{{ '{0:>{1}}'.format(item, 5) }}", "  pen"),
    ],
)
def test_ordinary_templates_render_as_before(template: str, expected: object) -> None:
    assert render_string(template, {"item": "pen"}) == expected


def test_jinja_globals_are_the_same_on_the_fast_path() -> None:
    # `{{ lipsum }}` alone was "undefined" on the fast path; Jinja knows the global
    text = render_string("a {{ lipsum }} b", {})
    assert text.startswith("a <function") or "generate_lorem_ipsum" in text
    assert render_string("{{ range }}", {"range": 5}) == 5  # the context still comes first
