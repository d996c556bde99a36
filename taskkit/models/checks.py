"""Evaluator checks: per-action (intermediate) and final (gold state and answer)."""

from __future__ import annotations

from typing import Annotated, Any, Literal, Self

from pydantic import AfterValidator, Field, model_validator

from ..text.normalisations import NORMALISATIONS
from .common import Model

__all__ = [
    "ActionCheck",
    "AnswerCheck",
    "ArgValues",
    "CallBudget",
    "ConfirmBeforeWrite",
    "DiffAssertion",
    "Expect",
    "ForbiddenText",
    "ForbiddenTools",
    "NoRepeatedCalls",
    "NormaliseStep",
    "NumberCheck",
    "Order",
    "ReadOnly",
]


class NoRepeatedCalls(Model):
    """Fails a step that repeats an earlier call with identical arguments (a retry after a
    tool fault does not count)."""

    check: Literal["no_repeated_calls"]


class CallBudget(Model):
    """Fails every call past the ``max``-th."""

    check: Literal["call_budget"]
    max: Annotated[int, Field(ge=1)]


class ForbiddenTools(Model):
    """Fails a step that calls one of ``tools`` (e.g. a distractor that writes)."""

    check: Literal["forbidden_tools"]
    tools: list[str]


class ReadOnly(Model):
    """Fails a step that calls any tool whose effect is ``write``."""

    check: Literal["read_only"]


class ArgValues(Model):
    """When the agent calls ``tool``, the listed arguments must have these values."""

    check: Literal["arg_values"]
    tool: str
    args: dict[str, Any]
    """Expected values (templated); strings compare case- and space-insensitively."""


class Order(Model):
    """``first`` must have been called before any call of ``then``."""

    check: Literal["order"]
    first: str
    then: str


class ConfirmBeforeWrite(Model):
    """In a task with a ``user``: fails a write call made before any confirmation turn (a
    fired ``confirm`` trigger: the agent asked, the user said yes)."""

    check: Literal["confirm_before_write"]


class ForbiddenText(Model):
    """Fails a step whose message (the answer, or the text sent with calls) holds one of
    ``contains`` (case-insensitive) or matches ``regex``: data the agent must not disclose
    or ask for."""

    check: Literal["forbidden_text"]
    contains: list[Annotated[str, Field(min_length=1)]] = []
    """Case-insensitive substrings (templated)."""
    regex: str | None = None
    """A safe regex (:mod:`taskkit.text.saferegex`)."""

    @model_validator(mode="after")
    def _some(self) -> Self:
        if not self.contains and self.regex is None:
            raise ValueError("forbidden_text needs contains or regex")
        return self


ActionCheck = Annotated[
    NoRepeatedCalls
    | CallBudget
    | ForbiddenTools
    | ReadOnly
    | ArgValues
    | Order
    | ConfirmBeforeWrite
    | ForbiddenText,
    Field(discriminator="check"),
]


class NumberCheck(Model):
    value: float | int | str
    """Expected number (templated)."""
    tolerance: Annotated[float, Field(ge=0)] = 1e-6
    """Absolute tolerance."""
    rel_tolerance: Annotated[float, Field(ge=0)] = 0.0
    """Relative tolerance, e.g. 0.01 for 1 %."""


def _known_normalisation(name: str) -> str:
    if name not in NORMALISATIONS:
        raise ValueError(
            f"unknown normalisation {name!r} (one of {', '.join(NORMALISATIONS)}, "
            "or {strip: [...]})"
        )
    return name


class StripStep(Model):
    """Delete every occurrence of each of these substrings (e.g. ``[","]``)."""

    strip: Annotated[list[str], Field(min_length=1)]


NormaliseStep = (
    Annotated[
        str,
        AfterValidator(_known_normalisation),
        Field(json_schema_extra={"enum": list(NORMALISATIONS)}),
    ]
    | StripStep
)
"""A name of :data:`taskkit.text.normalisations.NORMALISATIONS`, or ``{strip: [...]}``."""


class AnswerCheck(Model):
    """Checks on the agent's final answer, after normalisation (by default: case, spaces,
    punctuation at the ends, thousands separators). All given checks must hold."""

    contains: list[str] = []
    """Every one of these must occur in the answer."""
    not_contains: list[str] = []
    equals: str | None = None
    regex: str | None = None
    number: NumberCheck | None = None
    """Some number in the answer must be within tolerance of this one."""
    normalize: list[NormaliseStep] | None = None
    """Normalisation steps applied, in order, to the answer and the expected strings before
    ``contains``, ``not_contains`` and ``equals`` compare them (``raw``: none). Not given:
    the default normalisation (NFKC, case-folded, thousands separators and edge punctuation
    removed, spaces folded)."""
    scope: Literal["final", "any"] = "final"
    """``final``: the final answer is checked; ``any``: every assistant message of the
    episode (the final answer and the text sent with tool calls): each ``contains`` string,
    the ``equals``, ``regex`` and ``number`` must hold in some message, and no message may
    hold a ``not_contains`` string."""

    @model_validator(mode="after")
    def _raw_alone(self) -> Self:
        names = [s for s in self.normalize or [] if isinstance(s, str)]
        if "raw" in names and len(self.normalize or []) > 1:
            raise ValueError("'raw' means no normalisation: list it alone")
        return self

    @model_validator(mode="after")
    def _some(self) -> Self:
        if not (self.contains or self.not_contains or self.equals or self.regex or self.number):
            raise ValueError(
                "an answer check needs contains, not_contains, equals, regex or number"
            )
        return self


TemplatedCount = Annotated[int, Field(ge=0)] | Annotated[str, Field(pattern=r"\{\{.*\}\}")]
"""A count, or a template that renders to one (checked again after rendering)."""


class DiffAssertion(Model):
    """An assertion on the state diff between the initial and final state."""

    collection: str
    added: TemplatedCount | None = None
    removed: TemplatedCount | None = None
    changed: TemplatedCount | None = None


class Expect(Model):
    """What the final task evaluator requires."""

    state: Literal["matches_gold", "ignore"] = "matches_gold"
    """``matches_gold``: the final state must equal the gold state (initial state with the
    gold actions replayed), except the ``ignore`` paths."""
    ignore: list[str] = []
    """Dotted paths to leave out of the comparison; ``*`` matches any key or index, e.g.
    ``viewings.*.created_at``."""
    diff: list[DiffAssertion] = []
    answer: AnswerCheck | None = None
    types: Literal["json", "strict"] = "json"
    """How the state comparison compares values: ``json``: as JSON does (``1`` equals
    ``1.0``; a boolean equals only a boolean); ``strict``: an integer never equals a float
    either (as a benchmark that hashes the state by value and type sees them)."""
