"""Compiled output: JSONL (one task a line), a manifest beside it, and loading it back."""

from __future__ import annotations

import hashlib
import io
import json
import os
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from .. import __version__
from ..atomic import atomic_writer
from ..models import CompiledTask
from ..regular_files import FileRefused, open_regular

__all__ = ["CompiledFileError", "load_compiled", "manifest_path", "write_compiled"]


class CompiledFileError(ValueError):
    """A compiled JSONL file that does not hold compiled tasks."""


def manifest_path(out: str | os.PathLike[str]) -> Path:
    p = Path(out)
    return p.with_name(p.name.removesuffix(".jsonl") + ".manifest.json")


def write_compiled(tasks: Sequence[CompiledTask], out: str | os.PathLike[str]) -> dict[str, Any]:
    """Write ``tasks`` and the manifest atomically; return the manifest."""
    digest = hashlib.sha256()
    with atomic_writer(out) as f:
        for task in tasks:
            line = task.model_dump_json(exclude_defaults=False) + "\n"
            digest.update(line.encode())
            f.write(line)
    manifest = {
        "taskkit_version": __version__,
        "schema_version": 1,
        "file": Path(out).name,
        "sha256": digest.hexdigest(),
        "count": len(tasks),
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
    try:
        # utf-8-sig: a file saved by an editor that adds a BOM is still the same tasks.
        with io.TextIOWrapper(open_regular(path), encoding="utf-8-sig") as f:
            for number, line in enumerate(f, start=1):
                if not line.strip():
                    continue
                try:
                    tasks.append(CompiledTask.model_validate_json(line))
                except ValidationError as exc:
                    raise CompiledFileError(
                        f"{path}:{number}: not a compiled task: {exc.errors()[0]['msg']}"
                    ) from None
    except UnicodeDecodeError as exc:
        raise CompiledFileError(f"{path}: not UTF-8 text ({exc.reason})") from None
    except FileRefused as exc:
        raise CompiledFileError(f"{path}: {exc}") from None
    except OSError as exc:
        raise CompiledFileError(f"{path}: cannot read: {exc.strerror or exc}") from None
    return tasks
