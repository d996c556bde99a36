"""Exit codes, in one place (the README's table says the same)."""

from __future__ import annotations

OK = 0
FINDINGS = 1
"""Lint findings; for run and generate: the run could not finish (a full disk, a killed
worker) and what finished is kept."""
USAGE = 2
"""A bad command line or an output that cannot be written (no permission, locked by another
run, holding another run)."""
INTERNAL = 3
"""A bug in taskkit: please report it."""
SERVER = 4
"""The model server failed: unreachable, refused the key or the model, or still failing
after the retries. Finished episodes are kept; a rerun resumes."""
INTERRUPTED = 130
