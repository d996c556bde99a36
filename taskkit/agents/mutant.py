"""``mutant``: the gold actions with seeded, realistic errors -- an offline explorer that
exercises every evaluator.

Each mutation class names the error type that must catch it: the verifier's types for
malformed calls, and the final evaluator's for a wrong value written to the state or an
answer given before the work is done. The chance of a mutation grows with temperature, so
sampling at spread temperatures gives a mix of passing and failing samples.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from ..models import CompiledTask, ToolEnv
from ..runtime.memo import Memo
from ..sim.formats import Response
from ..sim.verify import ToolCall, shared_validator
from .base import AgentOptions, AgentView
from .conversation import confirmed_writes, due_messages, spoke

__all__ = ["ALL_CLASSES", "CONVERSATION", "MUTATIONS", "MutantAgent", "create"]

Mutation = Callable[[ToolCall, ToolEnv], ToolCall | None]


def _malformed(call: ToolCall, env: ToolEnv) -> ToolCall | None:
    text = json.dumps(call.arguments)
    return ToolCall(call.name, text[: max(1, len(text) // 2)])


def _not_object(call: ToolCall, env: ToolEnv) -> ToolCall | None:
    return ToolCall(call.name, list(call.arguments.values()))


def _wrong_tool(call: ToolCall, env: ToolEnv) -> ToolCall | None:
    return ToolCall(
        call.name.rstrip("s") + "s" if not call.name.endswith("s") else call.name[:-1],
        call.arguments,
    )


def _missing(call: ToolCall, env: ToolEnv) -> ToolCall | None:
    required = [r for r in env.parameters.get("required", []) if r in call.arguments]
    if not required:
        return None
    return ToolCall(call.name, {k: v for k, v in call.arguments.items() if k != required[0]})


def _unexpected(call: ToolCall, env: ToolEnv) -> ToolCall | None:
    if env.parameters.get("additionalProperties", True) is not False:
        return None
    return ToolCall(call.name, {**call.arguments, "verbose": True})


def _wrong_type(call: ToolCall, env: ToolEnv) -> ToolCall | None:
    props = env.parameters.get("properties", {})
    for name, value in call.arguments.items():
        want = props.get(name, {}).get("type")
        if want == "string":
            return ToolCall(call.name, {**call.arguments, name: 12345})
        if want in ("integer", "number"):
            return ToolCall(call.name, {**call.arguments, name: f"{value} units"})
        if want == "boolean":
            return ToolCall(call.name, {**call.arguments, name: "yes"})
    return None


def _wrong_value(call: ToolCall, env: ToolEnv) -> ToolCall | None:
    """A plausible, schema-valid but wrong value, on a write: only the final evaluator can
    tell (the final state differs from the gold)."""
    if env.effect != "write":
        return None
    validator = shared_validator(env.parameters)
    props = env.parameters.get("properties", {})
    for name, value in call.arguments.items():
        for candidate in _alternatives(value, props.get(name, {})):
            args = {**call.arguments, name: candidate}
            if validator.is_valid(args):
                return ToolCall(call.name, args)
    return None


def _alternatives(value: Any, schema: dict[str, Any]) -> list[Any]:
    if isinstance(schema.get("enum"), list):
        return [v for v in schema["enum"] if v != value]
    if isinstance(value, bool):
        return [not value]
    if isinstance(value, int | float):
        return [value + 1, value - 1]
    if isinstance(value, str) and value:
        return [value + "-x", value[:-1] + ("0" if value[-1] != "0" else "1")]
    return []


MUTATIONS: dict[str, tuple[str, Mutation]] = {
    "malformed_json": ("unparseable", _malformed),
    "args_not_object": ("args_not_object", _not_object),
    "wrong_tool": ("unknown_tool", _wrong_tool),
    "missing_argument": ("missing_required", _missing),
    "extra_argument": ("unexpected_parameter", _unexpected),
    "wrong_type": ("type_error", _wrong_type),
    "wrong_value": ("state_mismatch", _wrong_value),  # or another final-evaluator type
}
"""Mutation class -> (the error type that must catch it, how to apply it to a gold call)."""

PREMATURE_ANSWER = "premature_answer"
ANSWERS_WITHOUT_ASKING = "answers_without_asking"
"""Skip every gold message to the user: the facts they get revealed are never asked for."""
WRITES_WITHOUT_CONFIRMATION = "writes_without_confirmation"
"""Skip the gold message that has the user confirm a write, and write."""
CONVERSATION: dict[str, str] = {
    ANSWERS_WITHOUT_ASKING: "hidden_not_asked",
    WRITES_WITHOUT_CONFIRMATION: "write_without_confirmation",
}
"""Mistakes in talking to the user (tasks with a ``user``) -> the error type that catches
them; applied to the gold messages, not to a call."""
ALL_CLASSES = (*MUTATIONS, PREMATURE_ANSWER, *CONVERSATION)


def conversation_classes(task: CompiledTask) -> list[str]:
    """The conversation mistakes that ``task``'s evaluators can catch: not asking, where the
    gold conversation needs hidden facts; writing unconfirmed, where the task checks
    ``confirm_before_write`` and the gold conversation confirms a write."""
    if task.user is None:
        return []
    out = [ANSWERS_WITHOUT_ASKING] if task.user.needs else []
    if checks_confirmation(task) and confirmed_writes(task):
        out.append(WRITES_WITHOUT_CONFIRMATION)
    return out


def checks_confirmation(task: CompiledTask) -> bool:
    return any(getattr(c, "check", None) == "confirm_before_write" for c in task.action_checks)


def applicable(
    task: CompiledTask, call: ToolCall | None, *, expect_error: bool = False
) -> list[str]:
    """Mutation classes that apply to ``call`` (the next gold action, if any), and the
    conversation's (:func:`conversation_classes`), which apply to the task's messages."""
    envs = {e.name: e for e in task.environment}
    out = [PREMATURE_ANSWER] if call is not None else []
    out += conversation_classes(task)
    if call is not None and call.name in envs:
        out += [
            name
            for name, (_, fn) in MUTATIONS.items()
            # a wrong value in a call that is meant to fail fails the same way: not a mistake
            if (mutated := fn(call, envs[call.name])) is not None
            and not (expect_error and name == "wrong_value")
            # a "wrong" name that another offered tool has is a different call, not a typo
            and not (name == "wrong_tool" and mutated.name in envs)
        ]
    return out


class MutantAgent:
    """Gold actions, each mutated with probability ``base + slope * temperature``.

    ``force`` applies one class at the first step it applies to (for tests)."""

    name = "mutant"

    def __init__(self, *, base: float = 0.1, slope: float = 0.6, force: str | None = None) -> None:
        self.base, self.slope, self.force = base, slope, force
        # Which classes apply depends only on the task and the gold step, and every sample
        # of a step asks the same question: answered once (compiled tasks do not change).
        # Bounded: a long run meets each task once or a few times, and kept every answer.
        self._options: Memo[tuple[str, int], list[str]] = Memo(1024)
        self._confirms: Memo[str, frozenset[int]] = Memo(256)  # by task: its confirmed writes

    def act(self, view: AgentView) -> Response:
        gold = view.task.final.gold_actions
        i, due = due_messages(view.task, view.steps)
        if due and not self._skips(view, i, due):
            return view.format.write(answer=due[0])
        call = ToolCall(gold[i].tool, dict(gold[i].args)) if i < len(gold) else None
        choice = self._choose(view, call, i)
        if choice == PREMATURE_ANSWER:
            return view.format.write(answer="All done.")
        if call is None:
            return view.format.write(answer=view.task.final.gold_answer or "Done.")
        if choice is not None:
            env = next(e for e in view.task.environment if e.name == call.name)
            mutated = MUTATIONS[choice][1](call, env)
            if mutated is not None:
                return view.format.write(calls=[mutated])
        return view.format.write(calls=[call])

    def _skips(self, view: AgentView, i: int, due: list[str]) -> bool:
        """Whether to leave out the gold message ``due[0]`` (before gold call ``i``)."""
        task = view.task
        if not any(spoke(s) for s in view.steps) and any(
            m.before < i for m in task.final.gold_messages
        ):
            return True  # it has passed a message without a word to the user: it never asks
        options = []
        classes = self._options_at(view, i)
        if ANSWERS_WITHOUT_ASKING in classes and not any(spoke(s) for s in view.steps):
            options.append(ANSWERS_WITHOUT_ASKING)  # the first message: ask nothing at all
        # the last message due before a write, which has the user confirm it
        if WRITES_WITHOUT_CONFIRMATION in classes and len(due) == 1 and i in self._confirmed(task):
            options.append(WRITES_WITHOUT_CONFIRMATION)
        if self.force is not None:
            already = any(s.score == 0 for s in view.steps)
            return self.force in options and not already
        if not options:
            return False
        return view.rng.random() < self.base + self.slope * view.temperature

    def _confirmed(self, task: CompiledTask) -> frozenset[int]:
        found = self._confirms.get(task.id)
        if found is None:
            found = self._confirms.put(task.id, confirmed_writes(task))
        return found

    def _options_at(self, view: AgentView, step: int) -> list[str]:
        key = (view.task.id, step)
        options = self._options.get(key)
        if options is None:
            gold = view.task.final.gold_actions
            call = ToolCall(gold[step].tool, dict(gold[step].args)) if step < len(gold) else None
            expect_error = step < len(gold) and gold[step].expect_error
            options = self._options.put(key, applicable(view.task, call, expect_error=expect_error))
        return options

    def _choose(self, view: AgentView, call: ToolCall | None, step: int) -> str | None:
        """The mutation class for gold step ``step`` (``call``), or None for the gold."""
        if self.force is None and view.rng.random() >= self.base + self.slope * view.temperature:
            return None  # most samples: no need to know which classes would apply
        options = [c for c in self._options_at(view, step) if c not in CONVERSATION]
        if self.force is not None:
            already = any(s.score == 0 for s in view.steps)
            return self.force if self.force in options and not already else None
        return view.rng.choice(options) if options else None


FINAL_ERRORS = frozenset({"state_mismatch", "diff_assertion", "wrong_answer", "no_answer"})


def caught_by(mutation: str) -> frozenset[str]:
    """Error types any of which counts as catching ``mutation``."""
    if mutation in (PREMATURE_ANSWER, "wrong_value"):
        return FINAL_ERRORS
    if mutation in CONVERSATION:
        return frozenset({CONVERSATION[mutation]})
    return frozenset({MUTATIONS[mutation][0]})


def create(options: AgentOptions) -> MutantAgent:
    return MutantAgent()  # works offline: no option applies
