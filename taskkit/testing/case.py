"""One abstract task under test: its resolved compile unit, its real entries and their
compiled instances (built once, on first use, and shared by every property)."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property

from ..compiler.build import CompileUnit, compile_unit
from ..diagnostics import Diagnostic
from ..library import Entry, Library, LoadedDoc
from ..models import CompiledTask
from .profiles import Profile

__all__ = ["Compiled", "TaskCase", "compile_safely"]

Compiled = CompiledTask | Diagnostic | Exception
"""A compiled instance, why it does not compile, or the exception compiling raised."""


def compile_safely(unit: CompileUnit, entry: Entry) -> Compiled:
    try:
        return compile_unit(unit, entry)
    except Exception as exc:  # a crash is a finding about the task (and a taskkit bug)
        return exc


@dataclass
class TaskCase:
    key: str
    """``pack/task``."""
    unit: CompileUnit
    lib: Library
    reload: Callable[[], TaskCase | None]
    """The same task from an independent load of the library (for the determinism check)."""

    @property
    def path(self) -> str:
        return self.unit.ld.path

    @property
    def line(self) -> int:
        return self.unit.ld.doc.start_line

    @cached_property
    def entries(self) -> list[Entry]:
        return self.lib.entries(self.unit.content)

    @cached_property
    def instances(self) -> list[tuple[Entry, Compiled]]:
        return [(entry, compile_safely(self.unit, entry)) for entry in self.entries]

    def rng(self, profile: Profile, prop: str) -> random.Random:
        """A generator seeded by the run's seed, the task and the property: runs repeat."""
        return random.Random(f"{profile.seed}|{self.key}|{prop}")

    def sample(self, profile: Profile, prop: str) -> list[int]:
        """Indices of the real entries a sampling property uses, in file order."""
        n = len(self.entries)
        if profile.sample is None or profile.sample >= n:
            return list(range(n))
        return sorted(self.rng(profile, prop).sample(range(n), profile.sample))

    def documents(self) -> list[LoadedDoc]:
        """Every document the task is built from: pack, task, toolsets, content, evaluators."""
        lib, ld, task = self.lib, self.unit.ld, self.unit.task
        found: list[LoadedDoc] = []
        if (pack := lib.packs.get(ld.pack)) is not None:
            found.append(pack)
        found.append(ld)
        for ref in [*task.tools, *task.distractors]:
            info = lib.tool(ld.pack, ref)
            if info is not None:
                found.append(info.owner)
        found.append(self.unit.content)
        for ref in task.evaluators:
            if (ev := lib.evaluators.get(lib.resolve(ld.pack, ref))) is not None:
                found.append(ev)
        unique: dict[int, LoadedDoc] = {id(d): d for d in found}
        return list(unique.values())
