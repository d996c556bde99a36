"""Which simulated user plays the tasks that have a ``user`` block in a run (``--user``).

A :class:`UserChoice` is plain, picklable data (a worker process or a Ray actor makes its
users from it), importable without the simulator, recorded in ``run.json`` and every
trajectory's settings; each episode of a task with a user gets a fresh user from it, a task
without one gets none.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..models import CompiledTask
    from ..sim.users import SimulatedUser

__all__ = ["UserChoice"]


@dataclass(frozen=True)
class UserChoice:
    kind: str = "scripted"
    """A key of :data:`taskkit.agents.USERS`."""
    model: str | None = None
    base_url: str | None = None
    seed: int | None = None
    temperature: float = 0.0
    timeout: float = 60.0
    max_retries: int = 4

    def make(self, task: CompiledTask, *, seed: int | None = None) -> SimulatedUser | None:
        """The user of one episode of ``task`` (None for a single-command task). ``seed``:
        the episode's, when the choice gives none (each repeat samples its own user)."""
        if task.user is None:
            return None
        # here, not at the top: a resume with nothing to do reads the choice without
        # loading the simulator (taskkit.cli.names, taskkit.datagen.config)
        from ..agents import USERS  # noqa: PLC0415
        from ..sim.users import make_user  # noqa: PLC0415

        options = {k: v for k, v in asdict(self).items() if k != "kind"}
        if options["seed"] is None:
            options["seed"] = seed
        return make_user(task, self.kind, USERS, **options)

    def settings(self) -> dict[str, Any]:
        """As a run records it (no key: that stays in the environment)."""
        if self.kind == "scripted":
            return {"kind": "scripted"}
        return asdict(self)
