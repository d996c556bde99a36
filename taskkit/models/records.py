"""The records taskkit writes of episodes: one declaration of each record's keys.

- :class:`TrajectoryRecord`: one line of ``taskkit run``'s trajectories (an episode played
  once per step, or one that failed);
- :class:`ExploredRecord`: one line of ``taskkit generate``'s ``trajectories.jsonl`` (an
  episode explored with k samples a step), what the SFT and DPO exports are rebuilt from;
- :class:`EpisodeSummary`: what a pass-rate report (``report``, ``run --report``,
  ``generate``'s ``report.json``) counts of one episode.

They are TypedDicts, not models: the simulator builds one step entry per sample of every step,
and a dict costs nothing more than it did; mypy checks every key written and read. Their JSON
Schemas (``schemas/trajectory.schema.json``...) come from pydantic's ``TypeAdapter`` and are
closed (``additionalProperties: false``): a writer that adds a key must declare it here.
Nothing validates records on the hot path; the schemas are for readers outside taskkit and
for the test that checks real records against them.
"""

from __future__ import annotations

from typing import Any, NotRequired, final

from pydantic import ConfigDict, with_config
from typing_extensions import TypedDict

__all__ = [
    "RECORD_SCHEMAS",
    "CallEntry",
    "EpisodeRecord",
    "EpisodeSummary",
    "ExploredRecord",
    "ExploredStep",
    "FailureEntry",
    "FinalEntry",
    "FindingEntry",
    "HeadMessage",
    "RecordHead",
    "RunSettings",
    "SampleEntry",
    "StepEntry",
    "TrajectoryRecord",
    "UserEntry",
]

_CLOSED = ConfigDict(extra="forbid")


@with_config(_CLOSED)
class FindingEntry(TypedDict):
    """An error a verifier or an evaluator found."""

    type: str
    message: str


@with_config(_CLOSED)
class CallEntry(TypedDict):
    """One tool call of a step, verified and (when it verified) executed."""

    name: str
    arguments: Any
    """As parsed (a call that failed verification), or as verified and run."""
    verified: bool
    error_type: str | None
    """The verification error type, or the tool's error type / ``fault:<kind>``."""
    observation: str
    findings: list[FindingEntry]


@with_config(_CLOSED)
class UserEntry(TypedDict):
    """The simulated user's reply to a step's message (multi-turn tasks)."""

    text: str | None
    turn: str | None
    """The id of the scripted turn that answered, if any."""
    reveals: list[str]
    stop: bool


@final
@with_config(_CLOSED)
class StepEntry(TypedDict):
    """One scored step: the agent's response, its calls, and what they earned."""

    index: int
    response: Any
    """The agent's raw response: text, or an API message (kept as far as it is JSON)."""
    thought: str | None
    answer: str | None
    calls: list[CallEntry]
    score: int
    errors: list[FindingEntry]
    user: NotRequired[UserEntry]
    """Present when the step's message went to the simulated user."""


@with_config(_CLOSED)
class FinalEntry(TypedDict):
    """The final task evaluator's verdict."""

    score: int
    errors: list[FindingEntry]
    diff: dict[str, Any]


@with_config(_CLOSED)
class FailureEntry(TypedDict):
    """Why an episode ended without a result (the agent raised, timed out, its server failed)."""

    kind: str
    reason: str


@with_config(_CLOSED)
class RunSettings(TypedDict, total=False):
    """How a run was made (``run.json``, every record's ``settings``, the report). The CLI
    records every key; a caller of the API records what it gives (maybe nothing)."""

    model: str | None
    base_url: str | None
    agent: str
    format: str
    seed: int
    temperature: float | list[float]
    samples: int | None
    user: dict[str, Any]
    """The simulated user's choice (``{"kind": "scripted"}`` by default)."""
    taskkit_version: str
    created: str | None
    """When the run first started (``None``: a caller of the API that did not say)."""


class RecordHead(TypedDict):
    """What every record of an episode says, played, explored or failed."""

    task_id: str
    pack: str
    category: str
    task: str
    format: str
    action_scores: list[int]
    task_score: int


@final
@with_config(_CLOSED)
class TrajectoryRecord(RecordHead):
    """One episode of ``taskkit run`` (or of :meth:`Episode.record <taskkit.sim.episode.
    Episode.record>`). A failed episode has ``failed`` and ``passed`` and none of the
    episode's own keys (``steps`` to ``final_state``)."""

    run_seed: int
    steps: NotRequired[list[StepEntry]]
    answer: NotRequired[str | None]
    ended_by: NotRequired[str | None]
    """``answer``, ``empty_answer``, ``user_stop``, ``max_turns``, ``terminal:TOOL``, ``finish``."""
    user: NotRequired[dict[str, Any] | None]
    """Who played the user (its settings), ``None`` for a single-command task."""
    final: NotRequired[FinalEntry | None]
    final_state_patch: NotRequired[list[dict[str, Any]]]
    """The final state as a JSON Patch against the task's initial state..."""
    final_state: NotRequired[dict[str, Any]]
    """...or in full (``--full-state``)."""
    repeat: NotRequired[int]
    agent: NotRequired[str]
    settings: NotRequired[RunSettings]
    failed: NotRequired[FailureEntry]
    passed: NotRequired[bool]


@with_config(_CLOSED)
class HeadMessage(TypedDict):
    """A message of the conversation before the agent's first step."""

    role: str
    content: str


@with_config(_CLOSED)
class SampleEntry(TypedDict):
    """One of a step's k samples, scored on its own copy of the state."""

    index: int
    temperature: float
    passed: bool
    step: StepEntry
    ends_episode: bool
    final: FinalEntry | None
    """The final verdict, when the sample ended the episode."""


@final
@with_config(_CLOSED)
class ExploredStep(TypedDict):
    """One explored step: every sample, and which one the episode went on with."""

    index: int
    samples: list[SampleEntry]
    chosen: int


@final
@with_config(_CLOSED)
class ExploredRecord(RecordHead):
    """One episode of ``taskkit generate``. A failed episode has ``failed`` and none of the
    exploration's keys (``head`` to ``final_state_patch``)."""

    seed: int
    passed: bool
    head: NotRequired[list[HeadMessage]]
    tools: NotRequired[list[dict[str, Any]]]
    arguments: NotRequired[str]
    """How the rows write call arguments: ``object`` or ``string``."""
    steps: NotRequired[list[ExploredStep]]
    chosen_steps: NotRequired[list[StepEntry]]
    """The chosen sample's step of every step (the path the episode took)."""
    answer: NotRequired[str | None]
    ended_by: NotRequired[str | None]
    user: NotRequired[dict[str, Any] | None]
    final: NotRequired[FinalEntry | None]
    final_state_patch: NotRequired[list[dict[str, Any]]]
    repeat: NotRequired[int]
    settings: NotRequired[RunSettings]
    failed: NotRequired[FailureEntry]


@final
@with_config(_CLOSED)
class EpisodeSummary(TypedDict):
    """What a pass-rate report counts of one episode."""

    task_id: str
    pack: str
    category: str
    task: str
    action_scores: list[int]
    task_score: int
    error_types: list[str]
    """Every error type the episode's steps (every sample's) and final verdict found."""
    repeat: NotRequired[int]
    settings: NotRequired[RunSettings | None]
    failed: NotRequired[FailureEntry]


EpisodeRecord = TrajectoryRecord | ExploredRecord
"""A line of a trajectories file, of ``run`` or of ``generate`` (told apart by ``"samples"``
in a step, or ``run_seed`` / ``seed``)."""


RECORD_SCHEMAS: dict[str, type] = {
    "trajectory.schema.json": TrajectoryRecord,
    "explored.schema.json": ExploredRecord,
    "episode-summary.schema.json": EpisodeSummary,
}
"""Schema file -> record type, exported with the document schemas (``taskkit schema export``,
through a pydantic ``TypeAdapter`` built there: not at import, where no one needs it)."""
