"""Hypothesis' ``find``, put to two uses: drawing examples as its generation phase does, and
finding a minimal failing example within a time budget for shrinking.

Shrinking a content entry with a few arrays of records can take minutes. Once the budget is
spent, examples not seen before count as passing, so the shrinker runs out of moves at
once; examples seen before keep their answer, so the smallest failing one so far is the
one Hypothesis replays and returns.
"""

from __future__ import annotations

import contextlib
import json
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from hypothesis import HealthCheck, Phase, Verbosity, find, settings
from hypothesis import strategies as st
from hypothesis.errors import NoSuchExample

__all__ = ["Search", "draw_examples", "minimal_failure"]

P = TypeVar("P")


@dataclass
class Search(Generic[P]):
    check: Callable[[Any], P | None]
    """Example -> what is wrong with it, or ``None``."""
    budget: float
    """Seconds allowed for shrinking after the first failure."""
    tried: int = 0
    """Examples checked up to and including the first failure."""
    found: dict[str, P | None] = field(default_factory=dict)
    _deadline: float | None = None

    def fails(self, example: Any) -> bool:
        key = json.dumps(example, sort_keys=True, default=repr)
        if key in self.found:
            return self.found[key] is not None
        if self._deadline is not None and time.monotonic() > self._deadline:
            return False
        problem = self.check(example)
        self.found[key] = problem
        if self._deadline is None:
            self.tried += 1
            if problem is not None:
                self._deadline = time.monotonic() + self.budget
        return problem is not None

    def problem(self, example: Any) -> P | None:
        return self.found.get(json.dumps(example, sort_keys=True, default=repr))


def draw_examples(strategy: st.SearchStrategy[Any], n: int, rng: random.Random) -> list[Any]:
    """``n`` examples as Hypothesis' generation phase draws them (simple ones first)."""
    drawn: list[Any] = []

    def keep(example: Any) -> bool:
        drawn.append(example)
        return False

    with contextlib.suppress(NoSuchExample):  # no example "fails": all n are drawn
        find(strategy, keep, settings=_settings(n, shrink=False), random=rng)
    return drawn


def _settings(examples: int, *, shrink: bool) -> settings:
    return settings(
        max_examples=examples,
        database=None,  # nothing written into the author's pack
        deadline=None,
        derandomize=False,
        phases=(Phase.generate, Phase.shrink) if shrink else (Phase.generate,),
        verbosity=Verbosity.quiet,
        suppress_health_check=list(HealthCheck),
    )


def minimal_failure(
    strategy: st.SearchStrategy[Any],
    search: Search[P],
    *,
    examples: int,
    rng: random.Random,
    shrink: bool = True,
) -> tuple[Any, P] | None:
    """The smallest example ``search.check`` finds fault with (the first one, without
    ``shrink``), or ``None`` after ``examples`` passing ones. Hypothesis errors (an
    unsatisfiable strategy) propagate."""
    config = _settings(examples, shrink=shrink)
    try:
        example = find(strategy, search.fails, settings=config, random=rng)
    except NoSuchExample:
        return None
    problem = search.problem(example)
    assert problem is not None
    return example, problem
