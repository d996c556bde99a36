"""``taskkit lint``: rules over a loaded library, one module each in :mod:`.rules`."""

from __future__ import annotations

from .context import CompilePhase
from .linter import LintResult, lint, lint_library
from .registry import RULES, Rule

__all__ = ["RULES", "CompilePhase", "LintResult", "Rule", "lint", "lint_library"]
