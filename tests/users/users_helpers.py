"""Helpers of the simulated-user tests: the small multi-turn pack beside them (``packs/``),
compiled, and copies of it with a change, for the cases that must fail.

Not a ``conftest.py``: the test folders have no ``__init__.py`` (see
tests/packs/packs_helpers.py)."""

from __future__ import annotations

import functools
import shutil
from pathlib import Path
from typing import Any

from taskkit.compiler import CompileResult, compile_paths
from taskkit.models import CompiledTask
from taskkit.models.user import CompiledTurn
from taskkit.sim.episode import Episode, StepRecord
from taskkit.sim.verify import ToolCall

PACKS = Path(__file__).resolve().parent / "packs"
TASK = PACKS / "shop" / "tasks" / "change_address.yaml"


@functools.cache
def _compiled() -> tuple[CompiledTask, ...]:
    result = compile_paths([PACKS])
    assert result.ok, [d.text() for d in result.diagnostics]
    return tuple(result.tasks)


def compiled(task: str = "change_address", entry: str = "move-1") -> CompiledTask:
    """One instance of the test pack, compiled once per session."""
    return next(t for t in _compiled() if t.task == task and t.entry == entry)


def changed_pack(tmp_path: Path, *edits: tuple[str, str], task: Path = TASK) -> Path:
    """A copy of the test pack with each ``(old, new)`` replaced in ``task``'s file."""
    root = tmp_path / "packs"
    shutil.copytree(PACKS, root)
    path = root / task.relative_to(PACKS)
    text = path.read_text()
    for old, new in edits:
        assert old in text, old
        text = text.replace(old, new)
    path.write_text(text)
    return root


def compile_changed(tmp_path: Path, *edits: tuple[str, str]) -> CompileResult:
    return compile_paths([changed_pack(tmp_path, *edits)])


def with_user(task: CompiledTask, *turns: dict[str, Any], **fields: Any) -> CompiledTask:
    """``task`` with its user's turns (and any other user field) replaced: each turn a dict
    as authored, ``{"id": ..., "when": {...}, "say": ...}``."""
    assert task.user is not None
    user = task.user.model_copy(
        update={"turns": [CompiledTurn.model_validate(t) for t in turns], **fields}
    )
    return task.model_copy(update={"user": user})


def say(episode: Episode, text: str) -> StepRecord:
    """The agent sends ``text`` to the user (a message without calls)."""
    return episode.advance(episode.format.write(answer=text))


def call(episode: Episode, tool: str, **args: Any) -> StepRecord:
    return episode.advance(episode.format.write(calls=[ToolCall(tool, args)]))


def heard(step: StepRecord) -> str | None:
    """What the user answered to the step (``None``: nothing, or it was not asked)."""
    return step.user.text if step.user is not None else None
