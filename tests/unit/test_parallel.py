"""Pausing the garbage collector while a library loads: what was made meanwhile is not left
for the next young collection to walk, and nobody else's frozen objects are thawed."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from taskkit.parallel import paused_gc


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
    assert gc.get_freeze_count() == frozen
    assert gc.isenabled()
    assert len(kept) == 10_000


def test_nested_pauses_resume_once_at_the_outermost(collector: None) -> None:
    with paused_gc():
        with paused_gc():
            pass
        assert not gc.isenabled()
    assert gc.isenabled()
