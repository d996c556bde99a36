"""``taskkit lint``: rules over a loaded library, one module each in :mod:`.rules`."""

from __future__ import annotations

from .registry import RULES, Rule
from .runner import LintResult, lint, lint_library

__all__ = ["RULES", "LintResult", "Rule", "lint", "lint_library"]
