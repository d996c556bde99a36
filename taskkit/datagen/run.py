"""``taskkit generate``: explore every task, many episodes in flight, resumable.

Each finished episode is appended to ``trajectories.jsonl`` and flushed at once, so a crash
or Ctrl-C loses at most the episodes in flight; a rerun of the same command skips the
episodes already there (it reads the small index ``done.idx``, see :mod:`.store`, not the
trajectories). Every episode's randomness is seeded by the run seed, its task id and its
repeat alone, so which episodes ran before a crash changes no result. The exports are
rebuilt, in task order, from all finished episodes at the end.

An episode the agent fails (it raises, outlasts its deadline, or its server still fails
after the retries) is recorded with ``failed`` and the run goes on. A rerun leaves such
episodes as they are, except those the server failed (which say nothing about the agent),
and runs them all again with ``retry_failed``. A server that cannot be reached at all stops
the run (:class:`ServerUnavailable`), keeping every finished episode.

Where the episodes are played is the executor's business (:mod:`taskkit.executors`):
forked workers on this machine by default, or actors on a Ray cluster; either way they come
back here, and this process alone writes the outputs.
"""

from __future__ import annotations

import asyncio
import functools
import json
import os
import time
from array import array
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any, overload

from ..agents import Agent
from ..agents.errors import ServerUnavailable, failure_of
from ..compiler.taskfile import TaskFile
from ..executors import Executor, Job, LocalExecutor, WorkerDied
from ..io.atomic import atomic_writer
from ..models import CompiledTask
from ..models.records import ExploredRecord, RunSettings
from ..runs.episodes import failed_explored, record_line, repeat_seed
from ..runs.pass_rates import summary_of
from .config import ExploreConfig, GenerateConfig
from .explore import explore_episode
from .export import EpisodeOutput, outputs_of, write_sorted_exports
from .resume import STAMP, ConfigMismatch, Episodes, check_config, fresh_report, stamp, to_play
from .store import QUARANTINE, EpisodeKey, Store, status_of

__all__ = ["ConfigMismatch", "GenerateConfig", "WorkerDied", "generate"]

SYNC_EVERY = 1.0
"""Seconds between fsyncs of the trajectories (flushes happen after every episode)."""


def _episode_output(record: ExploredRecord) -> EpisodeOutput:
    """What one episode's record contributes to the exports (a failed one: nothing but
    its line and its count in the report)."""
    if "failed" not in record:
        return outputs_of(record, record_line(record))
    return EpisodeOutput(record["task_id"], record_line(record), None, [], summary_of(record))


async def _explore_job(
    job: Job,
    agent: Agent,
    requests: asyncio.Semaphore | None = None,
    *,
    explore: ExploreConfig,
    settings: RunSettings,
) -> EpisodeOutput:
    """One episode, as its outputs; an agent's failure is a failed record, not an error."""
    task, repeat = job
    config = replace(explore, seed=repeat_seed(explore.seed, repeat))
    try:
        record = await explore_episode(task, agent, config, requests=requests)
        record["repeat"] = repeat
        record["settings"] = settings
        return _episode_output(record)
    except ServerUnavailable:
        raise
    except Exception as exc:
        record = failed_explored(
            task, failure_of(exc), repeat=repeat, seed=config.seed, fmt=config.format
        )
    record["settings"] = settings
    return _episode_output(record)


# -- the run --------------------------------------------------------------------------------


def _ids(tasks: Sequence[CompiledTask]) -> Sequence[str]:
    """The id of every task, without parsing the tasks of a :class:`TaskFile`."""
    return tasks.ids if isinstance(tasks, TaskFile) else [t.id for t in tasks]


def generate(
    tasks: Sequence[CompiledTask],
    agent: Agent,
    outdir: str | os.PathLike[str],
    config: GenerateConfig | None = None,
    *,
    repeats: int = 1,
    retry_failed: bool = False,
    settings: RunSettings | None = None,
    on_done: Callable[[EpisodeOutput], None] | None = None,
    on_start: Callable[[int, int], None] | None = None,
    on_quarantine: Callable[[int, Path], None] | None = None,
    executor: Executor | None = None,
) -> dict[str, Any]:
    """Explore every task ``repeats`` times, skipping episodes ``outdir`` holds, and
    rebuild the exports; return the report. The caller holds ``outdir``'s lock.
    ``on_quarantine(n, path)`` hears of corrupt lines moved aside (their episodes run
    again). ``executor``: where the episodes are played (default: forked workers here,
    :class:`~taskkit.executors.LocalExecutor`)."""
    config = config or GenerateConfig()
    out = Path(outdir)
    out.mkdir(parents=True, exist_ok=True)
    settings = check_config(out, config, RunSettings(**(settings or {})))
    store = Store.open(out)
    _tell_quarantine(store, on_quarantine)
    ids = _ids(tasks)
    wanted = Episodes(ids, repeats)
    while True:
        # A later round follows a rebuild of the index (quarantined lines), which reads
        # the outcomes afresh: this round's table is not kept through the run.
        jobs = _jobs(tasks, ids, repeats, store.take_status(), retry_failed)
        if on_start is not None:
            on_start(len(wanted) - len(jobs), len(jobs))
            on_start = None  # a second round only redoes quarantined episodes
        if not jobs:
            fresh = fresh_report(out, store, wanted)
            if fresh is not None:
                return fresh
        _explore(jobs, agent, config, settings, store=store, on_done=on_done, executor=executor)
        del jobs  # played: the exports below need none of it
        retry_failed = False  # what failed now is this run's result
        # Where each episode's latest record is, not the records: the exports read them
        # back one at a time, in order, so a run holds one episode's rows at a time.
        lines = store.latest_lines(wanted.slot_of, len(wanted))
        if len(lines) == len(wanted) or not store.quarantined:
            break
        # Corrupt lines were found while reading for the exports: their episodes are
        # gone from the trajectories and the index, so one more round runs them again.
        _tell_quarantine(store, on_quarantine)
    report = write_sorted_exports(out, (_episode_output(r) for r in lines.records()))
    held = {**stamp(store), "episodes": wanted.digest()}
    with atomic_writer(out / STAMP) as f:
        f.write(json.dumps(held) + "\n")
    return report


def _tell_quarantine(store: Store, listener: Callable[[int, Path], None] | None) -> None:
    if store.quarantined and listener is not None:
        listener(store.quarantined, store.outdir / QUARANTINE)
    store.quarantined = 0


class _Jobs(Sequence[Job]):
    """The episodes to play, as task indices and repeats: a task is taken from ``tasks``
    (read from its file, for a :class:`TaskFile`) when its episode is played."""

    def __init__(self, tasks: Sequence[CompiledTask]) -> None:
        self.tasks = tasks
        self._pairs = array("q")  # task index, repeat: two numbers a job

    def add(self, index: int, repeat: int) -> None:
        self._pairs.extend((index, repeat))

    def __len__(self) -> int:
        return len(self._pairs) // 2

    @overload
    def __getitem__(self, i: int) -> Job: ...

    @overload
    def __getitem__(self, i: slice) -> list[Job]: ...

    def __getitem__(self, i: int | slice) -> Job | list[Job]:
        if isinstance(i, slice):
            return [self[j] for j in range(len(self))[i]]
        j = range(len(self))[i]
        return self.tasks[self._pairs[2 * j]], self._pairs[2 * j + 1]


def _jobs(
    tasks: Sequence[CompiledTask],
    ids: Sequence[str],
    repeats: int,
    status: dict[EpisodeKey, str],
    retry_failed: bool,
) -> _Jobs:
    jobs = _Jobs(tasks)
    for index, task_id in enumerate(ids):
        for repeat in range(repeats):
            if to_play(status.get((task_id, repeat)), retry_failed):
                jobs.add(index, repeat)
    return jobs


def _explore(
    jobs: Sequence[Job],
    agent: Agent,
    config: GenerateConfig,
    settings: RunSettings,
    *,
    store: Store,
    on_done: Callable[[EpisodeOutput], None] | None,
    executor: Executor | None,
) -> None:
    if not jobs:
        return
    appender = store.appender()
    synced = time.monotonic()

    def emit(output: EpisodeOutput) -> None:
        nonlocal synced
        summary = output.summary
        key = (output.task_id, summary.get("repeat", 0))
        appender.write(key, status_of(summary), output.trajectory)
        if time.monotonic() - synced > SYNC_EVERY:
            appender.sync()
            synced = time.monotonic()
        if on_done is not None:
            on_done(output)

    # The driver alone writes: every executor hands the episodes back here, so resuming,
    # the lock and the index are the same wherever the episodes were played.
    play = functools.partial(_explore_job, explore=config.explore, settings=settings)
    try:
        (executor or LocalExecutor()).episodes(
            jobs, play, agent, concurrency=config.concurrency, emit=emit
        )
    finally:
        appender.close()
