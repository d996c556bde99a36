"""``taskkit stats``: what a library holds, counted the ways the seed system reports it."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from .library import Library
from .models import Content, Task, Toolset

__all__ = ["LibraryStats", "library_stats"]


@dataclass
class LibraryStats:
    packs: Counter[str] = field(default_factory=Counter)
    """Abstract tasks per pack."""
    categories: Counter[str] = field(default_factory=Counter)
    difficulties: Counter[str] = field(default_factory=Counter)
    steps: Counter[str] = field(default_factory=Counter)
    """``single-step`` / ``multi-step`` (gold actions)."""
    effects: Counter[str] = field(default_factory=Counter)
    """``read`` / ``write``: whether the gold actions change the state."""
    features: Counter[str] = field(default_factory=Counter)
    """Tasks with distractors, injected faults, a refused gold call, reusable evaluators."""
    tool_kinds: Counter[str] = field(default_factory=Counter)
    """Tools by effect and by declared operation."""
    tasks: int = 0
    toolsets: int = 0
    tools: int = 0
    datasets: int = 0
    entries: int = 0
    instances: int = 0
    """Compiled instances: every task times the entries of its dataset."""

    def as_json(self) -> dict[str, Any]:
        counters = (
            "packs",
            "categories",
            "difficulties",
            "steps",
            "effects",
            "features",
            "tool_kinds",
        )
        out: dict[str, Any] = {k: dict(sorted(getattr(self, k).items())) for k in counters}
        out.update(
            tasks=self.tasks,
            toolsets=self.toolsets,
            tools=self.tools,
            datasets=self.datasets,
            entries=self.entries,
            instances=self.instances,
        )
        return out

    def table(self) -> str:
        lines = [
            f"{self.tasks} abstract tasks, {self.instances} instances, {self.datasets} datasets "
            f"with {self.entries} entries, {self.toolsets} toolsets with {self.tools} tools",
        ]
        for title, counter in (
            ("pack", self.packs), ("category", self.categories), ("difficulty", self.difficulties),
            ("steps", self.steps), ("state", self.effects), ("feature", self.features),
            ("tool", self.tool_kinds),
        ):  # fmt: skip
            lines.append("")
            lines.append(f"{title:<22}{'count':>7}")
            lines.extend(f"{key:<22}{n:>7}" for key, n in sorted(counter.items()))
        return "\n".join(lines)


def library_stats(lib: Library) -> LibraryStats:
    stats = LibraryStats()
    entries_of: dict[tuple[str, str], int] = {}
    for ld in lib.docs:
        if isinstance(ld.model, Content):
            n = len(lib.entries(ld))
            entries_of[(ld.pack, ld.model.name)] = n
            stats.datasets += 1
            stats.entries += n
        elif isinstance(ld.model, Toolset):
            stats.toolsets += 1
            for tool in ld.model.tools:
                stats.tools += 1
                stats.tool_kinds[tool.effect] += 1
                op = tool.behavior.operation if tool.behavior else None
                stats.tool_kinds[f"op:{op or ('respond' if tool.behavior else 'none')}"] += 1
    for ld in lib.tasks:
        task = ld.model
        if not isinstance(task, Task):
            continue
        stats.tasks += 1
        stats.packs[ld.pack or "(no pack)"] += 1
        stats.categories[task.category] += 1
        stats.difficulties[task.difficulty] += 1
        gold = task.final.calls
        stats.steps["multi-step" if len(gold) >= 2 else "single-step"] += 1
        writes = any(
            (info := lib.tool(ld.pack, a.tool)) is not None
            and info.tool.effect == "write"
            and not a.expect_error
            for a in gold
        )
        stats.effects["write" if writes else "read"] += 1
        for feature, present in (
            ("distractors", bool(task.distractors)),
            ("faults", task.faults is not None),
            ("refused gold call", any(a.expect_error for a in gold)),
            ("reusable evaluators", bool(task.evaluators)),
            ("action checks", bool(task.action_checks)),
            ("answer check", task.final.expect.answer is not None),
        ):
            if present:
                stats.features[feature] += 1
        stats.instances += entries_of.get(lib.resolve(ld.pack, task.content), 0)
    return stats
