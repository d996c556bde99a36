"""A template that fails to render for some content entry: a field only some entries have, a
filter applied to the wrong type. Reported at the template, naming the entry.

Bad (only some entries have ``note``)::

    user_command: Book a viewing ({{ note }})
Good::

    user_command: Book a viewing{% if note is defined %} ({{ note }}){% endif %}
"""

from __future__ import annotations

from collections.abc import Iterator

from ...diagnostics import Diagnostic, Severity
from ...rule_ids import RENDER_ERROR
from ..context import LintContext
from ..scope import Scope

ID = RENDER_ERROR
NAME = "render-error"
SEVERITY = Severity.ERROR
READS: Scope = "index"


def check(ctx: LintContext) -> Iterator[Diagnostic]:
    """Found while compiling; ``taskkit lint --deep`` compiles to find them too."""
    return ctx.compile_diagnostics(ID)
