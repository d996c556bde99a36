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
from collections.abc import Callable, Iterator, Sequence
from typing import TypeVar

__all__ = ["cores", "map_chunks", "paused_gc", "workers"]

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


@contextlib.contextmanager
def paused_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector while building many objects that hold no cycles.

    Loading a library allocates millions of small objects that all stay alive; each full
    collection then walks all of them, which made loading 14,000 tasks 2.3x slower. Memory
    is still freed by reference counting; a collection runs once at the end."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
