"""What every episode of one compiled task shares, built once per task object.

A run makes many episodes (and forks) of each task; what depends only on the task (its
verifier, what each tool writes and whether it may run) is worked out on first use and
shared by all of them. An entry lives exactly as long as its task: a weak reference drops
it, so nothing outlives the tasks a run holds.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

__all__ = ["per_task"]

T = TypeVar("T")

_BY_TASK: dict[tuple[int, Hashable], tuple[weakref.ref[Any], Any]] = {}
"""``(id(task), key) -> (weak reference to the task, value)``."""


def per_task(task: Any, key: Hashable, build: Callable[[], T]) -> T:
    """The value ``build()`` made for ``task`` under ``key``, made on first asking.
    ``task`` must accept weak references (pydantic models do)."""
    slot = (id(task), key)
    hit = _BY_TASK.get(slot)
    if hit is not None and hit[0]() is task:
        return hit[1]  # type: ignore[no-any-return]
    value = build()

    def forget(ref: weakref.ref[Any], slot: tuple[int, Hashable] = slot) -> None:
        held = _BY_TASK.get(slot)
        if held is not None and held[0] is ref:
            del _BY_TASK[slot]

    _BY_TASK[slot] = (weakref.ref(task, forget), value)
    return value
