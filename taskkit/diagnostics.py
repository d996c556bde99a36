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
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace

__all__ = [
    "Diagnostic",
    "Severity",
    "did_you_mean",
    "fold",
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
    cause: str | None = field(default=None, compare=False)
    """What this finding follows from, when it is not a root cause itself: a file's path (the
    file's first error is the cause: e.g. a toolset that failed to load, for the tasks that
    name its tools), another finding's :attr:`ref` (e.g. the first entry for which a
    template fails, for the other entries), or a place, ``path:line:col`` (another rule's
    error there). Output folds it under its cause (:func:`fold`)."""
    consequences: tuple[Diagnostic, ...] = field(default=(), compare=False)
    """The findings folded under this one by :func:`fold` (empty before folding)."""

    @property
    def ref(self) -> str:
        """``path:line:col RULE``: what a consequence's :attr:`cause` names."""
        return f"{self.path}:{self.line}:{self.col} {self.rule}"

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
            "consequences": [c.as_json() for c in self.consequences],
        }


def sort_key(d: Diagnostic) -> tuple[str, int, int, str]:
    return (d.path, d.line, d.col, d.rule)


def _full_key(d: Diagnostic) -> tuple[str, int, int, str, str, str, str]:
    return (*sort_key(d), d.message, d.hint or "", d.pointer)


def fold(diagnostics: Iterable[Diagnostic]) -> list[Diagnostic]:
    """Root causes, sorted by place, each with the findings that follow from it, directly or
    through another finding, as its :attr:`~Diagnostic.consequences` (in the same order).
    A finding whose cause is not among ``diagnostics`` (its rule was not selected, say) is
    a root cause itself, and so are the findings that follow from it."""
    flat = sorted(_flatten(diagnostics), key=_full_key)
    by_ref: dict[str, int] = {}  # the first finding of a ref that is not a repeat of it
    by_place: dict[str, list[int]] = {}
    by_path: dict[str, int] = {}
    for i, d in enumerate(flat):
        if d.cause != d.ref:
            by_ref.setdefault(d.ref, i)
        if d.severity is Severity.ERROR:
            by_place.setdefault(d.ref.rpartition(" ")[0], []).append(i)
            if d.cause is None:
                by_path.setdefault(d.path, i)
    root = list(range(len(flat)))
    done = [False] * len(flat)

    def root_of(i: int, depth: int = 0) -> int:
        if done[i] or depth > 8:  # deeper than any rule links: a loop
            return root[i]
        d, at = flat[i], None
        if d.cause is not None:
            at = by_ref.get(d.cause)
            if at is None:
                at = next((j for j in by_place.get(d.cause, ()) if flat[j].rule != d.rule), None)
            if at is None:
                at = by_path.get(d.cause)
        if at is not None and at != i:
            root[i] = root_of(at, depth + 1)
        done[i] = True
        return root[i]

    under: dict[int, list[Diagnostic]] = {}
    for i in range(len(flat)):
        if root_of(i) != i:
            under.setdefault(root[i], []).append(flat[i])
    return [
        replace(d, consequences=tuple(under[i])) if i in under else d
        for i, d in enumerate(flat)
        if root[i] == i
    ]


def _flatten(diagnostics: Iterable[Diagnostic]) -> Iterable[Diagnostic]:
    for d in diagnostics:
        if d.consequences:
            yield replace(d, consequences=())
            yield from _flatten(d.consequences)
        else:
            yield d


def did_you_mean(word: str, candidates: Iterable[str]) -> str | None:
    """A hint naming the nearest candidate, or ``None`` when nothing is close."""
    close = difflib.get_close_matches(word, list(candidates), n=1, cutoff=0.6)
    return f"did you mean {close[0]!r}?" if close else None


JSON_FORMAT_VERSION = 2
"""2: each diagnostic has ``consequences``, the findings that follow from it (see :func:`fold`),
in the same shape; ``summary`` counts them too, and how many were folded."""


def format_diagnostics(
    diagnostics: Sequence[Diagnostic], fmt: str, *, verbose: bool = False
) -> str:
    """Render diagnostics as ``text``, ``parsable``, ``github`` or ``json``, each root cause
    first with a count of what follows from it (:func:`fold`); ``verbose`` lists those too
    (``json`` always nests them)."""
    roots = fold(diagnostics)
    if fmt == "json":
        doc = {
            "version": JSON_FORMAT_VERSION,
            "diagnostics": [d.as_json() for d in roots],
            "summary": _summary(roots),
        }
        return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
    lines: list[str] = []
    for d in roots:
        lines.append(_line(d, fmt, "" if verbose else _count(d)))
        if verbose:
            for c in d.consequences:
                if fmt == "text":
                    lines.append("  " + c.text())
                else:  # one finding a line, each where editors and CI annotate it
                    lines.append(_line(c, fmt, f" [follows from {d.ref}]"))
    return "".join(line + "\n" for line in lines)


def _line(d: Diagnostic, fmt: str, suffix: str) -> str:
    if fmt == "github":
        level = "error" if d.severity is Severity.ERROR else "warning"
        msg = d.message + (f" ({d.hint})" if d.hint else "") + suffix
        msg = msg.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
        return f"::{level} file={d.path},line={d.line},col={d.col},title={d.rule}::{msg}"
    if fmt == "parsable":
        return f"{d.path}:{d.line}:{d.col}: [{d.severity}] {d.message}{suffix} ({d.rule})"
    return d.text() + suffix


def _count(d: Diagnostic) -> str:
    """`` [3 more like it; ...]`` or `` [15 more follow from it: TK202 x15; ...]``."""
    n = len(d.consequences)
    if not n:
        return ""
    rules = Counter(c.rule for c in d.consequences)
    if set(rules) == {d.rule}:
        return f" [{n} more like it; --verbose lists them]"
    which = ", ".join(f"{rule} x{k}" for rule, k in sorted(rules.items()))
    return f" [{n} more follow from it: {which}; --verbose lists them]"


def _summary(roots: Sequence[Diagnostic]) -> dict[str, int]:
    flat = [c for d in roots for c in (d, *d.consequences)]
    errors = sum(1 for d in flat if d.severity is Severity.ERROR)
    return {"errors": errors, "warnings": len(flat) - errors, "folded": len(flat) - len(roots)}
