"""The abstract task: one template of work, filled by each entry of a content dataset."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field

from .checks import ActionCheck, Expect
from .common import DocModel, Model, Name, Template

__all__ = ["CATEGORIES", "Faults", "Final", "GoldAction", "Task", "TaskTesting", "ToolRef"]

CATEGORIES = ("data", "database", "tools", "entertainment", "sciences")
"""The seed system's categories; packs may use their own lower-case names too."""

ToolRef = Annotated[
    str,
    Field(
        pattern=r"^(?:[a-z][a-z0-9_]*(?:[-.][a-z0-9_]+)*/)?[a-z][a-z0-9_-]*\.[A-Za-z_][A-Za-z0-9_-]*$"
    ),
]
"""``toolset.tool``, or ``pack/toolset.tool`` for another pack's toolset."""


class GoldAction(Model):
    """One call of the answer key."""

    tool: ToolRef
    args: dict[str, Any] = {}
    """Arguments (templated over the content entry)."""
    expect_error: bool = False
    """The call is meant to fail (e.g. the store refuses a return); the task then tests
    that the agent reports it."""


class Final(Model):
    """The answer key and the final task evaluator."""

    gold_actions: list[GoldAction] = []
    answer: Template | None = None
    """The gold final answer (templated), given by the replay agent."""
    expect: Expect = Expect()


class Faults(Model):
    """Seeded fault injection: tools fail at ``rate`` so agents learn to recover."""

    rate: Annotated[float, Field(ge=0, le=1)]
    kinds: list[Literal["error", "timeout", "rate_limit"]] = ["error", "timeout", "rate_limit"]
    tools: list[str] | None = None
    """Only these tools fail (default: all offered tools): ``toolset.tool`` references in a
    task, bare tool names once compiled."""
    seed: int = 0


class TaskTesting(Model):
    """Declared exceptions to the properties ``taskkit test`` checks, each with its reason."""

    allow: Annotated[list[Literal["noop_passes"]], Field(min_length=1)]
    """``noop_passes``: an agent that does nothing may score 1 (e.g. a benchmark task whose
    right outcome is to change nothing); reported as allowed instead of failing."""
    reason: Annotated[str, Field(min_length=1)]
    """Why, for the reader of the test report (shown with the exception)."""


class Task(DocModel):
    """An abstract task."""

    kind: Literal["task"]
    id: Name
    """Unique within the pack; the compiled id is ``pack/id@version#entry``."""
    version: Annotated[int, Field(ge=1)]
    """Bump on every change of meaning, so results stay comparable."""
    title: str = ""
    description: str = ""
    category: Name
    """``data``, ``database``, ``tools``, ``entertainment``, ``sciences``, or the pack's own."""
    difficulty: Literal["easy", "medium", "hard"]
    tools: Annotated[list[ToolRef], Field(min_length=1)]
    """Tools the agent is offered (``toolset.tool``)."""
    distractors: list[ToolRef] = []
    """Offered too, but not needed: realistic noise the agent should ignore."""
    content: str
    """Content dataset that fills the templates (``name`` or ``pack/name``)."""
    system_prompt: Template | None = None
    user_command: Template
    """The user's request (templated over the content entry)."""
    initial_state: dict[str, Any] = {}
    """The world state at the start: named collections of records (templated)."""
    max_turns: Annotated[int, Field(ge=1, le=100)] = 10
    faults: Faults | None = None
    action_checks: list[ActionCheck] = []
    evaluators: list[str] = []
    """Reusable evaluators (kind ``evaluator``) whose checks apply too."""
    final: Final
    testing: TaskTesting | None = None
    """Exceptions to the property tests (``taskkit test``, ``pack check``), with a reason."""
    tags: list[str] = []
