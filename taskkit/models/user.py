"""The simulated user: who the agent talks to in a multi-turn task, authored and compiled.

A task's ``user`` block gives the user a goal, facts only the user knows (``hidden``) and
scripted ``turns``: replies sent when a trigger matches the agent's message to the user.
Its gold conversation is ``final.gold_actions`` with messages (``{say: ...}``) between the
calls. Compiled, the same fields are rendered and the gold messages are kept apart from the
calls (:class:`CompiledGoldMessage`), so that every consumer of the calls is unchanged.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, Self

from pydantic import Field, SerializerFunctionWrapHandler, model_serializer, model_validator

from .common import Model, Name, Template, ToolRef

__all__ = [
    "CONFIRM_PHRASES",
    "AfterCall",
    "CompiledAfterCall",
    "CompiledGoldMessage",
    "CompiledTrigger",
    "CompiledTurn",
    "CompiledUser",
    "GoldMessage",
    "Trigger",
    "Turn",
    "User",
]

CONFIRM_PHRASES: tuple[str, ...] = (
    "confirm",
    "proceed",
    "shall i",
    "should i",
    "go ahead",
    "is that ok",
    "is that correct",
    "do you want me to",
)
"""What counts as asking for confirmation (a ``confirm: true`` trigger): the one list."""

TRIGGER_KINDS = ("asks", "asks_regex", "reply", "after_call", "confirm")
"""The keys of a ``when:``, of which a turn gives exactly one."""


class CompiledAfterCall(Model):
    tool: str
    """The bare tool name, once compiled."""
    ok: bool = True
    """``true``: a call succeeded; ``false``: one failed (an error or an injected fault)."""


class AfterCall(CompiledAfterCall):
    """Since the user's previous reply, a call of ``tool`` succeeded (or failed)."""

    tool: ToolRef
    """``toolset.tool``, one of the task's offered tools."""


class CompiledTrigger(Model):
    """When a turn fires: exactly one of the keys."""

    model_config = Model.model_config | {
        "json_schema_extra": {"minProperties": 1, "maxProperties": 1}
    }

    asks: Annotated[list[Annotated[str, Field(min_length=1)]], Field(min_length=1)] | None = None
    """Any of these phrases occurs in the agent's message (case-insensitive, on word
    boundaries)."""
    asks_regex: str | None = None
    """A safe regex (:mod:`taskkit.text.saferegex`) searches the agent's message."""
    reply: Annotated[int, Field(ge=1)] | None = None
    """The agent's Nth message to the user (1-based; the user command is not one)."""
    after_call: CompiledAfterCall | None = None
    confirm: Literal[True] | Annotated[list[str], Field(min_length=1)] | None = None
    """The agent asks for confirmation: ``true`` (the default phrases) or the phrases."""

    @model_validator(mode="after")
    def _exactly_one(self) -> Self:
        given = [k for k in TRIGGER_KINDS if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError(
                f"a trigger has exactly one of {', '.join(TRIGGER_KINDS)} (got "
                f"{', '.join(given) or 'none'})"
            )
        return self

    @model_serializer(mode="wrap")
    def _one_key(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        # written as authored: the one key given, not four nulls beside it
        return {k: v for k, v in handler(self).items() if v is not None}

    @property
    def kind(self) -> str:
        """The trigger's one key."""
        return next(k for k in TRIGGER_KINDS if getattr(self, k) is not None)


class Trigger(CompiledTrigger):
    after_call: AfterCall | None = None


class CompiledTurn(Model):
    id: Name
    when: CompiledTrigger
    say: str
    reveals: list[Name] = []
    once: bool = True
    stop: bool = False


class Turn(CompiledTurn):
    """One scripted reply of the user."""

    id: Name
    """Unique in the task."""
    when: Trigger
    """Exactly one trigger key."""
    say: Template
    """What the user says (templated over the entry and ``hidden``)."""
    reveals: list[Name] = []
    """The hidden facts this message discloses."""
    once: bool = True
    """Fires at most once."""
    stop: bool = False
    """The user says this and ends the conversation."""


def _unique_turns(turns: list[CompiledTurn]) -> None:
    seen: set[str] = set()
    for turn in turns:
        if turn.id in seen:
            raise ValueError(f"turn id {turn.id!r} is used twice")
        seen.add(turn.id)


class User(Model):
    """The simulated user of a multi-turn task."""

    persona: Template | None = None
    goal: Template
    """What the user wants (for a model-backed user's prompt, and the reader)."""
    hidden: dict[Name, Template] = {}
    """Fact id -> fact text: what only the user knows, revealed when a turn says so."""
    turns: list[Turn] = []
    """Tried in order each time the agent sends a message without tool calls."""
    otherwise: Template = "stop"
    """No turn fires: ``stop`` (the user is done) or a message to send."""
    max_replies: Annotated[int, Field(ge=1)] | None = None
    """At most this many user replies; then the user stops."""

    @model_validator(mode="after")
    def _unique(self) -> Self:
        _unique_turns(list(self.turns))
        return self


class CompiledUser(Model):
    persona: str | None = None
    goal: str
    hidden: dict[str, str] = {}
    turns: list[CompiledTurn] = []
    otherwise: str = "stop"
    max_replies: int | None = None
    needs: list[str] = []
    """The hidden facts the gold conversation gets revealed (the scripted user run against
    the gold messages at compile time): an episode that never has them revealed fails."""


class GoldMessage(Model):
    """A message of the gold conversation to the user, between gold calls."""

    say: Template


class CompiledGoldMessage(Model):
    """The agent says ``text`` to the user before gold call number ``before`` (0-based;
    ``len(gold_actions)``: after the last call, before the gold answer)."""

    before: Annotated[int, Field(ge=0)]
    text: str
