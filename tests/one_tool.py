"""A compiled task offering one tool, built in code: for tests of what an episode does with
a behaviour, without a pack on disk."""

from __future__ import annotations

from typing import Any

from taskkit.models import Behavior, CompiledTask, ToolEnv


def one_tool_task(
    name: str, behavior: Behavior, parameters: dict[str, Any], initial_state: dict[str, Any]
) -> CompiledTask:
    """A task whose only tool ``name`` runs ``behavior``; its state starts as
    ``initial_state`` and is not checked at the end (the answer "done" passes)."""
    return CompiledTask.model_validate(
        {
            "id": f"t/{name}@1#e",
            "pack": "t",
            "pack_version": "1.0.0",
            "task": name,
            "task_version": 1,
            "entry": "e",
            "category": "data",
            "difficulty": "easy",
            "source": {},
            "user_command": f"use {name}",
            "tools": [],
            # A model instance is kept as given (pydantic does not revalidate instances), so
            # a behaviour keeps its subclass and any extra operation field.
            "environment": [
                ToolEnv(
                    name=name,
                    ref=f"s.{name}",
                    effect="write",
                    parameters=parameters,
                    behavior=behavior,
                )
            ],
            "initial_state": initial_state,
            "max_turns": 5,
            "action_checks": [],
            "final": {
                "gold_actions": [],
                "expect": {"state": "ignore", "answer": {"contains": ["done"]}},
                "gold_state": initial_state,
                "gold_observations": [],
            },
            "content_hash": "0",
        }
    )
