"""The one diagnostic type, and its output formats.

Every problem taskkit finds in user input -- a YAML syntax error, a schema violation, a
template that does not parse, a gold action that fails -- is a :class:`Diagnostic` with a
file, a 1-based line and column, a stable rule id and a hint. Lint, compile and the property
tests all report in this shape so that editors and CI annotate the same way.
"""

from __future__ import annotations

import difflib
import enum
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

__all__ = [
    "Diagnostic",
    "Severity",
    "did_you_mean",
    "format_diagnostics",
    "sort_key",
]


class Severity(enum.StrEnum):
    """How bad a finding is. ``--strict`` makes warnings fail too."""

    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One finding at one place.

    Equality and hashing ignore ``message`` and ``hint`` so that tests pin the position and
    the rule, not the wording.
    """

    path: str
    line: int
    col: int
    rule: str
    message: str = field(compare=False)
    severity: Severity = Severity.ERROR
    hint: str | None = field(default=None, compare=False)
    pointer: str = field(default="", compare=False)
    """JSON pointer of the offending value inside its document."""

    def text(self) -> str:
        hint = f" ({self.hint})" if self.hint else ""
        return (
            f"{self.path}:{self.line}:{self.col}: {self.rule} {self.severity} {self.message}{hint}"
        )

    def as_json(self) -> dict[str, object]:
        return {
            "path": self.path,
            "line": self.line,
            "col": self.col,
            "rule": self.rule,
            "severity": str(self.severity),
            "message": self.message,
            "hint": self.hint,
            "pointer": self.pointer,
        }


def sort_key(d: Diagnostic) -> tuple[str, int, int, str]:
    return (d.path, d.line, d.col, d.rule)


def did_you_mean(word: str, candidates: Iterable[str]) -> str | None:
    """A hint naming the nearest candidate, or ``None`` when nothing is close."""
    close = difflib.get_close_matches(word, list(candidates), n=1, cutoff=0.6)
    return f"did you mean {close[0]!r}?" if close else None


JSON_FORMAT_VERSION = 1


def format_diagnostics(diagnostics: Sequence[Diagnostic], fmt: str) -> str:
    """Render diagnostics as ``text``, ``parsable``, ``github`` or ``json``."""
    ordered = sorted(diagnostics, key=sort_key)
    if fmt == "json":
        doc = {
            "version": JSON_FORMAT_VERSION,
            "diagnostics": [d.as_json() for d in ordered],
            "summary": _summary(ordered),
        }
        return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
    if fmt == "github":
        lines = []
        for d in ordered:
            level = "error" if d.severity is Severity.ERROR else "warning"
            msg = d.message + (f" ({d.hint})" if d.hint else "")
            msg = msg.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
            lines.append(f"::{level} file={d.path},line={d.line},col={d.col},title={d.rule}::{msg}")
        return "".join(line + "\n" for line in lines)
    if fmt == "parsable":
        return "".join(
            f"{d.path}:{d.line}:{d.col}: [{d.severity}] {d.message} ({d.rule})\n" for d in ordered
        )
    return "".join(d.text() + "\n" for d in ordered)


def _summary(ordered: Sequence[Diagnostic]) -> dict[str, int]:
    errors = sum(1 for d in ordered if d.severity is Severity.ERROR)
    return {"errors": errors, "warnings": len(ordered) - errors}
