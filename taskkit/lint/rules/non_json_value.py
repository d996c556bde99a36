"""A value JSON cannot hold: a number that is not finite (``.inf``, ``.nan`` in YAML;
``NaN``, ``Infinity`` or ``1e400`` in a JSONL file) or a lone surrogate (``"\\ud800"``).

Compiled tasks, trajectories and training data are JSON: such a value would be written as
``null`` or as invalid JSON, or fail to be written at all, so it is refused where it is read.

Bad::

    initial_state: {budget: .inf}
Good::

    initial_state: {budget: 1000000}
"""

from __future__ import annotations

from collections.abc import Iterator

from ...diagnostics import Diagnostic, Severity
from ...rule_ids import NON_JSON_VALUE
from ..context import LintContext
from ..scope import Scope

ID = NON_JSON_VALUE
NAME = "non-json-value"
SEVERITY = Severity.ERROR
READS: Scope = "loader"


def check(ctx: LintContext) -> Iterator[Diagnostic]:
    """Reported while reading files; see :mod:`taskkit.io.yamlio`."""
    return ctx.loader(ID)
