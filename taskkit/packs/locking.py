"""``taskkit pack lock``: record every task's version and content hash in ``pack.lock``.

The lock is the memory of what was released. Writing it must not launder an edit that
forgot its version bump, so a task whose hash changed while its version did not is refused
(the pack's lock is left as it was) unless ``force`` is given. A pack with errors is refused
too: a task file that does not load would silently drop out of the lock.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field

from ..diagnostics import Diagnostic, Severity
from ..io.atomic import atomic_writer
from ..library import Library
from ..lint import lint_library
from ..models import Pack
from ..rule_ids import PACK_LOCK_INVALID, SCHEMA_VIOLATION, TASK_VERSION_NOT_BUMPED
from .lockfile import (
    LOCK_NAME,
    Lock,
    Locked,
    LockError,
    dump_lock,
    pack_tasks,
    read_lock,
    task_hash,
)
from .workspace import PackFolder, load_workspace

__all__ = ["LockOutcome", "lock_packs"]


@dataclass
class LockOutcome:
    """What happened to one pack's lock."""

    pack: str
    path: str
    written: bool = False
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    problems: list[Diagnostic] = field(default_factory=list)
    """Why the lock was not written (empty when it was, or was already up to date)."""

    @property
    def ok(self) -> bool:
        return not self.problems


def lock_packs(
    targets: Sequence[str], *, force: bool = False
) -> tuple[list[LockOutcome], list[Diagnostic]]:
    """(Re)write the lock of every pack under ``targets``; returns one outcome per pack and
    the problems of the targets themselves (no pack found)."""
    ws = load_workspace(targets)
    result = lint_library(ws.library)
    outcomes = [_lock(ws.library, pack, result.diagnostics, force=force) for pack in ws.packs]
    return outcomes, ws.diagnostics


def _lock(lib: Library, pack: PackFolder, lint: list[Diagnostic], *, force: bool) -> LockOutcome:
    path = os.path.join(pack.root, LOCK_NAME)
    out = LockOutcome(pack.name, path)
    manifest = lib.packs.get(pack.name)
    if manifest is None or not isinstance(manifest.model, Pack):
        out.problems.append(
            Diagnostic(
                os.path.join(pack.root, "pack.yaml"),
                1,
                1,
                SCHEMA_VIOLATION,
                "pack.yaml is not valid",
            )
        )
    errors = [
        d
        for d in lint
        if d.severity is Severity.ERROR
        and pack.owns(d.path)
        and d.rule not in (TASK_VERSION_NOT_BUMPED, PACK_LOCK_INVALID)
    ]
    out.problems.extend(errors)
    old = _previous(path, pack.name)
    if out.problems:
        return out
    assert manifest is not None and isinstance(manifest.model, Pack)
    tasks = _locked_tasks(lib, pack, old, out, force=force)
    out.removed = sorted(set(old.tasks) - set(tasks))
    if out.problems:
        return out
    out.written = _write_if_changed(path, dump_lock(Lock(pack.name, manifest.model.version, tasks)))
    return out


def _previous(path: str, name: str) -> Lock:
    """The lock as last written; an empty one when there is none, or it cannot be read (it
    is then replaced wholesale)."""
    try:
        return read_lock(path)
    except (FileNotFoundError, LockError, OSError):
        return Lock(name, "")


def _locked_tasks(
    lib: Library, pack: PackFolder, old: Lock, out: LockOutcome, *, force: bool
) -> dict[str, Locked]:
    """Each task's version and hash, the changes against ``old`` noted in ``out``; a task
    changed without a version bump is a problem, and is not recorded (unless ``force``)."""
    tasks: dict[str, Locked] = {}
    for ld, task in pack_tasks(lib, pack.name):
        digest = task_hash(lib, ld)
        if digest is None:  # lint found the unresolved reference; listed above
            continue
        before = old.tasks.get(task.id)
        if before is None:
            out.added.append(task.id)
        elif before.hash != digest or before.version != task.version:
            if task.version <= before.version and not force:
                out.problems.append(
                    ld.at(
                        ("version",),
                        TASK_VERSION_NOT_BUMPED,
                        f"task {task.id!r} changed but its version is still {task.version} "
                        f"(pack.lock has {before.version}); not recorded",
                        hint=f"bump it to {before.version + 1}, or pass --force",
                    )
                )
                continue
            out.updated.append(task.id)
        tasks[task.id] = Locked(task.version, digest)
    return tasks


def _write_if_changed(path: str, text: str) -> bool:
    """Write ``text`` unless the file holds it already; whether it was written."""
    try:
        with open(path, encoding="utf-8") as f:
            if f.read() == text:
                return False
    except (OSError, UnicodeDecodeError):
        pass
    with atomic_writer(path) as f:
        f.write(text)
    return True
