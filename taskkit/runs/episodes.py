"""Running agents on compiled tasks: one episode, or many with results written as they end."""

from __future__ import annotations

import asyncio
import hashlib
import json
import random
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import IO, TYPE_CHECKING, Any

from .. import __version__
from ..agents import Agent, AgentView, ServerAgent
from ..agents.errors import EpisodeFailed, ServerUnavailable, failure_of
from ..io import jsonlines
from ..models import CompiledTask
from ..models.records import ExploredRecord, RunSettings, TrajectoryRecord
from ..sim.episode import Episode
from ..sim.formats import ResponseFormat, get_format
from .user_choice import UserChoice

if TYPE_CHECKING:  # the executors' package plays runner's episodes; no import at run time
    from ..executors import Executor

__all__ = [
    "RunPlay",
    "failed_explored",
    "failed_record",
    "record_line",
    "repeat_seed",
    "run_episode",
    "run_settings",
    "run_tasks",
]


def run_episode(
    task: CompiledTask,
    agent: Agent,
    fmt: ResponseFormat | str = "openai",
    *,
    seed: int = 0,
    temperature: float = 0.0,
    faults: bool = True,
    trust: Iterable[str] | None = None,
    user: UserChoice | None = None,
) -> Episode:
    """Drive one episode to its end; agent exceptions propagate (they are the agent's bug).
    ``trust``: packs whose Python handlers may run (see :class:`Episode`); ``user``: who
    answers the agent in a task with a user block (default: its scripted turns)."""
    simulated = user.make(task, seed=seed) if user is not None else None
    episode = Episode(task, fmt, run_seed=seed, faults=faults, trust=trust, user=simulated)
    rng = random.Random(f"{seed}|{task.id}")
    observation = episode.observe()
    while not episode.done:
        view = AgentView(task, episode.format, observation, episode.steps, temperature, rng)
        observation = episode.step(agent.act(view)).observation
    return episode


def repeat_seed(seed: int, repeat: int) -> int:
    """The seed of a task's ``repeat``-th run: the run seed itself for the first (so one
    repeat is the plain run), a hash of both for the others (independent faults and
    agent randomness)."""
    if repeat == 0:
        return seed
    return int.from_bytes(hashlib.sha256(f"repeat|{seed}|{repeat}".encode()).digest()[:4], "big")


def record_line(record: Mapping[str, Any]) -> str:
    """A record as one JSONL line, whatever an agent put in it: values JSON has no word for
    (bytes, sets, objects) are written as a note of their type, lone surrogates escaped."""
    try:
        text = jsonlines.dumps(record)
        text.encode("utf-8")
    except (TypeError, ValueError):
        text = json.dumps(record, ensure_ascii=True, default=_stand_in)
    return text + "\n"


def _stand_in(value: object) -> str:
    return f"<not JSON: {type(value).__name__}>"


def run_settings(
    agent: Agent,
    *,
    agent_spec: str,
    fmt: str,
    seed: int,
    temperature: float | list[float],
    samples: int | None = None,
    user: UserChoice | None = None,
) -> RunSettings:
    """How a run is made, as its outputs record it (``run.json``, every trajectory record's
    ``settings``, the report): what produced these numbers, and when. ``user``: who answers
    the agent in multi-turn tasks (recorded as the scripted user when not given)."""
    return {
        "model": agent.model if isinstance(agent, ServerAgent) else None,
        "base_url": agent.base_url if isinstance(agent, ServerAgent) else None,
        "agent": agent_spec,
        "format": fmt,
        "seed": seed,
        "temperature": temperature,
        "samples": samples,
        "user": (user or UserChoice()).settings(),
        "taskkit_version": __version__,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
    }


def failed_record(
    task: CompiledTask, failure: EpisodeFailed, *, repeat: int, seed: int, fmt: str
) -> TrajectoryRecord:
    """The record of a ``run`` episode that ended without a result: which, and why."""
    record: TrajectoryRecord = {
        "task_id": task.id,
        "pack": task.pack,
        "category": task.category,
        "task": task.task,
        "repeat": repeat,
        "run_seed": seed,
        "format": fmt,
        "failed": {"kind": failure.kind, "reason": failure.reason},
        "action_scores": [],
        "task_score": 0,
        "passed": False,
    }
    return record


def failed_explored(
    task: CompiledTask, failure: EpisodeFailed, *, repeat: int, seed: int, fmt: str
) -> ExploredRecord:
    """:func:`failed_record` of a ``generate`` episode: the same keys, but its seed is
    ``seed`` (an explored record's name for it)."""
    played = failed_record(task, failure, repeat=repeat, seed=seed, fmt=fmt)
    explored: ExploredRecord = {
        "task_id": played["task_id"],
        "pack": played["pack"],
        "category": played["category"],
        "task": played["task"],
        "repeat": repeat,
        "seed": seed,
        "format": fmt,
        "failed": played["failed"],
        "action_scores": [],
        "task_score": 0,
        "passed": False,
    }
    return explored


def run_tasks(
    tasks: Iterable[CompiledTask],
    agent: Agent,
    fmt: str = "openai",
    *,
    seed: int = 0,
    temperature: float = 0.0,
    faults: bool = True,
    repeats: int = 1,
    settings: RunSettings | None = None,
    out: IO[str] | None = None,
    on_done: Callable[[TrajectoryRecord], None] | None = None,
    trust: Iterable[str] | None = None,
    executor: Executor | None = None,
    full_state: bool = False,
    user: UserChoice | None = None,
) -> Iterator[TrajectoryRecord]:
    """Run every task ``repeats`` times; yield each trajectory record (and append it to
    ``out`` as JSONL). An episode the agent fails (it raises, times out, or its server
    fails after retries) is a record with ``failed``, and the run goes on; a server that
    cannot be reached at all raises :class:`ServerUnavailable`.

    Without ``executor`` the episodes are played here, in order. With one (say a
    :class:`~taskkit.executors.ray.RayExecutor`) they are played where it says and the
    records arrive in the order they finish (``out`` and ``on_done`` hear of each as it
    does; sort by task and repeat to compare runs); they are yielded once all are done."""
    get_format(fmt)  # an unknown format fails here, before any episode
    play = RunPlay(
        fmt,
        seed,
        temperature,
        faults,
        None if trust is None else tuple(sorted(trust)),
        settings,
        full_state,
        user,
    )

    def done(record: TrajectoryRecord) -> TrajectoryRecord:
        if out is not None:
            out.write(record_line(record))
            out.flush()
        if on_done is not None:
            on_done(record)
        return record

    jobs = [(task, repeat) for task in tasks for repeat in range(repeats)]
    if executor is None:
        for job in jobs:
            yield done(play.record(job, agent))
        return
    records: list[TrajectoryRecord] = []
    # concurrency None: run calls the agent synchronously, one episode per worker at a time
    emit = lambda r: records.append(done(r))  # noqa: E731
    executor.episodes(jobs, play, agent, concurrency=None, emit=emit)
    yield from records


@dataclass(frozen=True, slots=True)
class RunPlay:
    """How ``run`` plays each episode: what an executor's workers are sent (so it is
    picklable) and call, as an executor's play, once per job."""

    fmt: str
    seed: int
    temperature: float
    faults: bool
    trust: tuple[str, ...] | None
    settings: RunSettings | None
    full_state: bool = False
    user: UserChoice | None = None

    async def __call__(
        self,
        job: tuple[CompiledTask, int],
        agent: Agent,
        requests: asyncio.Semaphore | None = None,
    ) -> TrajectoryRecord:
        """The agent is called as ``run`` calls it, synchronously."""
        return self.record(job, agent)

    def record(self, job: tuple[CompiledTask, int], agent: Agent) -> TrajectoryRecord:
        """One episode of ``run`` as its trajectory record."""
        task, repeat = job
        run_seed = repeat_seed(self.seed, repeat)
        format_ = get_format(self.fmt)  # an unknown format is the caller's error, not the agent's
        try:
            record = run_episode(
                task,
                agent,
                format_,
                seed=run_seed,
                temperature=self.temperature,
                faults=self.faults,
                trust=self.trust,
                user=self.user,
            ).record(full_state=self.full_state)
            record["repeat"] = repeat
        except ServerUnavailable:
            raise
        except Exception as exc:
            record = failed_record(
                task,
                failure_of(exc),
                repeat=repeat,
                seed=run_seed,
                fmt=self.fmt,
            )
        record["agent"] = agent.name
        if self.settings is not None:
            record["settings"] = self.settings
        return record
