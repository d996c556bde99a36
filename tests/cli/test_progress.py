"""Progress of long runs and pass-rate tables (taskkit/cli/progress.py): plain lines where
there is no terminal (CI logs), rich on one, nothing for short runs."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from taskkit.cli.main import cli
from taskkit.cli.progress import echo_pass_rates, progress
from taskkit.runs.pass_rates import Rates, Report, format_table

REPO = Path(__file__).resolve().parents[2]


def test_plain_lines_at_each_tenth_and_one_at_the_end(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TASKKIT_PROGRESS", "plain")
    out = io.StringIO()
    with progress("lint", total=20, unit="files", stream=out) as bar:
        for _ in range(20):
            bar.advance()
    lines = out.getvalue().splitlines()
    assert len(lines) == 11
    assert re.fullmatch(r"lint: 2/20 files \(10%\), [\d.]+/s, \d+s left", lines[1])
    assert re.fullmatch(r"lint: 18/20 files \(90%\), [\d.]+/s, \d+s left", lines[9])
    assert re.fullmatch(r"lint: 20 files in [\d.]+s \([\d.]+/s\)", lines[10])


def test_the_total_can_be_set_late(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TASKKIT_PROGRESS", "plain")
    out = io.StringIO()
    with progress("generate", unit="episodes", stream=out) as bar:
        bar.advance(0)  # no total yet: nothing within five seconds
        bar.total = 4
        bar.advance(4)
    assert bar.total == 4 and bar.done == 4
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("generate: 0/4 episodes (0%)")
    assert lines[-1].startswith("generate: 4 episodes in ")


def test_without_a_terminal_a_short_run_prints_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TASKKIT_PROGRESS", raising=False)
    out = io.StringIO()  # not a terminal
    with progress("compile", total=3, stream=out, quiet_for=60) as bar:
        bar.advance(3)
    assert out.getvalue() == ""


def test_off_prints_nothing_and_still_counts(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TASKKIT_PROGRESS", "off")
    out = io.StringIO()
    with progress("compile", total=3, stream=out) as bar:
        bar.advance(2)
    assert out.getvalue() == "" and bar.done == 2


def test_rich_draws_a_bar_with_rate_and_time_left(monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("rich")
    monkeypatch.setenv("TASKKIT_PROGRESS", "rich")
    out = io.StringIO()
    with progress("compile", total=10, unit="tasks", stream=out) as bar:
        bar.advance(5)
    drawn = out.getvalue()
    assert "compile" in drawn and "tasks/s" in drawn and "5/10" in drawn


def test_the_cli_prints_plain_progress_lines_when_not_on_a_terminal(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TASKKIT_PROGRESS", "plain")
    result = CliRunner().invoke(
        cli,
        [
            "compile",
            str(REPO / "task_library" / "home"),
            str(REPO / "content_datasets" / "home"),
            "-o",
            str(tmp_path / "t.jsonl"),
        ],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    lines = result.stderr.splitlines()
    n = len(list((REPO / "task_library" / "home" / "tasks").glob("*.yaml")))
    assert [line.split(",")[0] for line in lines[:2]] == [
        f"compile: 1/{n} tasks ({100 // n}%)",
        f"compile: 2/{n} tasks ({200 // n}%)",
    ]
    assert re.fullmatch(rf"compile: 2/{n} tasks \({200 // n}%\), [\d.]+/s, \d+s left", lines[1])
    assert re.fullmatch(rf"compile: {n} tasks in [\d.]+s \([\d.]+/s\)", lines[-2])
    assert lines[-1].startswith("compiled ")
    assert "compile:" not in result.stdout  # stdout keeps the data


def test_pack_check_reports_its_steps(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    runner = CliRunner()
    assert runner.invoke(cli, ["new", "pack", "demo", "-d", str(tmp_path)]).exit_code == 0
    monkeypatch.setenv("TASKKIT_PROGRESS", "plain")
    result = runner.invoke(cli, ["pack", "check", "--no-properties", str(tmp_path / "demo")])
    assert result.exit_code == 0, result.output
    steps = [line for line in result.stderr.splitlines() if line.startswith("pack check:")]
    assert steps[0].startswith("pack check: 0/2 steps (0%)")
    assert steps[1].startswith("pack check: 1/2 steps (50%)")
    assert re.fullmatch(r"pack check: 2 steps in [\d.]+s \([\d.]+/s\)", steps[2])


def _report() -> Report:
    report = Report(overall=Rates(4, 3, 10, 9))
    report.by_pack["home"] = Rates(4, 3, 10, 9)
    return report


def test_pass_rates_are_the_plain_table_off_a_terminal(capsys: pytest.CaptureFixture[str]) -> None:
    echo_pass_rates(_report())
    assert capsys.readouterr().out == format_table(_report()) + "\n"


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_pass_rates_are_a_rich_table_on_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("rich")
    screen = _Terminal()
    monkeypatch.setattr("sys.stdout", screen)
    monkeypatch.setenv("COLUMNS", "160")  # a terminal wide enough for every column
    echo_pass_rates(_report(), by=("pack",))
    drawn = screen.getvalue()
    assert "pass rates" in drawn and "action pass" in drawn
    # the plain table's columns: episodes, failed, task pass with its interval, actions, ...
    assert re.search(
        r"pack\s*│\s*home\s*│\s*4\s*│\s*0\s*│\s*0\.750 \[0\.301, 0\.954\]\s*│\s*10\s*│\s*0\.900",
        drawn,
    ), drawn
