"""``taskkit generate``: explore every task, many episodes in flight, resumable.

Each finished episode is appended to ``trajectories.jsonl`` and flushed at once, so a crash
or Ctrl-C loses at most the episodes in flight; a rerun of the same command skips the
episodes already there. Every episode's randomness is seeded by the run seed and its task id
alone, so which episodes ran before a crash changes no result. The exports are rebuilt, in
task order, from all finished episodes at the end.

Agents that talk to a server (``act_async``) run as many episodes concurrently as
``--concurrency`` allows, in one event loop, or in one per forked worker when the limit is
more than one loop keeps up with (:data:`PER_LOOP`); in-process agents are CPU-bound and
run in one forked worker per core.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import multiprocessing
import os
import pickle
import signal
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import IO, Any, NamedTuple, cast

from ..agents import Agent
from ..atomic import atomic_writer
from ..models import CompiledTask
from ..parallel import cores, workers
from .explore import ExploreConfig, explore_episode
from .export import EpisodeOutput, outputs_of, read_trajectories, write_exports

__all__ = ["ConfigMismatch", "GenerateConfig", "generate"]

SYNC_EVERY = 1.0
"""Seconds between fsyncs of the trajectories (flushes happen after every episode)."""


class ConfigMismatch(ValueError):
    """OUTDIR holds a run with other settings; resuming it would mix two runs."""


@dataclass(frozen=True)
class GenerateConfig:
    explore: ExploreConfig = field(default_factory=ExploreConfig)
    concurrency: int = 8
    agent: str = "mutant"


def _check_config(outdir: Path, config: GenerateConfig) -> None:
    path = outdir / "run.json"
    settings = {"config": _recorded(config)}
    if path.exists():
        recorded = json.loads(path.read_text(encoding="utf-8")).get("config")
        if _with_defaults(recorded, _recorded(GenerateConfig())) != settings["config"]:
            raise ConfigMismatch(
                f"{outdir} holds a run with other settings ({path}); use another OUTDIR"
            )
        return
    with atomic_writer(path) as f:
        f.write(json.dumps(settings, indent=2) + "\n")


def _recorded(config: GenerateConfig) -> dict[str, Any]:
    """The settings ``run.json`` keeps: not who may run handlers, which is no setting."""
    settings = asdict(config)
    del settings["explore"]["trust"]
    return settings


def _with_defaults(recorded: Any, defaults: Any) -> Any:
    """A recorded config with the settings added since it was written at their defaults, so
    that a run begun by an older taskkit resumes."""
    if not isinstance(recorded, dict) or not isinstance(defaults, dict):
        return recorded
    return {**defaults, **{k: _with_defaults(v, defaults.get(k)) for k, v in recorded.items()}}


def _truncate_torn_line(path: Path) -> None:
    """Cut a half-written last line left by a crash, so appends start on a fresh line."""
    if not path.exists():
        return
    data = path.read_bytes()
    if data and not data.endswith(b"\n"):
        with path.open("r+b") as f:
            f.truncate(data.rfind(b"\n") + 1)


class _Sink:
    """Appends episodes to the trajectories file: flushed each time, fsynced now and then."""

    def __init__(self, f: IO[str]) -> None:
        self.f = f
        self.synced = time.monotonic()

    def write(self, line: str) -> None:
        self.f.write(line)
        self.f.flush()
        if time.monotonic() - self.synced > SYNC_EVERY:
            os.fsync(self.f.fileno())
            self.synced = time.monotonic()


# -- forked workers -------------------------------------------------------------------------
#
# Workers pull task indices from a shared counter (the tasks themselves are inherited through
# fork: a compiled task costs more to pickle and rebuild than to explore with a fast agent)
# and send finished episodes back on one queue. There is no task queue to feed, so stopping
# never waits on a pipe: multiprocessing.Pool's terminate() can hang for good when its
# feeder thread is blocked on a full task pipe and the workers are gone (a Ctrl-C did).

Work = Callable[[Callable[[], int], Callable[[EpisodeOutput], None]], None]
"""What a worker does: ``work(take, emit)`` explores ``tasks[take()]`` until ``take``
passes the end, handing each finished episode to ``emit``."""


class _Failed(NamedTuple):
    """A worker's exception, sent to the parent to raise (the agent's bug, not ours)."""

    error: BaseException


def _picklable(exc: BaseException) -> BaseException:
    """``exc`` if it survives the trip to the parent, else its text in a RuntimeError (the
    queue pickles in a background thread, where a failure would be lost silently)."""
    try:
        pickle.loads(pickle.dumps(exc))
    except Exception:
        return RuntimeError(f"{type(exc).__name__}: {exc}")
    return exc


def _worker(
    work: Work, next_index: Any, conn: Connection, parent: int, theirs: list[Connection]
) -> None:
    # Only the parent may hold the reading ends: when it dies, a send fails at once
    # (EPIPE) instead of filling a pipe that nobody reads and waiting forever.
    for reader in theirs:
        reader.close()
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides what Ctrl-C means
    sys.stderr = open(os.devnull, "w")  # noqa: SIM115 - for the life of the worker

    def take() -> int:
        if os.getppid() != parent:
            os._exit(1)  # the parent is gone (killed): stop instead of working for nobody
        with next_index.get_lock():
            i: int = next_index.value
            next_index.value = i + 1
        return i

    def send(item: EpisodeOutput | _Failed | None) -> None:
        try:
            conn.send(item)
        except OSError:  # the parent is gone
            os._exit(1)

    try:
        work(take, send)
    except BaseException as exc:
        send(_Failed(_picklable(exc)))
    send(None)  # this worker is done
    conn.close()


def _in_workers(works: Sequence[Work], emit: Callable[[EpisodeOutput], None]) -> None:
    """Run each of ``works`` in a forked process, sharing one task counter; ``emit`` every
    episode in the order they finish. A worker's exception is raised here."""
    ctx = multiprocessing.get_context("fork")
    next_index = ctx.Value("q", 0)
    readers: dict[Connection, Any] = {}
    procs: list[Any] = []
    try:
        for work in works:
            reader, writer = ctx.Pipe(duplex=False)  # one each: a worker never blocks another
            proc = ctx.Process(
                target=_worker,
                args=(work, next_index, writer, os.getpid(), [*readers, reader]),
                daemon=True,
            )
            proc.start()
            writer.close()  # the worker's alone, so its exit is the reader's end of file
            readers[reader] = proc
            procs.append(proc)
        while readers:
            ready = wait(list(readers), timeout=1.0)
            if not ready and any(p.exitcode not in (None, 0) for p in procs):
                raise RuntimeError("a generate worker died (see the system log)")
            for conn in ready:
                reader = cast(Connection, conn)  # wait() returns what it was given
                try:
                    item = reader.recv()
                except EOFError:
                    raise RuntimeError("a generate worker died (see the system log)") from None
                if item is None:
                    del readers[reader]
                elif isinstance(item, _Failed):
                    raise item.error
                else:
                    emit(item)
    finally:
        for proc in procs:
            if proc.is_alive():
                proc.terminate()
        for proc in procs:
            proc.join()


# -- in-process agents: CPU-bound, one worker per core -------------------------------------


def _explore_in_turn(tasks: Sequence[CompiledTask], agent: Agent, explore: ExploreConfig) -> Work:
    def work(take: Callable[[], int], emit: Callable[[EpisodeOutput], None]) -> None:
        loop = asyncio.new_event_loop()  # one for the worker's life, not one per episode
        try:
            while (i := take()) < len(tasks):
                emit(outputs_of(loop.run_until_complete(explore_episode(tasks[i], agent, explore))))
        finally:
            loop.close()

    return work


def _explore_forked(
    tasks: Sequence[CompiledTask],
    agent: Agent,
    config: GenerateConfig,
    emit: Callable[[EpisodeOutput], None],
) -> None:
    n = workers(len(tasks) * 4)  # episodes are heavier than files: fewer make a worker worth it
    work = _explore_in_turn(tasks, agent, config.explore)
    if n <= 1:
        work(itertools.count().__next__, emit)
    else:
        _in_workers([work] * n, emit)


# -- agents with act_async: concurrent episodes, one event loop per worker ---------------

PER_LOOP = 8
"""Requests in flight one event loop keeps up with against a fast server. The client's own
work is 1-3 ms a request (building it, parsing the reply, scoring the step), so above this
a single loop starts to delay replies, and the concurrency is split over forked workers."""


async def _explore_concurrent(
    tasks: Sequence[CompiledTask],
    agent: Agent,
    explore: ExploreConfig,
    *,
    concurrency: int,
    take: Callable[[], int],
    emit: Callable[[EpisodeOutput], None],
) -> None:
    """Explore ``tasks[take()]`` until ``take`` runs past the end, ``concurrency`` requests
    in flight at most."""
    # --concurrency bounds the requests in flight: on the wire when the agent can hold its
    # own connections to it (see OpenAIAgent.limit_in_flight), else around each call.
    limit_in_flight = getattr(agent, "limit_in_flight", None)
    requests: asyncio.Semaphore | None = None
    if limit_in_flight is not None:
        limit_in_flight(concurrency)
    else:
        requests = asyncio.Semaphore(concurrency)

    async def slot() -> None:
        while (i := take()) < len(tasks):
            emit(outputs_of(await explore_episode(tasks[i], agent, explore, requests=requests)))

    # Twice as many episodes as requests are open, so that while one scores a reply
    # another one's request is ready to take the free slot.
    slots = [asyncio.ensure_future(slot()) for _ in range(2 * concurrency)]
    try:
        await asyncio.gather(*slots)
    finally:
        for pending in slots:
            pending.cancel()
        aclose = getattr(agent, "aclose", None)
        if aclose is not None:
            await aclose()


def _explore_concurrently(
    tasks: Sequence[CompiledTask], agent: Agent, explore: ExploreConfig, concurrency: int
) -> Work:
    def work(take: Callable[[], int], emit: Callable[[EpisodeOutput], None]) -> None:
        asyncio.run(
            _explore_concurrent(
                tasks, agent, explore, concurrency=concurrency, take=take, emit=emit
            )
        )

    return work


def _explore_concurrent_forked(
    tasks: Sequence[CompiledTask],
    agent: Agent,
    config: GenerateConfig,
    emit: Callable[[EpisodeOutput], None],
) -> None:
    # Waiting on a server costs no CPU, so even a few episodes are worth a second loop.
    n = min(cores(), len(tasks), -(-config.concurrency // PER_LOOP))
    if n <= 1:
        _explore_concurrently(tasks, agent, config.explore, config.concurrency)(
            itertools.count().__next__, emit
        )
        return
    shares = [config.concurrency // n + (i < config.concurrency % n) for i in range(n)]
    _in_workers([_explore_concurrently(tasks, agent, config.explore, c) for c in shares], emit)


def generate(
    tasks: Sequence[CompiledTask],
    agent: Agent,
    outdir: str | os.PathLike[str],
    config: GenerateConfig | None = None,
    *,
    on_done: Callable[[EpisodeOutput], None] | None = None,
    on_start: Callable[[int, int], None] | None = None,
) -> dict[str, Any]:
    """Explore every task not yet in ``outdir`` and rebuild the exports; return the report."""
    config = config or GenerateConfig()
    out = Path(outdir)
    out.mkdir(parents=True, exist_ok=True)
    _check_config(out, config)
    trajectories = out / "trajectories.jsonl"
    _truncate_torn_line(trajectories)
    wanted = {t.id for t in tasks}
    outputs = {
        r["task_id"]: outputs_of(r)
        for r in read_trajectories(trajectories)
        if r["task_id"] in wanted
    }
    todo = [t for t in tasks if t.id not in outputs]
    if on_start is not None:
        on_start(len(outputs), len(todo))
    with trajectories.open("a", encoding="utf-8") as f:
        sink = _Sink(f)

        def emit(output: EpisodeOutput) -> None:
            sink.write(output.trajectory)
            outputs[output.task_id] = output
            if on_done is not None:
                on_done(output)

        try:
            explore = _explore_concurrent_forked if hasattr(agent, "act_async") else _explore_forked
            explore(todo, agent, config, emit)
        finally:
            f.flush()
            os.fsync(f.fileno())
    return write_exports(out, outputs.values())
