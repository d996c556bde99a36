"""The compiled form: one abstract task filled with one content entry, ready to run.

A :class:`CompiledTask` carries everything an episode needs -- the rendered user command,
the tools in the OpenAI function-calling shape, their simulated behaviour, the initial and
gold states, the checks -- so that consumers need neither the YAML sources nor taskkit's
loader.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, PrivateAttr

from .checks import ActionCheck, Expect
from .common import Model
from .task import Faults
from .toolset import Behavior
from .user import CompiledGoldMessage, CompiledUser

__all__ = ["CompiledAction", "CompiledFinal", "CompiledTask", "SourceRef", "ToolEnv"]


class SourceRef(Model):
    path: str
    line: int


class ToolEnv(Model):
    """How the simulator runs one offered tool."""

    name: str
    ref: str
    """The ``toolset.tool`` reference it was compiled from."""
    effect: Literal["read", "write"]
    parameters: dict[str, Any]
    behavior: Behavior | None = None
    terminal: bool = False
    """A successful call ends the episode."""
    pack_root: str | None = None
    """For a tool with a Python handler: the folder of the declaring pack, whose
    ``handlers/`` holds the handler's module (``None``: the module is on the Python path)."""
    pack: str | None = None
    """The pack whose toolset declares the tool: its handler runs only when the person
    running trusts that pack (``None`` in files compiled before this field existed)."""


class CompiledAction(Model):
    tool: str
    args: dict[str, Any]
    expect_error: bool = False


class CompiledFinal(Model):
    gold_actions: list[CompiledAction]
    gold_answer: str | None = None
    gold_messages: list[CompiledGoldMessage] = []
    """The gold conversation's messages to the user, each placed before a gold call."""
    expect: Expect
    gold_state: dict[str, Any] = {}
    """The initial state with the gold actions replayed. In a compiled file, a task with a
    ``world`` stores ``gold_state_patch`` instead."""
    gold_state_patch: list[dict[str, Any]] | None = None
    """Only in compiled files: the gold state as a JSON Patch (RFC 6902) against the initial
    state; loading applies it and clears this field."""
    gold_observations: list[Any]
    """What each gold action returned."""


class CompiledTask(Model):
    """One runnable task instance."""

    # pydantic's JSON string cache (16,384 strings a process) filled with the values of
    # the tasks a long run parses one after another (ids, texts): about 1.4 MiB more at
    # 20,000 tasks than at 1,000, in the driver and in every worker. Keys repeat; values
    # seldom do.
    model_config = Model.model_config | {"cache_strings": "keys"}

    schema_version: Literal[1] = 1
    id: str
    """``pack/task@version#entry``."""
    pack: str
    pack_version: str
    task: str
    task_version: int
    entry: str
    category: str
    difficulty: str
    title: str = ""
    source: dict[str, SourceRef]
    """Where the abstract task (``task``) and the content entry (``entry``) are written."""
    system_prompt: str | None = None
    user_command: str
    tools: list[dict[str, Any]]
    """Offered tools, ``{"type": "function", "function": {name, description, parameters}}``."""
    environment: list[ToolEnv]
    initial_state: dict[str, Any]
    """The world state at the start, in full. In a compiled file, a task with a ``world``
    stores only its own collections here (``null``: a world collection it removes)."""
    world: str | None = None
    """SHA-256 of the pack's shared world (:mod:`taskkit.worlds`) the initial state starts
    from; a compiled file keeps it once, as ``worlds/<sha256>.json`` beside the file."""
    max_turns: int
    user: CompiledUser | None = None
    """The simulated user (none: a single-command task)."""
    faults: Faults | None = None
    action_checks: list[ActionCheck]
    final: CompiledFinal
    content_hash: str
    """SHA-256 of the task, tool and entry sources this instance was compiled from."""
    _world_data: dict[str, Any] | None = PrivateAttr(default=None)
    """The shared world itself (never serialised): what a compiled file stores once."""
    pack_trusted: bool = Field(default=False, exclude=True)
    """Ignored: read so that older files still load, never written. Trust is decided by
    whoever runs the task (``--trust PACK``), not by the file."""
