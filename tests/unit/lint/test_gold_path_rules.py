"""Plain ``taskkit lint`` (what the pre-commit hook runs, no ``--deep``) catches what is cheap
to catch: an undeclared ``args.x`` in a tool (TK305), a gold action that errors without
``expect_error`` (TK406), a gold answer that fails its own check (TK407), an invalid answer
regex (TK408), ``max_turns`` below the gold path (TK409)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from taskkit.cli.main import cli
from taskkit.lint import lint
from taskkit.lint.rules.undeclared_argument import argument_names

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"

CASES = {
    "TK305-tool-reads-undeclared-argument": (
        "TK305",
        "tool 'buy_item' reads argument 'quantity', which its parameters do not declare",
    ),
    "TK406-gold-action-errors-without-expect-error": (
        "TK406",
        "gold action 2 (shop.buy_item) fails for entry 'pens': no item i-1-x",
    ),
    "TK407-gold-answer-fails-its-check": (
        "TK407",
        "the gold answer for entry 'pens' fails the answer check: answer has no number "
        "within tolerance of 2",
    ),
    "TK407-answer-checked-without-gold-answer": (
        "TK407",
        "the answer is checked but final.answer gives no gold answer",
    ),
    "TK408-invalid-answer-regex": ("TK408", "invalid regex 'ordered (\\\\d+ of'"),
    "TK409-max-turns-below-gold-path": (
        "TK409",
        "max_turns 2 is below the 3 turns of the gold path (2 gold actions, then the answer)",
    ),
}


@pytest.mark.parametrize(("case", "found"), CASES.items(), ids=list(CASES))
def test_plain_lint_catches_it(case: str, found: tuple[str, str]) -> None:
    rule, message = found
    result = CliRunner().invoke(
        cli, ["lint", "--no-cache", str(EXAMPLES / "invalid" / case)], catch_exceptions=False
    )
    assert result.exit_code == 1
    (line,) = result.stdout.splitlines()
    assert re.match(rf"^\S+:\d+:\d+: {rule} error ", line), line
    assert message in line


def test_the_fixed_examples_lint_clean(tmp_path: Path) -> None:
    """Each check is about its mistake: the valid pack it was made from has none."""
    case = Path(shutil.copytree(EXAMPLES / "valid" / "inline-entries", tmp_path / "case"))
    task = case / "mini" / "tasks" / "buy.yaml"
    task.write_text(
        task.read_text().replace("difficulty: easy", "difficulty: easy\nmax_turns: 3")
        + "  answer: Ordered {{ qty }} of the {{ item }}.\n"
        "  expect:\n    answer: {number: {value: '{{ qty }}'}, regex: 'ordered \\d+'}\n"
    )
    assert lint([case]).diagnostics == []


def test_max_turns_by_default_is_checked_too(tmp_path: Path) -> None:
    case = Path(shutil.copytree(EXAMPLES / "valid" / "inline-entries", tmp_path / "case"))
    task = case / "mini" / "tasks" / "buy.yaml"
    calls = "".join('    - {tool: shop.find_item, args: {name: "{{ item }}"}}\n' for _ in range(9))
    task.write_text(task.read_text() + calls)
    (d,) = lint([case], select=["TK409"]).diagnostics
    assert d.message == (
        "max_turns 10 (the default) is below the 12 turns of the gold path "
        "(11 gold actions, then the answer)"
    )
    assert (d.line, d.col) == (15, 5)  # final.gold_actions: there is no max_turns to point at


def test_a_gold_action_meant_to_fail_is_no_finding(tmp_path: Path) -> None:
    case = Path(
        shutil.copytree(
            EXAMPLES / "invalid" / "TK406-gold-action-errors-without-expect-error", tmp_path / "c"
        )
    )
    task = case / "mini" / "tasks" / "buy.yaml"
    task.write_text(
        task.read_text().replace('qty: "{{ qty }}"}}', 'qty: "{{ qty }}"}, expect_error: true}')
    )
    assert "expect_error: true" in task.read_text()
    assert lint([case], select=["TK406"]).diagnostics == []


@pytest.mark.parametrize(
    ("source", "names"),
    [
        ("{{ args.city }}", {"city"}),
        ("{{ args.city | default('x') }} and {{ args['min_price'] }}", {"city", "min_price"}),
        ("{{ args.get('limit', 10) }}", {"limit"}),
        ("{% for k in args.keys() %}{{ k }}{% endfor %}", set()),
        ("{{ state.homes | length }}", set()),
        ("{{ args.a.b }}", {"a"}),
        ("{{ args.x }", set()),  # does not parse: TK301's
    ],
)
def test_argument_names(source: str, names: set[str]) -> None:
    assert argument_names(source) == names
