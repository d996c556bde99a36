"""Spreading independent work over the machine's cores.

Forked workers inherit everything already imported (and, for later phases, everything
already loaded), so nothing but the inputs and results crosses a process boundary. Where
fork is not available, or the work is small, it runs in this process: same results.

One pool (:func:`in_workers`) serves both lint (:func:`map_chunks`) and ``generate``
(:mod:`taskkit.executors.local`): workers pull job numbers from a shared counter (the jobs
themselves are inherited through fork) and send results back on one pipe each. There is
no task queue to feed, so stopping never waits on a pipe: multiprocessing.Pool's
terminate() can hang for good when its feeder thread is blocked on a full task pipe and
the workers are gone (a Ctrl-C did).
"""

from __future__ import annotations

import contextlib
import gc
import multiprocessing
import os
import pickle
import signal
import sys
import traceback
from collections.abc import Callable, Iterator, Sequence
from multiprocessing.connection import Connection, wait
from types import TracebackType
from typing import Any, NamedTuple, Protocol, TypeVar, cast

__all__ = [
    "Rounds",
    "TwoRounds",
    "Work",
    "WorkerDied",
    "cores",
    "in_workers",
    "map_chunks",
    "paused_gc",
    "workers",
]

T = TypeVar("T")
R = TypeVar("R")

MIN_PER_WORKER = 200
"""Below this many items a worker costs more to start than it saves."""


def cores() -> int:
    """The processes this machine offers (``TASKKIT_JOBS`` overrides; 1 without fork)."""
    if "fork" not in multiprocessing.get_all_start_methods():
        return 1
    if os.environ.get("TASKKIT_JOBS"):
        return max(1, int(os.environ["TASKKIT_JOBS"]))
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def workers(items: int) -> int:
    """How many processes to use for ``items`` items (1 means: stay in this process)."""
    return max(1, min(cores(), items // MIN_PER_WORKER))


def map_chunks(fn: Callable[[Sequence[T]], list[R]], items: Sequence[T]) -> list[R]:
    """``fn`` over contiguous chunks of ``items``, in parallel; results in input order."""
    n = workers(len(items))
    if n <= 1:
        return fn(items)
    size = -(-len(items) // (n * 4))  # a few chunks per worker evens out slow files
    chunks = [items[i : i + size] for i in range(0, len(items), size)]
    parts: list[list[R]] = [[] for _ in chunks]

    def work(take: Callable[[], int], emit: Callable[[Any], None]) -> None:
        while (i := take()) < len(chunks):
            emit((i, fn(chunks[i])))

    def done(item: tuple[int, list[R]]) -> None:
        parts[item[0]] = item[1]

    in_workers([work] * n, done, died=_died_in_lint)
    return [r for part in parts for r in part]


def _died_in_lint(how: str) -> str:
    return f"a worker process died ({how})"


# -- the pool -------------------------------------------------------------------------------


class WorkerDied(RuntimeError):
    """A worker ended without a word (killed, or out of memory)."""


Work = Callable[[Callable[[], int], Callable[[Any], None]], None]
"""What a worker does: ``work(take, emit)`` does job ``take()`` until ``take`` passes the
end, handing each result to ``emit``."""


class _Failed(NamedTuple):
    """A worker's exception, sent to the parent to raise."""

    error: BaseException


def _picklable(exc: BaseException) -> BaseException:
    """``exc`` if it survives the trip to the parent, else its text in a RuntimeError."""
    try:
        pickle.loads(pickle.dumps(exc))
    except Exception:
        return RuntimeError(f"{type(exc).__name__}: {exc}")
    return exc


PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:
    """Have the kernel kill this process when its parent dies, whatever this process is
    doing then (an agent call that blocks for good included). Linux only; elsewhere the
    worker notices between jobs (``take``) or when its next send fails."""
    if not sys.platform.startswith("linux"):
        return
    import ctypes  # noqa: PLC0415 - only in a forked worker

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

    def send(item: Any) -> None:
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


def in_workers(
    works: Sequence[Work], emit: Callable[[Any], None], *, died: Callable[[str], str]
) -> None:
    """Run each of ``works`` in a forked process, sharing one job counter; ``emit`` every
    result in the order they come. A worker's exception is raised here; a worker that
    ends without a word is :class:`WorkerDied`, with ``died(how)`` as its message. On any
    way out (Ctrl-C included) the workers left are stopped, without waiting on a pipe."""
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
                raise WorkerDied(died(_how(procs)))
            for conn in ready:
                reader = cast(Connection, conn)  # wait() returns what it was given
                try:
                    item = reader.recv()
                except EOFError:
                    readers[reader].join(timeout=1.0)
                    raise WorkerDied(died(_how(procs))) from None
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


def _how(procs: list[Any]) -> str:
    codes = [p.exitcode for p in procs if p.exitcode not in (None, 0)]
    return (
        ", ".join(f"signal {signal.Signals(-c).name}" if c < 0 else f"exit {c}" for c in codes)
        or "no exit status"
    )


class TwoRounds(Protocol):
    """Work on one shard that keeps state between two rounds: the coordinator reads every
    shard's first answer before it can say what each needs for the second."""

    def first(self) -> bytes: ...

    def meanwhile(self) -> None:
        """Work that needs nothing from the coordinator, done while it reads every shard's
        first answer and prepares the second round (a shard would otherwise wait idle)."""

    def second(self, given: bytes) -> bytes: ...


class WorkerError(RuntimeError):
    """A worker process failed; the message carries its traceback."""


_OK, _FAILED = b"+", b"!"


class Rounds:
    """Run shards in forked processes, one each, or all in this process when ``fork`` is
    False (same results). Use as a context manager, then :meth:`first`, :meth:`second`
    (which returns at once: the coordinator works meanwhile) and :meth:`results`."""

    def __init__(self, shards: Sequence[TwoRounds], *, fork: bool) -> None:
        self._shards = shards
        self._fork = fork
        self._conns: list[Connection] = []
        self._procs: list[multiprocessing.process.BaseProcess] = []
        self._inputs: Sequence[bytes] = ()

    def __enter__(self) -> Rounds:
        if self._fork:
            context = multiprocessing.get_context("fork")
            for shard in self._shards:
                here, there = context.Pipe()
                proc = context.Process(target=_serve, args=(shard, there), daemon=True)
                proc.start()
                there.close()
                self._conns.append(here)
                self._procs.append(proc)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        for conn in self._conns:
            conn.close()
        for proc in self._procs:
            if exc is not None and proc.is_alive():
                proc.terminate()
            proc.join()

    def first(self) -> list[bytes]:
        if not self._fork:
            answers = [shard.first() for shard in self._shards]
            for shard in self._shards:
                shard.meanwhile()
            return answers
        return [_receive(conn) for conn in self._conns]

    def second(self, inputs: Sequence[bytes]) -> None:
        """Start round two, with one input per shard."""
        if not self._fork:
            self._inputs = inputs
            return
        for conn, data in zip(self._conns, inputs, strict=True):
            conn.send_bytes(data)

    def results(self) -> list[bytes]:
        if not self._fork:
            return [s.second(data) for s, data in zip(self._shards, self._inputs, strict=True)]
        return [_receive(conn) for conn in self._conns]


def _serve(shard: TwoRounds, conn: Connection) -> None:
    try:
        conn.send_bytes(_OK + shard.first())
        try:
            shard.meanwhile()
            failed = None
        except Exception:  # reported in place of the second answer, once the second input
            failed = traceback.format_exc()  # is read: the coordinator may be sending it now
        given = conn.recv_bytes()
        if failed is not None:
            conn.send_bytes(_FAILED + failed.encode())
            return
        conn.send_bytes(_OK + shard.second(given))
    except EOFError:
        pass  # the coordinator stopped (interrupted, or failed elsewhere)
    except BaseException:  # any failure goes to the coordinator, which raises it
        conn.send_bytes(_FAILED + traceback.format_exc().encode())
    finally:
        conn.close()


def _receive(conn: Connection) -> bytes:
    try:
        message = conn.recv_bytes()
    except EOFError:
        raise WorkerError("a worker process exited without answering") from None
    if message[:1] != _OK:
        raise WorkerError("a worker process failed:\n" + message[1:].decode(errors="replace"))
    return message[1:]


@contextlib.contextmanager
def paused_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector while building many objects that hold no cycles.

    Loading a library allocates millions of small objects that all stay alive; each full
    collection then walks all of them, which made loading 14,000 tasks 2.3x slower. Memory
    is still freed by reference counting.

    What was made meanwhile sits in the youngest generation, which the first collection after
    would walk whole (millions of objects: a tenth of a re-lint with the cache), and the next
    one again. It is moved to the oldest generation instead, where, as any long-lived
    object, only a full collection walks it."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            if gc.get_freeze_count() == 0:  # nothing frozen by others, which this would thaw
                gc.freeze()  # everything tracked, to the permanent generation,
                gc.unfreeze()  # and from there to the oldest one
            gc.enable()
