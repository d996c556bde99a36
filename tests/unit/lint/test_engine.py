"""The engine runs every rule the same way, whichever path lint takes: it stamps the
registry's severity, and runs a rule's per-document part wherever the document is read."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

from taskkit.diagnostics import Diagnostic, Severity
from taskkit.library import Library, LoadedDoc, discover, load_library
from taskkit.lint import engine, lint, lint_library, registry
from taskkit.lint.context import LintContext
from taskkit.lint.shards import lint_in_shards
from taskkit.rule_ids import DUPLICATE_ID, UNUSED_TOOL

EXAMPLES = Path(__file__).parents[2] / "examples"


def test_the_engine_stamps_the_registrys_severity(monkeypatch: pytest.MonkeyPatch) -> None:
    rule = ModuleType("loud")
    rule.ID, rule.NAME, rule.SEVERITY, rule.READS = UNUSED_TOOL, "x", Severity.WARNING, "index"

    def check(ctx: LintContext) -> Iterator[Diagnostic]:
        yield Diagnostic("a.yaml", 1, 1, UNUSED_TOOL, "m", severity=Severity.ERROR)

    rule.check = check  # type: ignore[attr-defined]
    monkeypatch.setitem(registry.RULES, UNUSED_TOOL, rule)  # type: ignore[arg-type]
    ctx = LintContext(load_library([]))
    [found] = engine.run_rule(UNUSED_TOOL, ctx)
    assert found.severity is Severity.WARNING


def test_a_rule_reports_under_its_own_id_only(monkeypatch: pytest.MonkeyPatch) -> None:
    rule = ModuleType("stray")
    rule.ID, rule.NAME, rule.SEVERITY, rule.READS = UNUSED_TOOL, "x", Severity.WARNING, "index"
    rule.check = lambda ctx: iter([Diagnostic("a.yaml", 1, 1, DUPLICATE_ID, "m")])  # type: ignore[attr-defined]
    monkeypatch.setitem(registry.RULES, UNUSED_TOOL, rule)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="reported a finding as 'TK201'"):
        engine.run_rule(UNUSED_TOOL, LintContext(load_library([])))


def test_per_document_parts_are_found_in_the_modules() -> None:
    assert DUPLICATE_ID in registry.DOCUMENT_HOOKS
    for rule_id, hook in registry.DOCUMENT_HOOKS.items():
        assert hook.__module__ == registry.RULES[rule_id].__name__  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    "example", ["TK201-duplicate-entry-id", "TK201-duplicate-entry-id-in-jsonl"]
)
def test_a_per_document_part_finds_the_same_in_every_path(example: str, tmp_path: Path) -> None:
    """One pass, shards (in process), and shards with the cache filled then read back."""
    folder = str(EXAMPLES / "invalid" / example)
    whole = lint_library(load_library([folder])).diagnostics
    assert [d.rule for d in whole if d.rule == DUPLICATE_ID]
    for shards in (1, 3):
        files, diags = discover([folder])
        found = lint_in_shards(
            files, Library(diagnostics=diags), list(registry.RULES), shards=shards
        )
        assert {(d, d.message) for d in found.by_rule[DUPLICATE_ID]} == {
            (d, d.message) for d in whole if d.rule == DUPLICATE_ID
        }
    cold = lint([folder], cache_dir=tmp_path).diagnostics
    warm = lint([folder], cache_dir=tmp_path).diagnostics
    assert [(d, d.message) for d in cold] == [(d, d.message) for d in whole]
    assert [(d, d.message) for d in warm] == [(d, d.message) for d in whole]


def test_a_per_document_part_is_given_the_document(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[str] = []

    def hook(ctx: LintContext, ld: LoadedDoc) -> Iterator[Diagnostic]:
        seen.append(ld.kind)
        return iter(())

    monkeypatch.setitem(registry.DOCUMENT_HOOKS, DUPLICATE_ID, hook)
    lint_library(load_library([str(EXAMPLES / "invalid" / "TK201-duplicate-entry-id")]))
    assert "content" in seen and "task" in seen
