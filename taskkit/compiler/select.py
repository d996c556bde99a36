"""Choosing which instances to compile: filters and a seeded, deterministic split."""

from __future__ import annotations

import fnmatch
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:  # only annotations: a selection is made without loading the models
    from ..models import CompiledTask

__all__ = ["Selection", "in_split", "select"]


@dataclass(frozen=True)
class Selection:
    packs: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    tasks: tuple[str, ...] = ()
    """Globs over ``task`` ids or ``pack/task``."""
    limit: int | None = None
    split: Literal["train", "test"] | None = None
    test_fraction: float = 0.2
    split_by: Literal["task", "entry"] = "task"
    seed: int = 0

    def wants_task(self, pack: str, task: str, category: str) -> bool:
        if self.packs and pack not in self.packs:
            return False
        if self.categories and category not in self.categories:
            return False
        return not self.tasks or any(
            fnmatch.fnmatchcase(task, g) or fnmatch.fnmatchcase(f"{pack}/{task}", g)
            for g in self.tasks
        )

    def wants_instance(self, pack: str, task: str, entry: str) -> bool:
        if self.split is None:
            return True
        key = f"{pack}/{task}" if self.split_by == "task" else f"{pack}/{task}#{entry}"
        return in_split(key, self.seed, self.test_fraction) == self.split


def in_split(key: str, seed: int, test_fraction: float) -> Literal["train", "test"]:
    """``test`` for a stable ``test_fraction`` of keys: a hash, so no machine or order matters."""
    h = int.from_bytes(hashlib.sha256(f"{seed}:{key}".encode()).digest()[:8], "big")
    return "test" if h / 2**64 < test_fraction else "train"


def select(tasks: Iterable[CompiledTask], selection: Selection) -> list[CompiledTask]:
    """The compiled tasks a selection keeps, in order: what compiling with it would give."""
    kept: list[CompiledTask] = []
    for t in tasks:
        if selection.limit is not None and len(kept) >= selection.limit:
            break
        if selection.wants_task(t.pack, t.task, t.category) and selection.wants_instance(
            t.pack, t.task, t.entry
        ):
            kept.append(t)
    return kept
