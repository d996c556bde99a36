"""Compiled output: JSONL (one task a line), a manifest beside it, and loading it back."""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from .. import __version__
from ..io.atomic import atomic_writer
from ..io.regular_files import FileRefused, open_regular
from ..models import CompiledTask
from ..sim.patch import PatchError, apply_patch, make_patch
from ..worlds import canonical_json, own_collections, with_world, world_hash

__all__ = [
    "CompiledFileError",
    "load_compiled",
    "manifest_path",
    "worlds_dir",
    "write_compiled",
]


class CompiledFileError(ValueError):
    """A compiled JSONL file that does not hold compiled tasks."""


def manifest_path(out: str | os.PathLike[str]) -> Path:
    p = Path(out)
    return p.with_name(p.name.removesuffix(".jsonl") + ".manifest.json")


def worlds_dir(out: str | os.PathLike[str]) -> Path:
    """Where a compiled file's shared worlds are: ``worlds/`` beside it."""
    return Path(out).with_name("worlds")


def write_compiled(tasks: Sequence[CompiledTask], out: str | os.PathLike[str]) -> dict[str, Any]:
    """Write ``tasks`` and the manifest atomically; return the manifest.

    A task that starts from a pack's shared world is stored without it: the world is written
    once as ``worlds/<sha256>.json`` beside ``out``, the line keeps the task's own
    collections and its gold state as a patch against its initial state."""
    digest = hashlib.sha256()
    worlds: dict[str, dict[str, Any]] = {}
    with atomic_writer(out) as f:
        for task in tasks:
            stored = task
            world = task._world_data
            if task.world is not None and world is not None:
                worlds.setdefault(task.world, world)
                stored = _stored_form(task, world)
            line = stored.model_dump_json(exclude_defaults=False) + "\n"
            digest.update(line.encode())
            f.write(line)
    for sha, world in worlds.items():
        path = worlds_dir(out) / f"{sha}.json"
        if not path.is_file():  # named by its content: an existing file is this world
            path.parent.mkdir(parents=True, exist_ok=True)
            with atomic_writer(path) as wf:
                wf.write(canonical_json(world))
    manifest = {
        "taskkit_version": __version__,
        "schema_version": 1,
        "file": Path(out).name,
        "sha256": digest.hexdigest(),
        "count": len(tasks),
        "worlds": sorted(worlds),
        "by_pack": dict(sorted(Counter(t.pack for t in tasks).items())),
        "by_category": dict(sorted(Counter(t.category for t in tasks).items())),
        "by_task": dict(
            sorted(Counter(f"{t.pack}/{t.task}@{t.task_version}" for t in tasks).items())
        ),
    }
    with atomic_writer(manifest_path(out)) as f:
        f.write(json.dumps(manifest, indent=2, sort_keys=False) + "\n")
    return manifest


def load_compiled(path: str | os.PathLike[str]) -> list[CompiledTask]:
    """Read a compiled JSONL file back into :class:`CompiledTask` objects."""
    tasks = []
    worlds: dict[str, dict[str, Any]] = {}
    try:
        # utf-8-sig: a file saved by an editor that adds a BOM is still the same tasks.
        with io.TextIOWrapper(open_regular(path), encoding="utf-8-sig") as f:
            for number, line in enumerate(f, start=1):
                if not line.strip():
                    continue
                task = parse_task_line(line, path, number)
                if task.world is not None:
                    task = _resolved(task, _world(path, task.world, worlds), f"{path}:{number}")
                tasks.append(task)
    except UnicodeDecodeError as exc:
        raise CompiledFileError(f"{path}: not UTF-8 text ({exc.reason})") from None
    except FileRefused as exc:
        raise CompiledFileError(f"{path}: {exc}") from None
    except OSError as exc:
        raise CompiledFileError(f"{path}: cannot read: {exc.strerror or exc}") from None
    return tasks


def _stored_form(task: CompiledTask, world: dict[str, Any]) -> CompiledTask:
    final = task.final.model_copy(
        update={
            "gold_state": {},
            "gold_state_patch": make_patch(task.initial_state, task.final.gold_state),
        }
    )
    return task.model_copy(
        update={"initial_state": own_collections(world, task.initial_state), "final": final}
    )


def parse_task_line(line: str | bytes, path: str | os.PathLike[str], number: int) -> CompiledTask:
    """The compiled task on line ``number`` of ``path``; :class:`CompiledFileError` when it
    is not one."""
    try:
        return CompiledTask.model_validate_json(line)
    except ValidationError as exc:
        raise CompiledFileError(
            f"{path}:{number}: not a compiled task: {exc.errors()[0]['msg']}"
        ) from None


def _resolved(task: CompiledTask, world: dict[str, Any], where: str) -> CompiledTask:
    initial = with_world(world, task.initial_state)
    try:
        gold = apply_patch(initial, task.final.gold_state_patch or [])
    except PatchError as exc:
        raise CompiledFileError(f"{where}: gold state patch does not apply: {exc}") from None
    final = task.final.model_copy(update={"gold_state": gold, "gold_state_patch": None})
    resolved = task.model_copy(update={"initial_state": initial, "final": final})
    resolved._world_data = world
    return resolved


def _world(
    path: str | os.PathLike[str], sha: str, cache: dict[str, dict[str, Any]]
) -> dict[str, Any]:
    """The world ``sha`` of the compiled file ``path``, read and checked once per load."""
    if sha in cache:
        return cache[sha]
    if not re.fullmatch(r"[0-9a-f]{64}", sha):
        raise CompiledFileError(f"{path}: world {sha!r} is not a SHA-256 hex digest")
    file = worlds_dir(path) / f"{sha}.json"
    try:
        with io.TextIOWrapper(open_regular(file), encoding="utf-8") as f:
            data = json.load(f)
    except (OSError, ValueError) as exc:
        raise CompiledFileError(
            f"{file}: the shared world of the tasks in {path} cannot be read: {exc}"
        ) from None
    if not isinstance(data, dict) or world_hash(data) != sha:
        raise CompiledFileError(f"{file}: does not hold the world its name promises")
    cache[sha] = data
    return data
