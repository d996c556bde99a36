"""What the shards of a lint run send the coordinator (see :mod:`.shards`), each item with
its file's position in the library."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..diagnostics import Diagnostic
from .cache import FileStamp

__all__ = ["Found", "IndexDoc", "Loaded", "Stamped", "Summary"]

IndexDoc = tuple[str, "str | None", int, Any, "str | bytes"]
"""An index document as it crosses processes: path, pack root, index in file, data, and its
text, or, taken from the lint cache, the digest of its file (read when a finding needs the
text: :mod:`.file_text`)."""

Summary = tuple[str, "str | None", int, "str | None", "str | None", str]
"""Any other document: path, pack root, index in file, and a valid task's id, dataset and
the index documents it refers to (:func:`.depends.task_refs`, a line each; empty without a
cache)."""


@dataclass
class Loaded:
    """A shard's answer to round one, each item with its file's position in the library."""

    read: list[tuple[int, list[Diagnostic]]]
    """Diagnostics of reading each file (syntax, encoding, tags, ...)."""
    check: list[tuple[int, list[Diagnostic]]]
    """Diagnostics of validating each file's documents (kind, version, schema)."""
    manifests: list[tuple[int, str, str]]
    """Pack root and name of every pack.yaml."""
    docs: bytes | list[tuple[int, bool, Any]]
    """Every document as ``(position, True, IndexDoc)`` or ``(position, False, Summary)``,
    in file order; marshalled as it crosses processes."""
    per_document: list[tuple[int, list[Diagnostic]]]
    """What the rules' per-document parts (:mod:`.engine`) found in each file's documents."""
    stamps: list[Stamped] = field(default_factory=list)
    """How each file was when read, for the cache (when there is one)."""


@dataclass(frozen=True, slots=True)
class Stamped:
    at: int
    path: str
    stamp: FileStamp


@dataclass(frozen=True, slots=True)
class Found:
    """A shard's answer to round two."""

    by_rule: dict[str, list[Diagnostic]]
    owners: dict[str, str | None]
    """Of each path findings name that is not one of the shard's files (a JSONL file), the
    file whose document it belongs to; None when there is no telling (two datasets read it)."""
