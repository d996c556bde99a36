"""``noop``: answers at once without doing anything. It must score 0 on every task that
asks for work: a task it passes rewards doing nothing."""

from __future__ import annotations

from ..sim.formats import Response
from .base import AgentOptions, AgentView

__all__ = ["NoopAgent", "create"]


class NoopAgent:
    name = "noop"

    def act(self, view: AgentView) -> Response:
        return view.format.write(answer="I am not able to help with that request.")


def create(options: AgentOptions) -> NoopAgent:
    return NoopAgent()  # works offline: no option applies
