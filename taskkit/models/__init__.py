"""Pydantic models of every document kind: the source of the JSON Schemas in ``schemas/``."""

from __future__ import annotations

from pydantic import BaseModel

from .checks import ActionCheck, AnswerCheck, DiffAssertion, Expect, NumberCheck
from .common import SCHEMA_VERSION, DocModel, Model
from .compiled import CompiledAction, CompiledFinal, CompiledTask, SourceRef, ToolEnv
from .content import Content
from .datasets import DpoRow, SftRow
from .evaluator import Evaluator
from .pack import Pack
from .task import CATEGORIES, Faults, Final, GoldAction, Task
from .toolset import Behavior, Require, Step, Tool, Toolset
from .user import CompiledGoldMessage, CompiledUser, GoldMessage, User

__all__ = [
    "CATEGORIES",
    "KINDS",
    "SCHEMA_VERSION",
    "ActionCheck",
    "AnswerCheck",
    "Behavior",
    "CompiledAction",
    "CompiledFinal",
    "CompiledGoldMessage",
    "CompiledTask",
    "CompiledUser",
    "Content",
    "DiffAssertion",
    "DocModel",
    "DpoRow",
    "Evaluator",
    "Expect",
    "Faults",
    "Final",
    "GoldAction",
    "GoldMessage",
    "Model",
    "NumberCheck",
    "Pack",
    "Require",
    "SftRow",
    "SourceRef",
    "Step",
    "Task",
    "Tool",
    "ToolEnv",
    "Toolset",
    "User",
]

KINDS: dict[str, type[DocModel]] = {
    "pack": Pack,
    "toolset": Toolset,
    "task": Task,
    "content": Content,
    "evaluator": Evaluator,
}
"""Document kind -> model. The one table the loader dispatches on."""

SCHEMA_FILES: dict[str, type[BaseModel]] = {
    **{f"{kind}.schema.json": model for kind, model in KINDS.items()},
    "compiled-task.schema.json": CompiledTask,
    "sft-row.schema.json": SftRow,
    "dpo-row.schema.json": DpoRow,
}
