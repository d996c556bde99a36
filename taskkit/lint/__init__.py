"""``taskkit lint``: rules over a loaded library, one module each in :mod:`.rules`."""

from __future__ import annotations

from .context import CompilePhase
from .registry import RULES, Rule
from .runner import LintResult, lint, lint_library

__all__ = ["RULES", "CompilePhase", "LintResult", "Rule", "lint", "lint_library"]
