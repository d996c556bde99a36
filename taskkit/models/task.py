"""The abstract task: one template of work, filled by each entry of a content dataset."""

from __future__ import annotations

from typing import Annotated, Any, Literal, Self

from pydantic import Discriminator, Field, Tag, model_validator

from .checks import ActionCheck, Expect
from .common import DocModel, Model, Name, Template, ToolRef
from .user import GoldMessage, User

__all__ = [
    "CATEGORIES",
    "Faults",
    "Final",
    "GoldAction",
    "GoldStep",
    "Task",
    "TaskTesting",
    "ToolRef",
]

CATEGORIES = ("data", "database", "tools", "entertainment", "sciences")
"""The seed system's categories; packs may use their own lower-case names too."""


class GoldAction(Model):
    """One call of the answer key."""

    tool: ToolRef
    args: dict[str, Any] = {}
    """Arguments (templated over the content entry)."""
    expect_error: bool = False
    """The call is meant to fail (e.g. the store refuses a return); the task then tests
    that the agent reports it."""


def _gold_step_kind(value: Any) -> str:
    if isinstance(value, GoldMessage) or (isinstance(value, dict) and "say" in value):
        return "say"
    return "tool"


GoldStep = Annotated[
    Annotated[GoldAction, Tag("tool")] | Annotated[GoldMessage, Tag("say")],
    Discriminator(_gold_step_kind),
]
"""A gold call, or (in a task with a ``user``) a gold message to the user."""


class Final(Model):
    """The answer key and the final task evaluator."""

    gold_actions: list[GoldStep] = []
    """The gold conversation: calls and (with a ``user``) messages to the user, in order."""
    answer: Template | None = None
    """The gold final answer (templated), given by the replay agent."""
    expect: Expect = Expect()

    @property
    def calls(self) -> list[GoldAction]:
        """The gold calls, without the messages."""
        return [a for a in self.gold_actions if isinstance(a, GoldAction)]

    def indexed_calls(self) -> list[tuple[int, GoldAction]]:
        """The gold calls with their index in ``gold_actions`` (for locations)."""
        return [(i, a) for i, a in enumerate(self.gold_actions) if isinstance(a, GoldAction)]

    @property
    def messages(self) -> list[GoldMessage]:
        """The gold messages to the user, without the calls."""
        return [a for a in self.gold_actions if isinstance(a, GoldMessage)]


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
    user: User | None = None
    """The simulated user of a multi-turn task (none: the user command is all it says)."""
    final: Final
    testing: TaskTesting | None = None
    """Exceptions to the property tests (``taskkit test``, ``pack check``), with a reason."""
    tags: list[str] = []

    @model_validator(mode="after")
    def _messages_need_a_user(self) -> Self:
        if self.user is None and self.final.messages:
            raise ValueError("final.gold_actions has messages (say) but the task has no user")
        return self
