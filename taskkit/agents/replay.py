"""``replay``: the gold actions, then the gold answer. Must score 1 on every step and task;
it retries a call that met an injected fault, as a good agent would."""

from __future__ import annotations

from ..sim.formats import Response
from ..sim.verify import ToolCall
from .base import AgentOptions, AgentView, gold_progress

__all__ = ["ReplayAgent", "create"]


class ReplayAgent:
    name = "replay"

    def act(self, view: AgentView) -> Response:
        gold = view.task.final.gold_actions
        i = gold_progress(view.steps)
        if i < len(gold):
            return view.format.write(calls=[ToolCall(gold[i].tool, dict(gold[i].args))])
        return view.format.write(answer=view.task.final.gold_answer or "Done.")


def create(options: AgentOptions) -> ReplayAgent:
    return ReplayAgent()  # works offline: no option applies
