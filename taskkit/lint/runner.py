"""Running the rules over a library."""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ..diagnostics import Diagnostic, Severity, sort_key
from ..library import Library, load_library
from ..parallel import paused_gc
from ..yamlio import MAX_FILE_BYTES
from .context import LintContext
from .registry import RULES

__all__ = ["LintResult", "lint", "lint_library"]


@dataclass(frozen=True)
class LintResult:
    diagnostics: list[Diagnostic]
    files: int
    library: Library

    @property
    def errors(self) -> int:
        return sum(d.severity is Severity.ERROR for d in self.diagnostics)

    @property
    def warnings(self) -> int:
        return len(self.diagnostics) - self.errors

    def failed(self, *, strict: bool = False) -> bool:
        return bool(self.errors or (strict and self.warnings))


def lint(
    paths: Iterable[str | os.PathLike[str]],
    *,
    select: Sequence[str] = (),
    ignore: Sequence[str] = (),
    max_bytes: int = MAX_FILE_BYTES,
    deep: bool = False,
    trust: Sequence[str] = (),
) -> LintResult:
    """Load everything under ``paths`` and run the rules; diagnostics come back sorted."""
    lib = load_library(paths, max_bytes=max_bytes)
    with paused_gc():
        return lint_library(lib, select=select, ignore=ignore, deep=deep, trust=trust)


def lint_library(
    lib: Library,
    *,
    select: Sequence[str] = (),
    ignore: Sequence[str] = (),
    deep: bool = False,
    trust: Sequence[str] = (),
) -> LintResult:
    for ld in lib.docs:  # read JSONL entries now, so their diagnostics reach TK008
        if ld.kind == "content" and ld.model is not None:
            lib.entries(ld)
    ctx = LintContext(lib, deep=deep, trust=frozenset(trust))
    found: set[tuple[Diagnostic, str]] = set()
    ordered: list[Diagnostic] = []
    for rule_id, rule in RULES.items():
        if (select and not any(rule_id.startswith(s) for s in select)) or any(
            rule_id.startswith(i) for i in ignore
        ):
            continue
        for diag in rule.check(ctx):
            if (diag, diag.message) not in found:
                found.add((diag, diag.message))
                ordered.append(diag)
    files = len({d.doc.path for d in lib.docs} | {d.path for d in lib.diagnostics})
    return LintResult(sorted(ordered, key=sort_key), files, lib)
