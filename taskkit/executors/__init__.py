"""Where episodes are played: one interface (:class:`Executor`), one registry of them.

``local`` (the default) forks workers on this machine; ``ray`` spreads them over the actors
of a Ray cluster (the optional ``ray`` extra, imported only when chosen). ``run``,
``generate`` and the library API take any of them; the CLI's ``--executor`` choices are
this table's keys.

The table is read without importing the executors (the CLI builds its options from it): the
names below are imported when first used.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ..runtime.lazy import lazy_exports

if TYPE_CHECKING:
    from ..agents import Agent
    from .base import Emit, Executor, ExecutorUnavailable, Job, Play
    from .local import LocalExecutor, WorkerDied

__all__ = [
    "EXECUTORS",
    "Emit",
    "Executor",
    "ExecutorUnavailable",
    "Job",
    "LocalExecutor",
    "Play",
    "WorkerDied",
    "make_executor",
]


__getattr__ = lazy_exports(
    __name__,
    {
        "Emit": ".base",
        "Executor": ".base",
        "ExecutorUnavailable": ".base",
        "Job": ".base",
        "Play": ".base",
        "LocalExecutor": ".local",
        "WorkerDied": ".local",
    },
)


def _local(*, workers: int | None = None, address: str | None = None, **_: Any) -> Executor:
    if address:
        raise ValueError(f"--address {address!r} is for --executor ray")
    from .local import LocalExecutor  # noqa: PLC0415 - see the module's docstring

    return LocalExecutor(workers=workers)


def _ray(
    *,
    workers: int | None = None,
    address: str | None = None,
    agent_factory: Callable[[], Agent] | None = None,
) -> Executor:
    from .ray import RayExecutor, import_ray  # noqa: PLC0415 - Ray is optional: only when chosen

    import_ray()  # a missing extra is said now, before anything runs
    return RayExecutor(address=address, workers=workers, agent_factory=agent_factory)


EXECUTORS: dict[str, tuple[Callable[..., Executor], str]] = {
    "local": (_local, "forked workers on this machine (the default; needs nothing else)"),
    "ray": (_ray, "actors on a Ray cluster: --address, RAY_ADDRESS, or a local one started"),
}
"""Every executor: how to make it (``workers``, ``address``, ``agent_factory``) and what
it is, for the CLI's help."""


def make_executor(
    name: str,
    *,
    workers: int | None = None,
    address: str | None = None,
    agent_factory: Callable[[], Agent] | None = None,
) -> Executor:
    """The executor ``name`` (a key of :data:`EXECUTORS`). ``agent_factory`` builds the
    agent where the episodes are played, for executors whose workers are not forks of this
    process (a server agent's connections do not travel)."""
    if name not in EXECUTORS:
        raise ValueError(f"unknown executor {name!r}; one of {', '.join(EXECUTORS)}")
    factory, _ = EXECUTORS[name]
    return factory(workers=workers, address=address, agent_factory=agent_factory)
