"""An agent that makes exactly one mistake, at a chosen gold step, then carries on as the
gold replay would: the mistake must be caught there, whatever the agent does afterwards."""

from __future__ import annotations

from ..agents.base import AgentView, gold_message_due, gold_progress
from ..agents.mutant import MUTATIONS, PREMATURE_ANSWER
from ..sim.formats import Response
from ..sim.verify import ToolCall

__all__ = ["OneMistakeAgent"]


class OneMistakeAgent:
    name = "one-mistake"

    def __init__(self, mutation: str, step: int) -> None:
        self.mutation, self.step = mutation, step
        self.made: ToolCall | None = None
        self._done = False

    def act(self, view: AgentView) -> Response:
        gold = view.task.final.gold_actions
        i = gold_progress(view.steps)
        if not self._done and i == self.step:
            self._done = True
            if self.mutation == PREMATURE_ANSWER:
                return view.format.write(answer="All done.")
            call = ToolCall(gold[i].tool, dict(gold[i].args))
            env = next(e for e in view.task.environment if e.name == call.name)
            mutated = MUTATIONS[self.mutation][1](call, env)
            if mutated is not None:
                self.made = mutated
                return view.format.write(calls=[mutated])
        message = gold_message_due(view.task, view.steps)
        if message is not None:
            return view.format.write(answer=message)
        if i < len(gold):
            return view.format.write(calls=[ToolCall(gold[i].tool, dict(gold[i].args))])
        return view.format.write(answer=view.task.final.gold_answer or "Done.")
