"""Spreading independent work over the machine's cores.

Forked workers inherit everything already imported (and, for later phases, everything
already loaded), so nothing but the inputs and results crosses a process boundary. Where
fork is not available, or the work is small, it runs in this process: same results.
"""

from __future__ import annotations

import contextlib
import gc
import multiprocessing
import os
import traceback
from collections.abc import Callable, Iterator, Sequence
from multiprocessing.connection import Connection
from types import TracebackType
from typing import Protocol, TypeVar

__all__ = ["Rounds", "TwoRounds", "cores", "map_chunks", "paused_gc", "workers"]

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
    with multiprocessing.get_context("fork").Pool(n) as pool:
        parts = pool.map(fn, chunks)
    return [r for part in parts for r in part]


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
