"""Exit codes, in one place."""

from __future__ import annotations

OK = 0
FINDINGS = 1
USAGE = 2
INTERNAL = 3
INTERRUPTED = 130
