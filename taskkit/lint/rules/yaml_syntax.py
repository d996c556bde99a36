"""The file is not valid YAML.

Bad::

    tools: [search_homes
Good::

    tools: [search_homes]
"""

from __future__ import annotations

from collections.abc import Iterator

from ...diagnostics import Diagnostic, Severity
from ...rule_ids import YAML_SYNTAX
from ..context import LintContext
from ..scope import Scope

ID = YAML_SYNTAX
NAME = "yaml-syntax"
SEVERITY = Severity.ERROR
READS: Scope = "loader"


def check(ctx: LintContext) -> Iterator[Diagnostic]:
    """Reported while reading files; see :mod:`taskkit.io.yamlio`."""
    return ctx.loader(ID)
