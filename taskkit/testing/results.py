"""What a property check returns: a status, how many examples it tried, and findings."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

__all__ = ["PropertyFinding", "PropertyResult", "Status"]

Status = Literal["pass", "fail", "skip", "allowed"]
"""``allowed``: the property does not hold, and the task declares that exception
(``testing.allow``) with a reason, shown in the note."""


@dataclass(frozen=True)
class PropertyFinding:
    """One way a task breaks a property, with a counterexample an author can act on."""

    message: str
    example: Any = None
    """YAML-ready data: the failing content entry, the mutated call, the document."""
    example_label: str = ""
    """What ``example`` is and where it goes, e.g. ``content entry for data/x.yaml``."""
    path: str = ""
    """The file the finding points at (the task, the entry's dataset, the document)."""
    line: int = 0

    @property
    def where(self) -> str:
        return f"{self.path}:{self.line}" if self.path and self.line else self.path

    fields: tuple[str, ...] = ()
    """Content fields whose values break the task."""
    change: dict[str, Any] | None = None
    """When ``example`` is a real entry with a few fields changed: those fields."""
    hint: str = ""
    """What to do about it."""


@dataclass(frozen=True)
class PropertyResult:
    """One property checked on one abstract task."""

    task: str
    """``pack/task``."""
    name: str
    """The property."""
    status: Status
    tried: int
    """Examples tried: generated entries, real entries, mutations, or documents."""
    findings: tuple[PropertyFinding, ...] = ()
    note: str = ""
    """Why the property was skipped, or what was sampled."""
    seconds: float = 0.0
    warnings: tuple[PropertyFinding, ...] = ()
    """Things to fix that do not fail the property (e.g. an exception declared in
    ``testing.allow`` that the task does not need)."""

    @property
    def failed(self) -> bool:
        return self.status == "fail"
