"""The fast YAML reader reads a file only where it reads what the reference reader reads:
same data, or it declines and the reference reader decides."""

from __future__ import annotations

import re
import sys

import pytest
import yaml
from hypothesis import event, example, given, settings
from hypothesis import strategies as st

from taskkit.io import fastyaml
from taskkit.io.yamlio import load_yaml_text

pytestmark = pytest.mark.skipif(
    not fastyaml.available(), reason="the fast YAML reader (`fast` extra) is not installed"
)


def reference(text: str, monkeypatch: pytest.MonkeyPatch) -> object:
    """The reference reader's verdict: the single document's data, or its diagnostics."""
    with monkeypatch.context() as m:
        m.setattr(fastyaml, "_yaml_rs", None)
        result = load_yaml_text(text, "t.yaml")
    if result.diagnostics or len(result.documents) != 1:
        return [d.rule for d in result.diagnostics]
    return result.documents[0].data


def assert_reads_as_reference_or_declines(text: str) -> None:
    fast = fastyaml.read(text)
    event("declined" if fast is None else "read")
    if fast is not None:
        with pytest.MonkeyPatch.context() as m:
            assert fast == reference(text, m)


def test_reads_plain_block_and_flow_yaml():
    text = "kind: task\nn: 3\nfee: 12.5\nok: true\nnone: null\nwhen: 2026-01-02\nl: [a, {b: c}]\n"
    assert fastyaml.read(text) == {
        "kind": "task",
        "n": 3,
        "fee": 12.5,
        "ok": True,
        "none": None,
        "when": "2026-01-02",  # timestamps stay the text written, as with the reference
        "l": ["a", {"b": "c"}],
    }


@pytest.mark.parametrize(
    "text",
    [
        "a: yes\n",  # YAML 1.1 boolean, a string to YAML 1.2
        "a: 'yes'\n",  # ... the same string quoted: the reader cannot tell, so it declines
        "a: 12:30\n",  # 1.1 sexagesimal
        "a: =\n",  # 1.1 value key
        "a: 010\n",  # 1.1 octal, 1.2 decimal
        "a: 0o17\n",
        "a: 1e3\n",  # a string to 1.1 (no dot, no sign), a float to 1.2
        "a: -.5\n",
        "a: 1_000\n",
        # yaml-rs drops underscores before digits anywhere: 0, 1, -1, 0.5 and [1] to it
        "name: _00\n",
        "a: __1\n",
        "a: -_1\n",
        "a: ._5\n",
        "a: [_1.5]\n",
        "a: .inf\n",
        "a:\n\t- x\n",  # tabs
        "a: 1\r\nb: 2\r\n",
        "a: &x 1\nb: *x\n",  # anchors and aliases: bombs are the reference reader's job
        "a: !!python/object:os.system x\n",
        "a: !custom x\n",
        "<<: {a: 1}\n",
        "---\na: 1\n",
        "a: 1\n---\nb: 2\n",
        "%YAML 1.1\n---\na: 1\n",
        "a: 1\na: 2\n",  # duplicate keys: TK007
        "1: x\n",  # a key that is not a string
        "12:30: x\n",  # 1.1 reads the key as 750
        "? [a]\n: x\n",
        "- a\n- b\n",  # not a mapping
        "just text\n",
        "",
        "# only a comment\n",
        "a: [1, 2\n",  # syntax error: the reference reader reports it
        "a: \x01\n",  # a control character libyaml refuses
        "a: \u2028\n",
    ],
)
def test_declines_what_the_two_versions_or_readers_may_read_apart(text):
    assert fastyaml.read(text) is None


@pytest.mark.parametrize("text", ["yes: x\n", "Off: x\n", "true-ish: x\n"])
def test_keys_read_as_the_text_written_are_read(text, monkeypatch):
    """The reference reader keeps the text of a boolean or float key: the same string."""
    assert fastyaml.read(text) == reference(text, monkeypatch)


def test_mapping_keys_are_interned():
    first, second = fastyaml.read("records:\n- {id: a}\n- {id: b}\n")["records"]
    (k1,), (k2,) = first, second
    assert k1 is k2 is sys.intern("id")


@pytest.mark.parametrize("deep", [False, True], ids=["lint", "lint-deep"])
def test_every_example_lints_the_same_read_either_way(monkeypatch, deep):
    """Every diagnostic, message and hint included, for the bundled library and all the
    example cases at once (``test_examples`` checks positions and rules case by case)."""
    from taskkit.compiler.deep import compile_findings
    from taskkit.lint import lint
    from tests.conftest import LIBRARY, REPO

    paths = [
        *LIBRARY,
        REPO / "tests" / "examples" / "valid",
        REPO / "tests" / "examples" / "invalid",
    ]
    fast = lint(paths, compile_phase=compile_findings if deep else None)
    monkeypatch.setattr(fastyaml, "_yaml_rs", None)
    slow = lint(paths, compile_phase=compile_findings if deep else None)
    assert len(fast.diagnostics) > 100  # the invalid cases are in
    assert [d.text() for d in fast.diagnostics] == [d.text() for d in slow.diagnostics]
    assert [d.hint for d in fast.diagnostics] == [d.hint for d in slow.diagnostics]
    assert fast.files == slow.files


# Data whose YAML the two versions might read apart: words and numbers YAML 1.1 types,
# texts with YAML's indicators, Unicode, long lines that the dumper folds.
_tricky = st.sampled_from(
    ["yes", "No", "on", "OFF", "y", "n", "~", "null", "", " ", "=", "<<", "12:30", "010",
     "0o17", "0x1F", "1e3", "1.5e+3", "-.5", ".inf", "1_000", "+1", "2026-01-02", "#x",
     "a: b", "- x", "[x]", "{x}", "x # y", "'q'", '"q"', "\\n", "tab\tin", "é ✓ \U0001d518", "…"]
)  # fmt: skip
_scalars = (
    _tricky
    | st.text(max_size=30)
    | st.text(alphabet="abcXYZ019 :-#'\",.{}[]?|>%@`\\\né", max_size=120)
    | st.integers()
    | st.floats(allow_nan=False)
    | st.booleans()
    | st.none()
)
_keys = _tricky | st.text(alphabet="abc_-", min_size=1, max_size=8)
_data = st.dictionaries(
    _keys,
    st.recursive(
        _scalars,
        lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_keys, inner, max_size=4),
        max_leaves=12,
    ),
    min_size=1,
    max_size=5,
)
_styles = st.fixed_dictionaries(
    {
        "default_flow_style": st.sampled_from([False, True, None]),
        # mostly the plain style: quoting every scalar tags the non-strings (`!!int "1"`),
        # which the fast reader declines
        "default_style": st.sampled_from([None, None, None, '"', "'", "|", ">"]),
        "width": st.sampled_from([20, 80, 1000]),
        "allow_unicode": st.booleans(),
        "sort_keys": st.just(False),
    }
)


@settings(max_examples=400, deadline=None)
@given(_data, _styles)
def test_reads_what_the_reference_reads_or_declines(data, style):
    assert_reads_as_reference_or_declines(yaml.safe_dump(data, **style))


# Hand-written YAML: lines an author might write, at assorted indents, most combinations
# invalid (both readers must then refuse, or the fast one decline).
_LINES = ["a: b", "a:", "- x", "-", "k: |", "k: >-", "k: |+", "k: >2", "  text", "    more",
          "", "# c", "a: b # c", "a: 'x", "  y'", 'a: "x', '  y"', 'a: "x\\\n  y"', "a: [1,",
          "  2]", "a: {b: c,", "  d: e}", "? a", ": b", "a: b: c", "'a b': c", '"k": v',
          "a: x y", "  z", "a: -x", "a: :x", "a: x:", "a: 'it''s'", 'a: "\\t\\u263a"',
          "b:\n- 1\n- 2", "d: ''", "f: null", "g: ~", "h: 1.5", "j: true", "k: [a, b]",
          "l: {x: 1}", "m: a\n  b\n\n  c", "n: |\n  a\n\n  b\n", "o: >\n  a\n  b\n\n  c\n",
          "p: |-\n   x\n  y"]  # fmt: skip
_line = st.builds(
    lambda text, indent: " " * indent + text,
    st.sampled_from(_LINES),
    st.sampled_from([0, 0, 0, 1, 2, 4]),
)


@settings(max_examples=400, deadline=None)
@given(st.lists(_line, min_size=1, max_size=8))
@example(["k: |"])
@example(["a: {b: c,", "    more", "  d: e}"])
@example(["a: [1,", "  k: |+", "  2]"])
def test_reads_hand_written_yaml_as_the_reference_does_or_declines(lines):
    """Found: yaml-rs reads an empty block scalar (``k: |``) as a line break, and accepts
    a multi-line key or a block scalar indicator in a flow collection spread over lines."""
    assert_reads_as_reference_or_declines("\n".join(lines) + "\n")


# The prescan's two fastest forms against their plain statements.

_SPEC_INDICATOR_OR_NUMBER = re.compile(
    r"[ \[{,\n](?:[&*!]|[-+]?(?:0[0-9bBoOxX]|\.[0-9_]|[0-9][0-9.]*[eE_]|_[0-9_.]))"
)


@settings(max_examples=3000, deadline=None)
@given(st.text(alphabet=" [{,\n\t&*!+-.0123456789eE_bBoOxXa:", max_size=12))
@example(" 0x1")
@example("[-.5")
@example(",+1_0")
@example(" _0")
@example("[-._")
@example("\n1.2e3")
@example(" 12")
def test_the_number_and_indicator_scan_is_its_plain_statement(text):
    fast = fastyaml._INDICATOR_OR_NUMBER.search(text) is not None
    assert fast == (_SPEC_INDICATOR_OR_NUMBER.search(text) is not None)


@settings(max_examples=1000, deadline=None)
@given(st.one_of(st.text(alphabet=st.characters(max_codepoint=0x7F)), st.text()))
@example("a\tb")
@example("a\rb")
@example("\x7f")
@example("caf\u00e9\u2028")
def test_the_unreadable_scan_of_ascii_text_is_the_regex(text):
    assert fastyaml._unreadable(text) == (fastyaml._UNREADABLE.search(text) is not None)


_SPEC_MARKERS = ("<<", "\n---", "\n...", "\n%", ".inf", ".Inf", ".INF", ".nan", ".NaN", ".NAN")


@settings(max_examples=2000, deadline=None)
@given(st.text(alphabet="<\n.-%infINFaNA x", max_size=10))
@example("a: .NaN")
@example("x\n%YAML")
def test_the_marker_scan_finds_any_marker(text):
    markers = (
        "<<" in text
        or fastyaml._LINE_MARKER.search(text) is not None
        or fastyaml._INF_OR_NAN.search(text) is not None
    )
    assert markers == any(marker in text for marker in _SPEC_MARKERS)
