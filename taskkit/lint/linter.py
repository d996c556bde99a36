"""Running the rules over a library."""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ..diagnostics import Diagnostic, Severity, sort_key
from ..io.yamlio import MAX_FILE_BYTES
from ..library import Library, discover, load_library
from ..runtime.parallel import paused_gc
from .cache import LintCache, configuration
from .causes import link
from .context import CompilePhase, LintContext
from .engine import document_hooks, run_document, run_rule
from .registry import RULES
from .shards import lint_in_shards

__all__ = ["LintResult", "lint", "lint_library"]


@dataclass(frozen=True)
class LintResult:
    diagnostics: list[Diagnostic]
    """Every finding, sorted, consequences too: :func:`taskkit.diagnostics.fold` puts each
    under the finding it follows from (:attr:`Diagnostic.cause`)."""
    files: int
    library: Library
    cache_error: str | None = None
    """Why the cache could not be written, if it could not (lint's findings stand)."""

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
    compile_phase: CompilePhase | None = None,
    trust: Sequence[str] = (),
    cache_dir: str | os.PathLike[str] | None = None,
) -> LintResult:
    """Load everything under ``paths`` and run the rules; diagnostics come back sorted.

    Without ``compile_phase``, files are read and linted in shards, one per core (see
    :mod:`.shards`), and ``LintResult.library`` holds the index documents (packs, toolsets,
    content, evaluators) with a summary of each task. With ``cache_dir``, what each file
    was found to hold is kept there, and files unchanged since are not read again (see
    :mod:`.cache`). With ``compile_phase`` (``lint --deep``: the compiler's
    :func:`~taskkit.compiler.deep.compile_findings`), compiling needs every document in one
    place, so the whole library is loaded here (and no cache is kept)."""
    if compile_phase is not None:
        lib = load_library(paths, max_bytes=max_bytes)
        with paused_gc():
            return lint_library(
                lib, select=select, ignore=ignore, compile_phase=compile_phase, trust=trust
            )
    return _lint_in_shards(
        paths, select=select, ignore=ignore, max_bytes=max_bytes, trust=trust, cache_dir=cache_dir
    )


def _lint_in_shards(
    paths: Iterable[str | os.PathLike[str]],
    *,
    select: Sequence[str] = (),
    ignore: Sequence[str] = (),
    max_bytes: int = MAX_FILE_BYTES,
    trust: Sequence[str] = (),
    shards: int | None = None,
    cache_dir: str | os.PathLike[str] | None = None,
) -> LintResult:
    with paused_gc():
        files, diags = discover(paths)
        lib = Library(diagnostics=diags, max_bytes=max_bytes)
        rules = _selected(select, ignore)
        cache = None
        if cache_dir is not None:
            config = configuration(rules=rules, trust=trust, max_bytes=max_bytes)
            cache = LintCache(cache_dir, config)
        sharded = lint_in_shards(
            files, lib, rules, trust=frozenset(trust), shards=shards, cache=cache
        )
        cache_error = None
        if cache is not None:
            try:
                cache.save(files)
            except OSError as exc:
                cache_error = (
                    f"cannot write the lint cache in {cache_dir}: {exc.strerror or exc} "
                    "(--cache-dir DIR puts it elsewhere; --no-cache or TASKKIT_NO_CACHE=1 "
                    "goes without)"
                )
        ordered = link(_merge(sharded.by_rule), sharded.library, max_bytes=max_bytes)
        files_seen = sharded.paths | {d.path for d in sharded.library.diagnostics}
        result = LintResult(_sorted(ordered), len(files_seen), sharded.library, cache_error)
        # The cache's records are millions of objects: freed here, while the collector is
        # paused, they are not walked by the collection that follows it (a tenth of a re-lint).
        del cache, sharded
        return result


def lint_library(
    lib: Library,
    *,
    select: Sequence[str] = (),
    ignore: Sequence[str] = (),
    compile_phase: CompilePhase | None = None,
    trust: Sequence[str] = (),
) -> LintResult:
    for ld in lib.docs:  # read JSONL entries now, so their diagnostics reach TK008
        if ld.kind == "content" and ld.model is not None:
            lib.entries(ld)
    ctx = LintContext(lib, compile_phase=compile_phase, trust=frozenset(trust))
    rules = _selected(select, ignore)
    by_rule = {r: run_rule(r, ctx) for r in rules}
    hooks = document_hooks(rules)
    for ld in lib.docs if hooks else ():
        if ld.model is not None:
            for d in run_document(hooks, ctx, ld):
                by_rule[d.rule].append(d)
    ordered = _merge(by_rule)
    ordered = link(ordered, lib, max_bytes=lib.max_bytes)
    files = len({d.doc.path for d in lib.docs} | {d.path for d in lib.diagnostics})
    return LintResult(_sorted(ordered), files, lib)


def _sorted(diags: list[Diagnostic]) -> list[Diagnostic]:
    """By place, then by wording: one order however the findings were gathered (in shards,
    from the cache, in one pass)."""
    return sorted(diags, key=lambda d: (*sort_key(d), d.message, d.hint or "", d.pointer))


def _selected(select: Sequence[str], ignore: Sequence[str]) -> list[str]:
    """Rule ids to run, in registry order."""
    return [
        rule_id
        for rule_id in RULES
        if (not select or any(rule_id.startswith(s) for s in select))
        and not any(rule_id.startswith(i) for i in ignore)
    ]


def _merge(by_rule: dict[str, list[Diagnostic]]) -> list[Diagnostic]:
    """Every rule's findings in rule order, each once (two rules may find the same)."""
    found: set[tuple[Diagnostic, str]] = set()
    ordered: list[Diagnostic] = []
    for diags in by_rule.values():
        for diag in diags:
            if (diag, diag.message) not in found:
                found.add((diag, diag.message))
                ordered.append(diag)
    return ordered
