"""Agents for the properties: one that makes exactly one mistake, at a chosen gold step,
then carries on as the gold replay would (the mistake must be caught there, whatever the
agent does afterwards), and one that never asks the user anything."""

from __future__ import annotations

from ..agents.base import AgentView, gold_progress
from ..agents.conversation import due_messages
from ..agents.mutant import (
    ANSWERS_WITHOUT_ASKING,
    MUTATIONS,
    PREMATURE_ANSWER,
    WRITES_WITHOUT_CONFIRMATION,
)
from ..sim.formats import Response
from ..sim.verify import ToolCall

__all__ = ["NeverAsksAgent", "OneMistakeAgent"]


class OneMistakeAgent:
    name = "one-mistake"

    def __init__(self, mutation: str, step: int) -> None:
        self.mutation, self.step = mutation, step
        self.made: ToolCall | None = None
        self._done = False

    def act(self, view: AgentView) -> Response:
        gold = view.task.final.gold_actions
        i, due = due_messages(view.task, view.steps)
        if due and not self._skips(i, due):
            return view.format.write(answer=due[0])
        calls_wrong = self.mutation in MUTATIONS or self.mutation == PREMATURE_ANSWER
        if not self._done and i == self.step and calls_wrong:
            self._done = True
            if self.mutation == PREMATURE_ANSWER:
                return view.format.write(answer="All done.")
            call = ToolCall(gold[i].tool, dict(gold[i].args))
            env = next(e for e in view.task.environment if e.name == call.name)
            mutated = MUTATIONS[self.mutation][1](call, env)
            if mutated is not None:
                self.made = mutated
                return view.format.write(calls=[mutated])
        if i < len(gold):
            return view.format.write(calls=[ToolCall(gold[i].tool, dict(gold[i].args))])
        return view.format.write(answer=view.task.final.gold_answer or "Done.")

    def _skips(self, i: int, due: list[str]) -> bool:
        """Whether the mistake is to leave out the gold message ``due[0]``: every message
        from gold step ``step`` on (not asking), or the last one before the write at gold
        step ``step`` (its confirmation)."""
        if self.mutation == ANSWERS_WITHOUT_ASKING:
            return i >= self.step
        if self.mutation == WRITES_WITHOUT_CONFIRMATION and i == self.step and len(due) == 1:
            self._done = True
            return True
        return False


class NeverAsksAgent:
    """The gold calls, then the gold answer, and never a gold message: an agent that does
    not ask the user what it needs (it knows the answer key). Where the gold conversation
    needs hidden facts, it must fail: the user never revealed them (``hidden_not_asked``)."""

    name = "never-asks"

    def act(self, view: AgentView) -> Response:
        gold = view.task.final.gold_actions
        i = gold_progress(view.steps)
        if i < len(gold):
            return view.format.write(calls=[ToolCall(gold[i].tool, dict(gold[i].args))])
        return view.format.write(answer=view.task.final.gold_answer or "Done.")
