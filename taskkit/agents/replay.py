"""``replay``: the gold actions, then the gold answer. Must score 1 on every step and task;
it retries a call that met an injected fault, as a good agent would. When the last gold
action is a terminal tool (the episode ends with it), the gold answer goes with that call
as its text. In a multi-turn task it plays the gold conversation: each gold message to the
user where it stands among the calls."""

from __future__ import annotations

from ..sim.formats import Response
from ..sim.verify import ToolCall
from .base import AgentOptions, AgentView
from .conversation import due_messages

__all__ = ["ReplayAgent", "create"]


class ReplayAgent:
    name = "replay"

    def act(self, view: AgentView) -> Response:
        i, due = due_messages(view.task, view.steps)
        if due:
            return view.format.write(answer=due[0])
        gold = view.task.final.gold_actions
        if i < len(gold):
            call = ToolCall(gold[i].tool, dict(gold[i].args))
            answer = view.task.final.gold_answer
            if i == len(gold) - 1 and answer and _terminal(view, gold[i].tool):
                return view.format.write(calls=[call], thought=answer)
            return view.format.write(calls=[call])
        return view.format.write(answer=view.task.final.gold_answer or "Done.")


def create(options: AgentOptions) -> ReplayAgent:
    return ReplayAgent()  # works offline: no option applies


def _terminal(view: AgentView, tool: str) -> bool:
    return any(e.name == tool and e.terminal for e in view.task.environment)
