"""Templates that Jinja parses but cannot run are findings, never a crash (issue 22): an
unknown filter or test (``{{ city | titel }}``), and a value that is not JSON
(``{{ range(3) }}``), in lint, ``lint --deep``, compile, ``test`` and ``pack check``."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from taskkit.cli.main import cli
from taskkit.templates.environment import (
    TemplateError,
    check_syntax,
    render_string,
    undeclared_variables,
)

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "invalid"


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("{{ city | titel }}", "unknown filter 'titel'; did you mean 'title'?"),
        ("Go to {{ city | upper | titel }} now", "unknown filter 'titel'; did you mean 'title'?"),
        ("{% if n is evn %}x{% endif %}", "unknown test 'evn'; did you mean 'even'?"),
        ("{% filter zzq %}x{% endfilter %}", "unknown filter 'zzq'"),
    ],
)
def test_an_unknown_filter_or_test_is_a_syntax_error(source: str, message: str) -> None:
    with pytest.raises(TemplateError) as caught:
        check_syntax(source)
    assert caught.value.message == message
    with pytest.raises(TemplateError):
        undeclared_variables(source)  # what TK302 calls: it crashed lint


def test_known_filters_and_tests_still_parse() -> None:
    check_syntax("{{ city | title }}{% if n is even %}{{ n | default(1) }}{% endif %}")


@pytest.mark.parametrize("source", ["{{ range(3) }}", "{{ [1, range(2)] }}", "{{ {1: 2} }}"])
def test_a_value_that_is_not_json_does_not_render(source: str) -> None:
    with pytest.raises(TemplateError, match="not a JSON value"):
        render_string(source, {})


def test_json_values_still_render_natively() -> None:
    assert render_string("{{ [1, 'a', {'k': none}] }}", {}) == [1, "a", {"k": None}]


@pytest.mark.parametrize(
    "command",
    [["lint", "--no-cache"], ["lint", "--no-cache", "--deep"], ["test"]],
    ids=["lint", "lint-deep", "test"],
)
def test_commands_report_an_unknown_filter(command: list[str]) -> None:
    result = CliRunner().invoke(cli, [*command, str(EXAMPLES / "TK301-unknown-filter")])
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "TK301 error template syntax error: unknown filter 'titel'" in result.stdout
    assert "Traceback" not in result.output


def test_compile_reports_an_unknown_filter_and_a_value_that_is_not_json(tmp_path: Path) -> None:
    for case in ("TK301-unknown-filter", "TK701-template-value-not-json"):
        out = tmp_path / f"{case}.jsonl"
        result = CliRunner().invoke(cli, ["compile", str(EXAMPLES / case), "-o", str(out)])
        assert result.exit_code == 1, result.output
        assert not out.exists()
    assert "the expression gives a range, not a JSON value" in result.stdout


def test_pack_check_reports_an_unknown_filter() -> None:
    result = CliRunner().invoke(cli, ["pack", "check", str(EXAMPLES / "TK301-unknown-filter/mini")])
    assert result.exit_code == 1
    assert "unknown filter 'titel'" in result.stdout
