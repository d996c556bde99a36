"""``taskkit generate``: explore every task, many episodes in flight, resumable.

Each finished episode is appended to ``trajectories.jsonl`` and flushed to disk at once, so
a crash or Ctrl-C loses at most the episodes in flight; a rerun of the same command skips
the episodes already there. Every episode's randomness is seeded by the run seed and its task
id alone, so which episodes ran before a crash does not change any result. The exports are
rebuilt from the trajectories at the end.
"""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from ..agents import Agent
from ..atomic import atomic_writer
from ..models import CompiledTask
from .explore import ExploreConfig, explore_episode
from .export import export_all, read_trajectories

__all__ = ["ConfigMismatch", "GenerateConfig", "generate"]


class ConfigMismatch(ValueError):
    """OUTDIR holds a run with other settings; resuming it would mix two runs."""


@dataclass(frozen=True)
class GenerateConfig:
    explore: ExploreConfig = field(default_factory=ExploreConfig)
    concurrency: int = 8
    agent: str = "mutant"


def _check_config(outdir: Path, config: GenerateConfig, task_ids: Sequence[str]) -> None:
    settings = {"config": asdict(config), "tasks": len(task_ids)}
    path = outdir / "run.json"
    if path.exists():
        before = json.loads(path.read_text(encoding="utf-8"))
        if before.get("config") != settings["config"]:
            raise ConfigMismatch(
                f"{outdir} holds a run with other settings ({path}); use another OUTDIR"
            )
        return
    with atomic_writer(path) as f:
        f.write(json.dumps(settings, indent=2) + "\n")


def _truncate_torn_line(path: Path) -> None:
    """Cut a half-written last line left by a crash, so appends start on a fresh line."""
    if not path.exists():
        return
    data = path.read_bytes()
    if data and not data.endswith(b"\n"):
        with path.open("r+b") as f:
            f.truncate(data.rfind(b"\n") + 1)


async def _run(
    tasks: Sequence[CompiledTask],
    agent: Agent,
    config: GenerateConfig,
    sink: Any,
    on_done: Callable[[dict[str, Any]], None],
) -> None:
    limit = asyncio.Semaphore(config.concurrency)

    async def one(task: CompiledTask) -> None:
        async with limit:
            record = await explore_episode(task, agent, config.explore)
        sink.write(json.dumps(record, ensure_ascii=False) + "\n")
        sink.flush()
        os.fsync(sink.fileno())
        on_done(record)

    pending = [asyncio.ensure_future(one(t)) for t in tasks]
    try:
        await asyncio.gather(*pending)
    finally:
        for p in pending:
            p.cancel()


def generate(
    tasks: Sequence[CompiledTask],
    agent: Agent,
    outdir: str | os.PathLike[str],
    config: GenerateConfig | None = None,
    *,
    on_done: Callable[[dict[str, Any]], None] | None = None,
    on_start: Callable[[int, int], None] | None = None,
) -> dict[str, Any]:
    """Explore every task not yet in ``outdir`` and rebuild the exports; return the report."""
    config = config or GenerateConfig()
    out = Path(outdir)
    out.mkdir(parents=True, exist_ok=True)
    _check_config(out, config, [t.id for t in tasks])
    trajectories = out / "trajectories.jsonl"
    _truncate_torn_line(trajectories)
    done = {r["task_id"] for r in read_trajectories(trajectories)}
    todo = [t for t in tasks if t.id not in done]
    if on_start is not None:
        on_start(len(done), len(todo))
    with trajectories.open("a", encoding="utf-8") as sink:
        asyncio.run(_run(todo, agent, config, sink, on_done or (lambda r: None)))
    wanted = {t.id for t in tasks}
    records = [r for r in read_trajectories(trajectories) if r["task_id"] in wanted]
    return export_all(out, records)
