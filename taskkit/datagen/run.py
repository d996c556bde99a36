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

Agents that talk to a server (``act_async``) run as many episodes concurrently as
``--concurrency`` allows, in one event loop, or in one per forked worker when the limit is
more than one loop keeps up with (:data:`PER_LOOP`); in-process agents are CPU-bound and
run in one forked worker per core.
"""

from __future__ import annotations

import asyncio
import ctypes
import hashlib
import itertools
import json
import multiprocessing
import os
import pickle
import signal
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field, replace
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import Any, NamedTuple, cast

from ..agents import Agent
from ..agents.base import AsyncAgent, PooledAgent
from ..agents.errors import ServerUnavailable, failure_of
from ..atomic import atomic_writer
from ..models import CompiledTask
from ..parallel import cores, workers
from ..runner import failed_record, record_line, repeat_seed
from .explore import ExploreConfig, explore_episode
from .export import EpisodeOutput, outputs_of, write_exports
from .store import QUARANTINE, EpisodeKey, Store, key_of, status_of

__all__ = ["ConfigMismatch", "GenerateConfig", "WorkerDied", "generate"]

SYNC_EVERY = 1.0
"""Seconds between fsyncs of the trajectories (flushes happen after every episode)."""

RETRIED_BY_DEFAULT = frozenset({"server"})
"""Failures a plain rerun runs again: the server's, which say nothing about the agent."""


class ConfigMismatch(ValueError):
    """OUTDIR holds a run with other settings; resuming it would mix two runs."""


class WorkerDied(RuntimeError):
    """A forked worker ended without a word (killed, or out of memory)."""


@dataclass(frozen=True)
class GenerateConfig:
    explore: ExploreConfig = field(default_factory=ExploreConfig)
    concurrency: int = 8
    agent: str = "mutant"


Job = tuple[CompiledTask, int]
"""An episode to run: a task and which repeat of it."""


def _config_json(config: GenerateConfig) -> dict[str, Any]:
    """The settings a resumed run must share (who may run handlers is not one of them)."""
    doc = asdict(config)
    doc["explore"].pop("trust", None)
    return doc


def _with_defaults(recorded: Any, defaults: Any) -> Any:
    """A recorded config with the settings added since it was written at their defaults, so
    that a run begun by an older taskkit resumes."""
    if not isinstance(recorded, dict) or not isinstance(defaults, dict):
        return recorded
    return {**defaults, **{k: _with_defaults(v, defaults.get(k)) for k, v in recorded.items()}}


def _check_config(outdir: Path, config: GenerateConfig, settings: dict[str, Any]) -> dict[str, Any]:
    """Record the run's settings in ``run.json``, or check that a resumed run has the same
    ones; return the settings its records carry (with the time of its first start)."""
    path = outdir / "run.json"
    if not path.exists():
        with atomic_writer(path) as f:
            f.write(
                json.dumps({"config": _config_json(config), "settings": settings}, indent=2) + "\n"
            )
        return settings
    try:
        held = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError):
        held = None
    if not isinstance(held, dict):
        raise ConfigMismatch(f"{path} is not a run description; use another OUTDIR")
    old: dict[str, Any] = held["settings"] if isinstance(held.get("settings"), dict) else {}
    recorded = _with_defaults(held.get("config"), _config_json(GenerateConfig()))
    if recorded != _config_json(config) or old.get("model") != settings.get("model"):
        raise ConfigMismatch(
            f"{outdir} holds a run with other settings ({path}); use another OUTDIR"
        )
    return {**settings, "created": old.get("created", settings.get("created"))}


def _episode_output(record: dict[str, Any]) -> EpisodeOutput:
    """What one episode's record contributes to the exports (a failed one: nothing but
    its line and its count in the report)."""
    if "failed" not in record:
        output = outputs_of(record, record_line(record))
        output.summary["repeat"] = record.get("repeat", 0)
        output.summary["settings"] = record.get("settings")
        return output
    summary = {
        k: record.get(k)
        for k in (
            "task_id",
            "pack",
            "category",
            "task",
            "action_scores",
            "task_score",
            "repeat",
            "settings",
        )
    }
    summary.update(error_types=[], failed=record["failed"])
    return EpisodeOutput(record["task_id"], record_line(record), None, [], summary)


async def _explore_job(
    job: Job,
    agent: Agent,
    explore: ExploreConfig,
    settings: dict[str, Any],
    requests: asyncio.Semaphore | None = None,
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
        record = failed_record(
            task, failure_of(exc), repeat=repeat, seed=config.seed, fmt=config.format
        )
    record["settings"] = settings
    return _episode_output(record)


# -- forked workers -------------------------------------------------------------------------
#
# Workers pull job indices from a shared counter (the tasks themselves are inherited through
# fork: a compiled task costs more to pickle and rebuild than to explore with a fast agent)
# and send finished episodes back on one queue. There is no task queue to feed, so stopping
# never waits on a pipe: multiprocessing.Pool's terminate() can hang for good when its
# feeder thread is blocked on a full task pipe and the workers are gone (a Ctrl-C did).

Work = Callable[[Callable[[], int], Callable[[EpisodeOutput], None]], None]
"""What a worker does: ``work(take, emit)`` explores ``jobs[take()]`` until ``take``
passes the end, handing each finished episode to ``emit``."""


class _Failed(NamedTuple):
    """A worker's exception, sent to the parent to raise."""

    error: BaseException


def _picklable(exc: BaseException) -> BaseException:
    """``exc`` if it survives the trip to the parent, else its text in a RuntimeError (the
    queue pickles in a background thread, where a failure would be lost silently)."""
    try:
        pickle.loads(pickle.dumps(exc))
    except Exception:
        return RuntimeError(f"{type(exc).__name__}: {exc}")
    return exc


PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:
    """Have the kernel kill this process when its parent dies, whatever this process is
    doing then (an agent call that blocks for good included). Linux only; elsewhere the
    worker notices between episodes (``take``) or when its next send fails."""
    if not sys.platform.startswith("linux"):
        return
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):  # pragma: no cover - no prctl: the checks remain
        pass


def _worker(
    work: Work, next_index: Any, conn: Connection, parent: int, theirs: list[Connection]
) -> None:
    _die_with_parent()
    if os.getppid() != parent:  # the parent died before the line above took effect
        os._exit(1)
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
    """Run each of ``works`` in a forked process, sharing one job counter; ``emit`` every
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
                raise WorkerDied(_died(procs))
            for conn in ready:
                reader = cast(Connection, conn)  # wait() returns what it was given
                try:
                    item = reader.recv()
                except EOFError:
                    readers[reader].join(timeout=1.0)
                    raise WorkerDied(_died(procs)) from None
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


def _died(procs: list[Any]) -> str:
    codes = [p.exitcode for p in procs if p.exitcode not in (None, 0)]
    how = (
        ", ".join(f"signal {signal.Signals(-c).name}" if c < 0 else f"exit {c}" for c in codes)
        or "no exit status"
    )
    return f"a generate worker died ({how}); finished episodes are kept, rerun to resume"


# -- in-process agents: CPU-bound, one worker per core -------------------------------------


def _explore_in_turn(
    jobs: Sequence[Job], agent: Agent, explore: ExploreConfig, settings: dict[str, Any]
) -> Work:
    def work(take: Callable[[], int], emit: Callable[[EpisodeOutput], None]) -> None:
        loop = asyncio.new_event_loop()  # one for the worker's life, not one per episode
        try:
            while (i := take()) < len(jobs):
                emit(loop.run_until_complete(_explore_job(jobs[i], agent, explore, settings)))
        finally:
            loop.close()

    return work


def _explore_forked(
    jobs: Sequence[Job],
    agent: Agent,
    config: GenerateConfig,
    settings: dict[str, Any],
    emit: Callable[[EpisodeOutput], None],
) -> None:
    n = workers(len(jobs) * 4)  # episodes are heavier than files: fewer make a worker worth it
    work = _explore_in_turn(jobs, agent, config.explore, settings)
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
    jobs: Sequence[Job],
    agent: Agent,
    explore: ExploreConfig,
    settings: dict[str, Any],
    *,
    concurrency: int,
    take: Callable[[], int],
    emit: Callable[[EpisodeOutput], None],
) -> None:
    """Explore ``jobs[take()]`` until ``take`` runs past the end, ``concurrency`` requests
    in flight at most."""
    # --concurrency bounds the requests in flight: on the wire when the agent can hold its
    # own connections to it (see OpenAIAgent.limit_in_flight), else around each call.
    requests: asyncio.Semaphore | None = None
    if isinstance(agent, PooledAgent):
        agent.limit_in_flight(concurrency)
    else:
        requests = asyncio.Semaphore(concurrency)

    async def slot() -> None:
        while (i := take()) < len(jobs):
            emit(await _explore_job(jobs[i], agent, explore, settings, requests))

    # Twice as many episodes as requests are open, so that while one scores a reply
    # another one's request is ready to take the free slot.
    slots = [asyncio.ensure_future(slot()) for _ in range(2 * concurrency)]
    try:
        await asyncio.gather(*slots)
    finally:
        for pending in slots:
            pending.cancel()
        if isinstance(agent, PooledAgent):
            await agent.aclose()


def _explore_concurrently(
    jobs: Sequence[Job],
    agent: Agent,
    explore: ExploreConfig,
    settings: dict[str, Any],
    concurrency: int,
) -> Work:
    def work(take: Callable[[], int], emit: Callable[[EpisodeOutput], None]) -> None:
        asyncio.run(
            _explore_concurrent(
                jobs, agent, explore, settings, concurrency=concurrency, take=take, emit=emit
            )
        )

    return work


def _explore_concurrent_forked(
    jobs: Sequence[Job],
    agent: Agent,
    config: GenerateConfig,
    settings: dict[str, Any],
    emit: Callable[[EpisodeOutput], None],
) -> None:
    # Waiting on a server costs no CPU, so even a few episodes are worth a second loop.
    n = min(cores(), len(jobs), -(-config.concurrency // PER_LOOP))
    if n <= 1:
        _explore_concurrently(jobs, agent, config.explore, settings, config.concurrency)(
            itertools.count().__next__, emit
        )
        return
    shares = [config.concurrency // n + (i < config.concurrency % n) for i in range(n)]
    _in_workers(
        [_explore_concurrently(jobs, agent, config.explore, settings, c) for c in shares], emit
    )


# -- the run --------------------------------------------------------------------------------

STAMP = ".exports.json"
"""What the exports were last built from (the trajectories' size and change time): a
rerun with nothing to do and nothing changed rewrites nothing."""


def _stamp(store: Store) -> dict[str, int]:
    st = store.trajectories.stat() if store.trajectories.exists() else None
    return {"size": st.st_size, "mtime_ns": st.st_mtime_ns} if st else {"size": 0, "mtime_ns": 0}


def _fresh_report(out: Path, store: Store, wanted: set[EpisodeKey]) -> dict[str, Any] | None:
    """The report of the last export, when it covers exactly ``wanted`` and nothing has
    changed since."""
    try:
        stamp = json.loads((out / STAMP).read_text(encoding="utf-8"))
        report: dict[str, Any] = json.loads((out / "report.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if stamp != {**_stamp(store), "episodes": _digest(wanted)}:
        return None
    return report


def _digest(keys: set[EpisodeKey]) -> str:
    """Which episodes a run covers, in a few bytes."""
    text = "\n".join(f"{task_id}\t{repeat}" for task_id, repeat in sorted(keys))
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def generate(
    tasks: Sequence[CompiledTask],
    agent: Agent,
    outdir: str | os.PathLike[str],
    config: GenerateConfig | None = None,
    *,
    repeats: int = 1,
    retry_failed: bool = False,
    settings: dict[str, Any] | None = None,
    on_done: Callable[[EpisodeOutput], None] | None = None,
    on_start: Callable[[int, int], None] | None = None,
    on_quarantine: Callable[[int, Path], None] | None = None,
) -> dict[str, Any]:
    """Explore every task ``repeats`` times, skipping episodes ``outdir`` holds, and
    rebuild the exports; return the report. The caller holds ``outdir``'s lock.
    ``on_quarantine(n, path)`` hears of corrupt lines moved aside (their episodes run
    again)."""
    config = config or GenerateConfig()
    out = Path(outdir)
    out.mkdir(parents=True, exist_ok=True)
    settings = _check_config(out, config, dict(settings or {}))
    store = Store.open(out)
    _tell_quarantine(store, on_quarantine)
    wanted = {(t.id, r) for t in tasks for r in range(repeats)}
    while True:
        jobs = _jobs(tasks, repeats, store.status, retry_failed)
        if on_start is not None:
            on_start(len(wanted) - len(jobs), len(jobs))
            on_start = None  # a second round only redoes quarantined episodes
        if not jobs:
            fresh = _fresh_report(out, store, wanted)
            if fresh is not None:
                return fresh
        _explore(jobs, agent, config, settings, store=store, on_done=on_done)
        retry_failed = False  # what failed now is this run's result
        records = [r for r in store.records() if key_of(r) in wanted]
        if len(records) == len(wanted) or not store.quarantined:
            break
        # Corrupt lines were found while reading for the exports: their episodes are
        # gone from the trajectories and the index, so one more round runs them again.
        _tell_quarantine(store, on_quarantine)
    records.sort(key=key_of)
    report = write_exports(out, (_episode_output(r) for r in records))
    stamp = {**_stamp(store), "episodes": _digest(wanted)}
    with atomic_writer(out / STAMP) as f:
        f.write(json.dumps(stamp) + "\n")
    return report


def _tell_quarantine(store: Store, listener: Callable[[int, Path], None] | None) -> None:
    if store.quarantined and listener is not None:
        listener(store.quarantined, store.outdir / QUARANTINE)
    store.quarantined = 0


def _jobs(
    tasks: Sequence[CompiledTask],
    repeats: int,
    status: dict[EpisodeKey, str],
    retry_failed: bool,
) -> list[Job]:
    jobs: list[Job] = []
    for task in tasks:
        for repeat in range(repeats):
            outcome = status.get((task.id, repeat))
            if outcome is None or (
                outcome != "ok" and (retry_failed or outcome in RETRIED_BY_DEFAULT)
            ):
                jobs.append((task, repeat))
    return jobs


def _explore(
    jobs: list[Job],
    agent: Agent,
    config: GenerateConfig,
    settings: dict[str, Any],
    *,
    store: Store,
    on_done: Callable[[EpisodeOutput], None] | None,
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

    try:
        explore = _explore_concurrent_forked if isinstance(agent, AsyncAgent) else _explore_forked
        explore(jobs, agent, config, settings, emit)
    finally:
        appender.close()
