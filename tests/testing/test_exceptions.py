"""Per-task exceptions to the properties: ``testing: {allow: [noop_passes], reason: ...}``
turns a failing ``noop_fails`` into ``allowed`` (with the reason, in ``taskkit test`` and
``taskkit pack check``); an exception the task does not need is a warning."""

from __future__ import annotations

import shutil
from pathlib import Path

from click.testing import CliRunner

from taskkit.cli.main import cli
from taskkit.packs.gate import check_pack
from taskkit.testing import get_profile, run_library

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
NOOP_PASSES = EXAMPLES / "broken_packs" / "noop-passes"
NOOP_FAILS = EXAMPLES / "valid" / "terminal-tool-and-declared-answers"
REASON = "looking a price up changes nothing; the benchmark scores it so"
CI = get_profile("ci")


def _with_exception(source: Path, tmp_path: Path, task: str, block: str) -> Path:
    root = tmp_path / source.name
    shutil.copytree(source, root)
    path = next(root.rglob(f"tasks/{task}.yaml"))
    path.write_text(path.read_text(encoding="utf-8") + block, encoding="utf-8")
    return root


def _allow(reason: str = REASON) -> str:
    return f"testing:\n  allow: [noop_passes]\n  reason: {reason!r}\n"


def test_a_declared_exception_is_reported_as_allowed_with_its_reason(tmp_path):
    root = _with_exception(NOOP_PASSES, tmp_path, "price_lookup", _allow())
    result = run_library([root], CI)
    (noop,) = [r for r in result.results if r.name == "noop_fails"]
    assert (noop.status, noop.failed, noop.findings) == ("allowed", False, ())
    assert REASON in noop.note and "every entry" in noop.note
    out = CliRunner().invoke(cli, ["test", str(root), "--profile", "ci"]).output
    row = next(line for line in out.splitlines() if "noop_fails" in line)
    assert "allowed" in row and REASON in row
    assert "1 allowed by the task" in out
    assert "FAILED shop/price_lookup noop_fails" not in out


def test_without_the_exception_the_same_task_fails_and_the_hint_names_it(tmp_path):
    result = run_library([NOOP_PASSES], CI)
    (noop,) = [r for r in result.results if r.name == "noop_fails"]
    assert noop.failed
    assert "testing: {allow: [noop_passes]" in noop.findings[0].hint


def test_an_exception_needs_a_reason(tmp_path):
    root = _with_exception(
        NOOP_PASSES, tmp_path, "price_lookup", "testing:\n  allow: [noop_passes]\n"
    )
    out = CliRunner().invoke(cli, ["lint", str(root)])
    assert out.exit_code == 1
    assert "TK103" in out.output and "reason" in out.output


def test_an_exception_the_task_does_not_need_is_a_warning(tmp_path):
    root = _with_exception(NOOP_FAILS, tmp_path, "refund_then_transfer", _allow())
    result = run_library([root], CI)
    (noop,) = [r for r in result.results if r.name == "noop_fails"]
    assert noop.status == "pass"
    (warning,) = noop.warnings
    assert "fails this task anyway" in warning.message
    assert warning.path.endswith("refund_then_transfer.yaml") and warning.line > 1
    out = CliRunner().invoke(cli, ["test", str(root), "--profile", "ci"])
    assert out.exit_code == 0, out.output
    assert "WARNING desk/refund_then_transfer noop_fails" in out.output
    assert "1 warning" in out.output


def test_pack_check_shows_allowed_exceptions_and_unneeded_ones(tmp_path):
    allowed = _with_exception(NOOP_PASSES, tmp_path / "a", "price_lookup", _allow())
    report = check_pack([str(allowed / "shop")], profile="ci")
    (props,) = [c for p in report.packs for c in p.checks if c.name == "properties"]
    assert "noop_fails" in props.detail and REASON in props.detail
    unneeded = _with_exception(NOOP_FAILS, tmp_path / "b", "refund_then_transfer", _allow())
    report = check_pack([str(unneeded / "desk")], profile="ci")
    (props,) = [c for p in report.packs for c in p.checks if c.name == "properties"]
    assert props.status == "ok"
    (diag,) = props.diagnostics
    assert diag.severity.value == "warning" and "fails this task anyway" in diag.message
