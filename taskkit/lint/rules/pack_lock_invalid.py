"""A ``pack.lock`` that cannot be read: not JSON, an unknown ``lock_version``, or a task
record without an integer ``version`` and a string ``hash``. Do not edit the lock by hand:
``taskkit pack lock PACK`` writes it. A warning, like TK602: the lock is release
bookkeeping, and never stops a compile.

Bad::

    {"lock_version": 1, "tasks": {"order_cheapest": {"version": "1"}}}
Good::

    {"lock_version": 1, "tasks": {"order_cheapest": {"version": 1, "hash": "sha256:..."}}}
"""

from __future__ import annotations

from collections.abc import Iterator

from ...diagnostics import Diagnostic, Severity
from ...packs.lockfile import LockError, lock_path, manifest, read_lock
from ...rule_ids import PACK_LOCK_INVALID
from ..context import LintContext
from ..scope import Scope

ID = PACK_LOCK_INVALID
NAME = "pack-lock-invalid"
SEVERITY = Severity.WARNING
READS: Scope = "library"


def check(ctx: LintContext) -> Iterator[Diagnostic]:
    for name in sorted(ctx.lib.packs):
        found = manifest(ctx.lib, name)
        if found is None:
            continue
        try:
            read_lock(lock_path(found[0]))
        except FileNotFoundError:
            continue
        except LockError as exc:
            yield Diagnostic(
                exc.path,
                exc.line,
                exc.col,
                ID,
                exc.message,
                hint="rewrite it with `taskkit pack lock`",
            )
        except OSError as exc:
            yield Diagnostic(lock_path(found[0]), 1, 1, ID, f"cannot read pack.lock: {exc}")
