"""Reusable evaluators: named bundles of checks that many tasks share."""

from __future__ import annotations

from typing import Literal

from .checks import ActionCheck, Expect
from .common import DocModel, Name

__all__ = ["Evaluator"]


class Evaluator(DocModel):
    """Checks a task adds by naming this evaluator in ``evaluators``."""

    kind: Literal["evaluator"]
    name: Name
    description: str = ""
    action_checks: list[ActionCheck] = []
    expect: Expect | None = None
    """Merged into the task's ``final.expect`` (ignores and diff assertions add up)."""
