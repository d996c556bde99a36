"""``pack.lock``: the version and content hash of every task of a pack, as last released.

The lock sits beside ``pack.yaml`` and is JSON, written by ``taskkit pack lock`` with sorted
keys so that it diffs well::

    {
      "generated_by": "taskkit pack lock",
      "lock_version": 1,
      "pack": "home",
      "tasks": {
        "book_cheapest_viewing": {"hash": "sha256:9f2c...", "version": 1}
      },
      "version": "0.1.0"
    }

A task's hash covers everything that can change what the task compiles to: the task
document (all of it but its ``version``), the raw definitions of the tools it offers
(distractors included), the evaluators it names, and its content dataset with every entry
(JSONL entries included). It is taken over canonical JSON of the data as written -- key order,
comments, anchors and quoting do not count -- so reformatting a file changes nothing, while
editing any value does. Model defaults are deliberately left out: a newer taskkit that adds a
field with a default must not make every task of every pack look edited.

Lint (TK602) fails when a task's hash differs from the lock and its version was not raised;
``taskkit pack lock`` then records the new hash once the version is bumped.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from ..io.regular_files import FileRefused, read_regular
from ..library import Library, LoadedDoc
from ..models import Content, Evaluator, Pack, Task

__all__ = [
    "LOCK_NAME",
    "LOCK_VERSION",
    "Lock",
    "LockError",
    "Locked",
    "dump_lock",
    "lock_path",
    "manifest",
    "pack_tasks",
    "read_lock",
    "task_hash",
]

LOCK_NAME = "pack.lock"
LOCK_VERSION = 1


@dataclass(frozen=True, slots=True)
class Locked:
    """What the lock records for one task."""

    version: int
    hash: str


@dataclass(frozen=True)
class Lock:
    pack: str
    version: str
    """The pack's version when the lock was written (informative)."""
    tasks: dict[str, Locked] = field(default_factory=dict)


class LockError(ValueError):
    """A lock file that cannot be read, with where."""

    def __init__(self, path: str, line: int, col: int, message: str) -> None:
        super().__init__(message)
        self.path, self.line, self.col, self.message = path, line, col, message


def lock_path(pack_doc: LoadedDoc) -> str:
    """Where the lock of the pack whose manifest is ``pack_doc`` lives."""
    return os.path.join(os.path.dirname(pack_doc.path), LOCK_NAME)


MAX_LOCK_BYTES = 16 * 2**20


def read_lock(path: str) -> Lock:
    """Parse a lock file; raises :class:`LockError` (with a position) when it is malformed,
    and :class:`FileNotFoundError` when there is none."""
    try:
        text = read_regular(path, max_bytes=MAX_LOCK_BYTES).decode("utf-8")
    except FileRefused as exc:  # a FIFO would block, a link to /dev/zero never end
        raise LockError(path, 1, 1, f"pack.lock {exc}") from None
    except UnicodeDecodeError:
        raise LockError(path, 1, 1, "pack.lock is not UTF-8 text") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise LockError(path, exc.lineno, exc.colno, f"pack.lock is not JSON: {exc.msg}") from None
    if not isinstance(data, dict):
        raise LockError(path, 1, 1, "pack.lock must be a JSON object")
    if data.get("lock_version") != LOCK_VERSION:
        raise LockError(
            path,
            *_position(text, '"lock_version"'),
            f"unsupported lock_version {data.get('lock_version')!r} (this taskkit writes "
            f"{LOCK_VERSION})",
        )
    tasks = data.get("tasks")
    if not isinstance(tasks, dict):
        raise LockError(path, *_position(text, '"tasks"'), "'tasks' must be an object")
    out: dict[str, Locked] = {}
    for task_id, rec in tasks.items():
        ok = (
            isinstance(rec, dict)
            and isinstance(rec.get("version"), int)
            and not isinstance(rec.get("version"), bool)
            and isinstance(rec.get("hash"), str)
        )
        if not ok:
            raise LockError(
                path,
                *_position(text, json.dumps(task_id)),
                f'task {task_id!r}: expected {{"version": <int>, "hash": <str>}}',
            )
        out[task_id] = Locked(rec["version"], rec["hash"])
    return Lock(str(data.get("pack", "")), str(data.get("version", "")), out)


def _position(text: str, needle: str) -> tuple[int, int]:
    """1-based line and column of the first ``needle`` (the start when it is absent)."""
    at = text.find(needle)
    if at < 0:
        return 1, 1
    return text.count("\n", 0, at) + 1, at - (text.rfind("\n", 0, at) + 1) + 1


def dump_lock(lock: Lock) -> str:
    """The lock as its file's text (stable: sorted keys, two-space indent, final newline)."""
    doc = {
        "generated_by": "taskkit pack lock",
        "lock_version": LOCK_VERSION,
        "pack": lock.pack,
        "version": lock.version,
        "tasks": {
            tid: {"version": rec.version, "hash": rec.hash}
            for tid, rec in sorted(lock.tasks.items())
        },
    }
    return json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def pack_tasks(lib: Library, pack: str) -> Iterator[tuple[LoadedDoc, Task]]:
    """The valid tasks of ``pack``."""
    for ld in lib.tasks:
        if ld.pack == pack and isinstance(ld.model, Task):
            yield ld, ld.model


def _canon(value: Any) -> str:
    # The same canonical form as the compiler's sources hash (compiler/build.py).
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def task_hash(lib: Library, ld: LoadedDoc) -> str | None:
    """The content hash of a task, or ``None`` when one of its references does not resolve
    (lint reports that under its own rule; there is nothing stable to hash)."""
    task = ld.model
    if not isinstance(task, Task) or not isinstance(ld.doc.data, dict):
        return None
    tools = []
    for ref in [*task.tools, *task.distractors]:
        info = lib.tool(ld.pack, ref)
        if info is None:
            return None
        tools.append({"ref": ref, "tool": _raw_tool(info.owner, info.index)})
    evaluators = []
    for ref in task.evaluators:
        ev = lib.evaluators.get(lib.resolve(ld.pack, ref))
        if ev is None or not isinstance(ev.model, Evaluator):
            return None
        evaluators.append(ev.doc.data)
    content = lib.content(ld.pack, task.content)
    if content is None or not isinstance(content.model, Content):
        return None
    dataset = {
        k: v
        for k, v in content.doc.data.items()
        if k not in ("entries", "entries_file")  # entries come below, wherever they live
    }
    source = {
        "task": {k: v for k, v in ld.doc.data.items() if k != "version"},
        "tools": tools,
        "evaluators": evaluators,
        "content": dataset,
        "entries": [e.data for e in lib.entries(content)],
    }
    return "sha256:" + hashlib.sha256(_canon(source).encode()).hexdigest()


def _raw_tool(owner: LoadedDoc, index: int) -> Any:
    data = owner.doc.data
    if isinstance(data, dict) and isinstance(data.get("tools"), list):
        return data["tools"][index]
    return None  # unreachable for a validated toolset


def manifest(lib: Library, pack: str) -> tuple[LoadedDoc, Pack] | None:
    """The loaded manifest of ``pack``, if valid."""
    ld = lib.packs.get(pack)
    if ld is None or not isinstance(ld.model, Pack):
        return None
    return ld, ld.model
