"""Building a :class:`PropertyResult` from findings, the same way for every property."""

from __future__ import annotations

import time
from typing import Any

from ..diagnostics import Diagnostic
from ..library import Entry
from .case import Compiled, TaskCase
from .results import PropertyFinding, PropertyResult

__all__ = ["MAX_FINDINGS", "entry_example", "not_compiled", "result", "skipped"]

MAX_FINDINGS = 3
"""Findings kept per property; the rest are counted in the note."""


def result(
    case: TaskCase,
    name: str,
    tried: int,
    findings: list[PropertyFinding],
    *,
    started: float,
    note: str = "",
) -> PropertyResult:
    if len(findings) > MAX_FINDINGS:
        note = f"{len(findings)} failures, the first {MAX_FINDINGS} shown" + (
            f"; {note}" if note else ""
        )
    return PropertyResult(
        case.key,
        name,
        "fail" if findings else "pass",
        tried,
        tuple(findings[:MAX_FINDINGS]),
        note,
        time.perf_counter() - started,
    )


def skipped(case: TaskCase, name: str, note: str, started: float) -> PropertyResult:
    return PropertyResult(case.key, name, "skip", 0, (), note, time.perf_counter() - started)


def entry_example(entry: Entry) -> tuple[Any, str]:
    return [entry.data], f"content entry {entry.id!r} ({entry.path}:{entry.line})"


def not_compiled(entry: Entry, compiled: Compiled) -> PropertyFinding | None:
    example, label = entry_example(entry)
    if isinstance(compiled, Diagnostic):
        hint = f" ({compiled.hint})" if compiled.hint else ""
        return PropertyFinding(
            f"{compiled.rule} {compiled.message}{hint}",
            example,
            label,
            compiled.path,
            compiled.line,
        )
    if isinstance(compiled, Exception):
        return PropertyFinding(
            f"compiling raises {type(compiled).__name__}: {compiled} (a taskkit bug: please report it)",
            example,
            label,
            entry.path,
            entry.line,
        )
    return None
