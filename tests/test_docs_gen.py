"""docs/ tables generated from the registries: the committed docs match the code, and
drift is reported with the command that fixes it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from taskkit import docs_gen
from taskkit.cli.main import COMMANDS
from taskkit.lint.registry import RULES

REPO = Path(__file__).resolve().parents[1]


def test_the_committed_docs_match_the_registries() -> None:
    stale = docs_gen.regenerate(REPO, check=True)
    assert stale == [], f"{stale} out of date: run `python -m taskkit.docs_gen`"


def test_every_rule_and_command_is_in_the_docs() -> None:
    authoring = (REPO / "docs" / "authoring.md").read_text()
    for rid, rule in RULES.items():
        assert f"| [{rid}](../taskkit/lint/rules/" in authoring
        assert f"| {rule.NAME} | {rule.SEVERITY} |" in authoring
    cli = (REPO / "docs" / "cli.md").read_text()
    for name in COMMANDS:
        assert f"### `taskkit {name}`" in cli


@pytest.fixture
def docs(tmp_path: Path) -> Path:
    shutil.copytree(REPO / "docs", tmp_path / "docs")
    return tmp_path


def test_drift_is_reported_with_the_command_and_regenerating_fixes_it(
    docs: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = docs / "docs" / "authoring.md"
    text = path.read_text()
    row = next(line for line in text.splitlines() if line.startswith("| [TK405]"))
    path.write_text(text.replace(row + "\n", ""))
    assert docs_gen.main(["--check", "--root", str(docs)]) == 1
    out = capsys.readouterr().out
    assert out == "docs/authoring.md: out of date; run `python -m taskkit.docs_gen`\n"
    assert docs_gen.main(["--root", str(docs)]) == 0
    assert path.read_text() == text
    assert docs_gen.main(["--check", "--root", str(docs)]) == 0


def test_lost_markers_are_an_error(docs: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = docs / "docs" / "cli.md"
    path.write_text(path.read_text().replace("<!-- END GENERATED cli -->", ""))
    assert docs_gen.main(["--check", "--root", str(docs)]) == 2
    assert "docs/cli.md: needs one pair of markers" in capsys.readouterr().err


def test_an_undocumented_operation_or_answer_check_stops_the_generator(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    results = dict(docs_gen.OPERATION_RESULTS)
    del results["count"]
    monkeypatch.setattr(docs_gen, "OPERATION_RESULTS", results)
    with pytest.raises(docs_gen.DocsError, match=r"undocumented \['count'\]"):
        docs_gen.operations_table()
    checks = {**docs_gen.ANSWER_CHECKS, "sounds_right": ("string", "it does")}
    monkeypatch.setattr(docs_gen, "ANSWER_CHECKS", checks)
    with pytest.raises(docs_gen.DocsError, match=r"documented but gone \['sounds_right'\]"):
        docs_gen.answers_table()
