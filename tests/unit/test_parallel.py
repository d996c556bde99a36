"""Pausing the garbage collector while a library loads: what was made meanwhile is not left
for the next young collection to walk, and nobody else's frozen objects are thawed. And the
fork pool that lint and generate share."""

from __future__ import annotations

import gc
import os
from collections.abc import Iterator, Sequence

import pytest

from taskkit.runtime import parallel
from taskkit.runtime.parallel import paused_gc


@pytest.fixture
def collector() -> Iterator[None]:
    was = gc.isenabled()
    gc.enable()
    gc.collect()
    yield
    gc.unfreeze()
    if not was:
        gc.disable()


def test_what_was_made_while_paused_goes_to_the_oldest_generation(collector: None) -> None:
    with paused_gc():
        assert not gc.isenabled()
        kept = [[i] for i in range(100_000)]  # a library's worth of small containers
    assert gc.isenabled()
    # not young: no young collection walks them (the oldest is walked by full ones only)
    oldest = {id(o) for o in gc.get_objects(generation=2)}
    assert id(kept) in oldest and id(kept[0]) in oldest and id(kept[-1]) in oldest
    assert gc.get_count()[0] < 1_000


def test_objects_frozen_by_someone_else_stay_frozen(collector: None) -> None:
    gc.freeze()  # a pre-fork server's, say
    frozen = gc.get_freeze_count()
    with paused_gc():
        kept = [[i] for i in range(10_000)]
    # not thawed (that would leave about none) and not added to (that would add the 10,000
    # lists); a frozen object can still die by reference count meanwhile, so not `==`
    assert frozen - 1_000 < gc.get_freeze_count() <= frozen
    assert gc.isenabled()
    assert len(kept) == 10_000


def test_nested_pauses_resume_once_at_the_outermost(collector: None) -> None:
    with paused_gc():
        with paused_gc():
            pass
        assert not gc.isenabled()
    assert gc.isenabled()


# -- the fork pool, as lint's map_chunks uses it ---------------------------------------------


@pytest.fixture
def two_workers(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TASKKIT_JOBS", "2")
    monkeypatch.setattr(parallel, "MIN_PER_WORKER", 1)


def _pids_and_squares(chunk: Sequence[int]) -> list[tuple[int, int]]:
    return [(os.getpid(), n * n) for n in chunk]


@pytest.mark.usefixtures("two_workers")
def test_chunks_are_mapped_in_workers_and_come_back_in_input_order() -> None:
    found = parallel.map_chunks(_pids_and_squares, range(100))
    assert [square for _, square in found] == [n * n for n in range(100)]
    assert os.getpid() not in {pid for pid, _ in found}


def _fails_on_13(chunk: Sequence[int]) -> list[int]:
    if 13 in chunk:
        raise ValueError("thirteen")
    return list(chunk)


@pytest.mark.usefixtures("two_workers")
def test_a_worker_exception_is_raised_in_the_caller() -> None:
    with pytest.raises(ValueError, match="thirteen"):
        parallel.map_chunks(_fails_on_13, range(100))


def _dies(chunk: Sequence[int]) -> list[int]:
    os._exit(3)


@pytest.mark.usefixtures("two_workers")
def test_a_worker_that_dies_is_an_error_not_a_hang() -> None:
    with pytest.raises(parallel.WorkerDied, match=r"a worker process died \(exit 3"):
        parallel.map_chunks(_dies, range(100))
