"""Hypothesis strategies built from taskkit's schemas, for pack authors and for taskkit's own
tests alike.

- :func:`entries`: content entries from a dataset's ``fields`` schema, each with an ``id``;
- :func:`valid_calls` / :func:`invalid_calls`: tool-call arguments from a tool's
  ``parameters``, valid, or broken into exactly one of the verifier's error classes;
- :func:`gold_mutations`: a mutation class of the ``mutant`` agent and the gold step it hits;
- :func:`documents`: whole valid documents of any kind.

Example::

    from hypothesis import given
    from taskkit.testing.strategies import entries

    @given(entries({"type": "object", "properties": {"city": {"type": "string"}}}))
    def test_city_renders(entry): ...
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple

from hypothesis import strategies as st

from ..agents.conversation import confirmed_writes
from ..agents.mutant import (
    ANSWERS_WITHOUT_ASKING,
    CONVERSATION,
    MUTATIONS,
    WRITES_WITHOUT_CONFIRMATION,
    applicable,
    caught_by,
    conversation_classes,
)
from ..models import CompiledTask
from ..schema.validate import compile_trusted
from ..sim.verify import ToolCall
from ._documents import document_strategy
from ._invalid import DROP, INVALID_KINDS, breakers
from ._schema import schema_strategy

__all__ = [
    "INVALID_KINDS",
    "MutationCase",
    "documents",
    "entries",
    "gold_mutations",
    "invalid_calls",
    "invalid_kinds",
    "mutation_cases",
    "valid_calls",
]

# (built from characters, not a regex: regex strategies are slow to draw from)
_IDS = st.builds(
    str.__add__,
    st.sampled_from("abcdefghijklmnopqrstuvwxyz"),
    st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-", max_size=11),
)


def entries(
    fields: Mapping[str, Any], *, ids: st.SearchStrategy[str] | None = None
) -> st.SearchStrategy[dict[str, Any]]:
    """Content entries valid against ``fields``, each with a string ``id`` (first).

    Values come from hypothesis-jsonschema, and are kept only when taskkit's own validator
    agrees they are valid: an entry lint would reject (TK401) is never generated.
    """
    validator = compile_trusted(fields)
    data = schema_strategy(fields).filter(lambda d: isinstance(d, dict) and validator.is_valid(d))
    return st.builds(_with_id, data, ids if ids is not None else _IDS)


def _with_id(data: dict[str, Any], entry_id: str) -> dict[str, Any]:
    return {"id": entry_id, **{k: v for k, v in data.items() if k != "id"}}


def valid_calls(parameters: Mapping[str, Any]) -> st.SearchStrategy[dict[str, Any]]:
    """Argument objects a tool with these ``parameters`` accepts."""
    return schema_strategy(parameters).filter(lambda a: isinstance(a, dict))


def invalid_kinds(parameters: Mapping[str, Any]) -> tuple[str, ...]:
    """The error classes :func:`invalid_calls` can produce for ``parameters``."""
    found = breakers(parameters)
    return tuple(k for k in INVALID_KINDS if k in found)


def invalid_calls(parameters: Mapping[str, Any], kind: str) -> st.SearchStrategy[dict[str, Any]]:
    """Argument objects whose first verification error is ``kind``: a valid call with one
    parameter removed, added or given a bad value.

    Raises:
        ValueError: ``kind`` is not a class ``parameters`` can be broken into (see
            :func:`invalid_kinds`).
    """
    found = breakers(parameters)
    if kind not in found:
        possible = ", ".join(invalid_kinds(parameters)) or "none"
        raise ValueError(f"these parameters cannot give {kind!r}; possible: {possible}")
    return st.builds(_broken, valid_calls(parameters), found[kind])


def _broken(args: dict[str, Any], change: tuple[str, Any]) -> dict[str, Any]:
    name, value = change
    out = {k: v for k, v in args.items() if k != name}
    if value is not DROP:
        out[name] = value
    return out


class MutationCase(NamedTuple):
    """One mistake to make: ``mutation`` at gold step ``step``, to be caught by one of
    ``expected`` (error types)."""

    mutation: str
    step: int
    expected: frozenset[str]


def mutation_cases(task: CompiledTask) -> list[MutationCase]:
    """Every (mutation class, gold step) that applies to ``task``, in order."""
    offered = {e.name for e in task.environment}
    writes = {e.name for e in task.environment if e.effect == "write"}
    gold = task.final.gold_actions
    cases = []
    for step, action in enumerate(gold):
        call = ToolCall(action.tool, dict(action.args))
        env = next((e for e in task.environment if e.name == action.tool), None)
        for mutation in applicable(task, call, expect_error=action.expect_error):
            if mutation in CONVERSATION:
                continue  # made on the messages, not at each call: below
            if (
                mutation == "premature_answer"
                and task.final.expect.answer is None
                and not any(a.tool in writes for a in gold[step:])
            ):
                continue  # only reads are left and nothing is asked of the answer: not premature
            if mutation == "wrong_tool" and env is not None:
                mutated = MUTATIONS[mutation][1](call, env)
                if mutated is not None and mutated.name in offered:
                    continue  # the "typo" is another offered tool: not an unknown-tool mistake
            cases.append(MutationCase(mutation, step, caught_by(mutation)))
    return cases + _conversation_cases(task)


def _conversation_cases(task: CompiledTask) -> list[MutationCase]:
    """Not asking, from the first gold message on; skipping each confirmation of a write."""
    classes = conversation_classes(task)
    cases = []
    if ANSWERS_WITHOUT_ASKING in classes and task.final.gold_messages:
        first = task.final.gold_messages[0].before
        cases.append(MutationCase(ANSWERS_WITHOUT_ASKING, first, caught_by(ANSWERS_WITHOUT_ASKING)))
    if WRITES_WITHOUT_CONFIRMATION in classes:
        expected = caught_by(WRITES_WITHOUT_CONFIRMATION)
        cases += [
            MutationCase(WRITES_WITHOUT_CONFIRMATION, step, expected)
            for step in sorted(confirmed_writes(task))
        ]
    return cases


def gold_mutations(task: CompiledTask) -> st.SearchStrategy[MutationCase]:
    """A mutation class and the gold step it is applied to (nothing, for a task without
    gold actions)."""
    cases = mutation_cases(task)
    return st.sampled_from(cases) if cases else st.nothing()


def documents(kind: str) -> st.SearchStrategy[dict[str, Any]]:
    """Whole documents of ``kind`` (``pack``, ``toolset``, ``task``, ``content``,
    ``evaluator``) that validate against their model: the data a YAML file holds."""
    return document_strategy(kind)
