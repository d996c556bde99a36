"""``taskkit lint --deep``: lint, plus what compiling every entry finds.

Lint sits below the compiler, so it cannot compile; the compile-phase rules (TK70x) read
the findings a caller hands it. This is the compiler's half: every unit compiled for every
entry, the failures as diagnostics. Pass :func:`compile_findings` as ``compile_phase`` to
:func:`taskkit.lint.lint` or :func:`taskkit.lint.lint_library`.
"""

from __future__ import annotations

import re
from dataclasses import replace

from ..diagnostics import Diagnostic
from ..library import Library
from ..rule_ids import GOLD_EXPECTATION
from .build import compile_unit, units

__all__ = ["compile_findings"]


def compile_findings(lib: Library, trust: frozenset[str]) -> list[Diagnostic]:
    """Every diagnostic of compiling ``lib`` (with ``trust``'s handlers)."""
    found: list[Diagnostic] = []
    for unit in units(lib, trust=trust):
        # The same failure at the same place for many entries is one mistake in the
        # task: the first entry's finding stands for it, the others follow from it.
        first: dict[tuple[int, int, str], str] = {}
        for entry in lib.entries(unit.content):
            try:
                result = compile_unit(unit, entry)
            except re.error as exc:  # an answer regex (TK408 when not templated)
                at = ("final", "expect", "answer", "regex")
                result = unit.ld.at(
                    at, GOLD_EXPECTATION, f"entry {entry.id!r}: invalid regex: {exc}"
                )
            if isinstance(result, Diagnostic):
                where = (result.line, result.col, result.rule)
                if where in first:
                    result = replace(result, cause=first[where])
                else:
                    first[where] = result.ref
                    # What plain lint found at the same place (TK301, TK403, TK406,
                    # TK407) is the cause, when it was found.
                    place = f"{result.path}:{result.line}:{result.col}"
                    result = replace(result, cause=place)
                found.append(result)
    return found
