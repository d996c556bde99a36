"""A task changed since its pack's ``pack.lock`` was written, but its ``version`` was not
raised (or went down). The task id carries the version into compiled data (``pack/id@2#entry``),
so results are comparable only if every change of a task changes its version. Bump the
version, then record the new state with ``taskkit pack lock PACK``. Packs without a
``pack.lock`` are not checked.

A warning, so ``--strict`` fails on it (CI, the pre-commit hook and ``taskkit pack check``
run strict) while ``taskkit compile`` still compiles: the edited task is sound, only its
version is stale, and an author iterating on a task should not have to bump it per edit.

Bad (``pack.lock`` records version 1 with another hash)::

    id: order_cheapest
    version: 1
    user_command: Order {{ quantity }} of the cheapest item, right now.
Good::

    id: order_cheapest
    version: 2
    user_command: Order {{ quantity }} of the cheapest item, right now.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

from ...diagnostics import Diagnostic, Severity
from ...packs.lockfile import LockError, lock_path, manifest, pack_tasks, read_lock, task_hash
from ...rule_ids import TASK_VERSION_NOT_BUMPED
from ..context import LintContext
from ..scope import Scope

ID = TASK_VERSION_NOT_BUMPED
NAME = "task-version-not-bumped"
SEVERITY = Severity.WARNING
READS: Scope = "index"


def check(ctx: LintContext) -> Iterator[Diagnostic]:
    for name in sorted(ctx.lib.packs):
        found = manifest(ctx.lib, name)
        if found is None:
            continue
        path = lock_path(found[0])
        try:
            lock = read_lock(path)
        except (OSError, LockError):
            continue  # no lock: nothing to compare; a broken one is TK604
        root = os.path.dirname(path) or "."
        for ld, task in pack_tasks(ctx.lib, name):
            locked = lock.tasks.get(task.id)
            if locked is None:
                continue  # a new task: `taskkit pack lock` adds it
            if task.version < locked.version:
                yield ld.at(
                    ("version",),
                    ID,
                    f"task {task.id!r} has version {task.version}, lower than the version "
                    f"{locked.version} recorded in pack.lock",
                    hint=f"versions only go up: use {locked.version + 1} if the task changed",
                )
                continue
            if task.version > locked.version:
                continue  # bumped: the lock is merely out of date
            digest = task_hash(ctx.lib, ld)
            if digest is not None and digest != locked.hash:
                yield ld.at(
                    ("version",),
                    ID,
                    f"task {task.id!r} changed since pack.lock recorded it at version "
                    f"{locked.version}, but its version is still {task.version}",
                    hint=f"bump it to {task.version + 1}, then run `taskkit pack lock {root}`",
                )
