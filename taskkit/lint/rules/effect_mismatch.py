"""A tool declared ``effect: read`` whose behaviour changes the state (``insert``,
``update``, ``delete``, or ``steps`` with a write step: ``set``, ``append``, ...). Checks such as ``read_only`` trust the declared effect, so a
mislabelled tool lets writes through unnoticed.

Bad::

    - name: add_note
      effect: read
      behavior: {insert: notes, record: {text: "{{ args.text }}"}}
Good::

    - name: add_note
      effect: write
      behavior: {insert: notes, record: {text: "{{ args.text }}"}}
"""

from __future__ import annotations

from collections.abc import Iterator

from ...diagnostics import Diagnostic, Severity
from ...models import Toolset
from ...models.operations import OPERATIONS
from ...rule_ids import EFFECT_MISMATCH
from ..context import LintContext
from ..scope import Scope

ID = EFFECT_MISMATCH
NAME = "effect-mismatch"
SEVERITY = Severity.ERROR
READS: Scope = "index"


def check(ctx: LintContext) -> Iterator[Diagnostic]:
    for ld in ctx.lib.docs:
        if not isinstance(ld.model, Toolset):
            continue
        for i, tool in enumerate(ld.model.tools):
            if tool.effect != "read" or tool.behavior is None:
                continue
            op = tool.behavior.operation
            if op == "steps" and tool.behavior.touched:
                written = ", ".join(map(repr, sorted(tool.behavior.touched)))
                yield ld.at(
                    ("tools", i, "effect"),
                    ID,
                    f"tool {tool.name!r} is declared read but its steps write {written}",
                    hint="declare effect: write",
                )
            elif op is not None and OPERATIONS[op].writes == "yes":
                yield ld.at(
                    ("tools", i, "effect"),
                    ID,
                    f"tool {tool.name!r} is declared read but its behaviour does {op!r}",
                    hint="declare effect: write",
                )
