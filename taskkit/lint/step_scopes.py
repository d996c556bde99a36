"""Which names each template of a ``steps`` behaviour may read, by where it sits.

A step's templates see ``args``, ``state``, ``result``, the template helpers and the names
earlier steps bound (``as``, ``let``); a ``let`` value also sees the keys before it; the
steps inside an ``each`` see its ``as`` and what they bind themselves, which stays inside
the loop. ``respond`` sees every name the top-level steps bind. Read by TK302 (which leaves
these templates to TK306) and TK306.
"""

from __future__ import annotations

from collections.abc import Generator, Iterator

from ..models import Behavior, Step, Toolset
from ..sim.helpers import HELPERS
from .variables import JINJA_GLOBALS

__all__ = ["BASE_NAMES", "Loc", "scope_of", "step_scopes"]

Loc = tuple[str | int, ...]

BASE_NAMES = frozenset({"args", "state", "result"}) | frozenset(HELPERS) | JINJA_GLOBALS
"""What every behaviour template may read."""


def step_scopes(toolset: Toolset) -> dict[Loc, frozenset[str]]:
    """Location prefix -> the names a template under it may read, for every behaviour with
    steps in ``toolset`` (the longest matching prefix of a template's location applies)."""
    scopes: dict[Loc, frozenset[str]] = {}
    for i, tool in enumerate(toolset.tools):
        behavior = tool.behavior
        if behavior is None or behavior.steps is None:
            continue
        scopes.update(_behavior(behavior, ("tools", i, "behavior")))
    return scopes


def _behavior(behavior: Behavior, at: Loc) -> Iterator[tuple[Loc, frozenset[str]]]:
    yield at, BASE_NAMES  # its require list runs before the steps
    bound = yield from _steps(behavior.steps or [], (*at, "steps"), BASE_NAMES)
    yield (*at, "respond"), bound


Scopes = Generator[tuple[Loc, frozenset[str]], None, frozenset[str]]


def _steps(steps: list[Step], at: Loc, visible: frozenset[str]) -> Scopes:
    """Yield the scope of each step; return what is visible after the last one."""
    for j, step in enumerate(steps):
        here = (*at, j)
        yield here, visible
        if step.let is not None:
            earlier = visible
            for key in step.let:
                yield (*here, "let", key), earlier
                earlier = earlier | {key}
            visible = earlier
        if step.steps is not None and step.as_ is not None:  # each: its body, then nothing
            yield from _steps(step.steps, (*here, "steps"), visible | {step.as_})
        elif step.as_ is not None:
            visible = visible | {step.as_}
    return visible


def scope_of(scopes: dict[Loc, frozenset[str]], loc: Loc) -> frozenset[str] | None:
    """The names a template at ``loc`` may read, or ``None`` outside any steps behaviour."""
    for k in range(len(loc), 2, -1):
        found = scopes.get(loc[:k])
        if found is not None:
            return found
    return None
