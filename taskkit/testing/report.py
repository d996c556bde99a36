"""Property results as text: a table row per task and property, then each failure with its
counterexample as YAML an author can paste (the CLI and the pytest plugin print the same)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence

from ..io.yamlio import dump_yaml
from .results import PropertyFinding, PropertyResult
from .session import LibraryResult

__all__ = [
    "format_failure",
    "format_finding",
    "format_header",
    "format_row",
    "format_summary",
    "format_warnings",
    "task_width",
]

MAX_EXAMPLE_LINES = 30
"""A longer counterexample built from a real entry is shown as its change only."""

_PROPERTY_WIDTH = 17


def format_header(task_width: int) -> str:
    return f"{'task':<{task_width}}  {'property':<{_PROPERTY_WIDTH}}  {'result':<7}  {'tried':>5}  note"


def format_row(result: PropertyResult, task_width: int) -> str:
    status = result.status.upper() if result.failed else result.status
    return (
        f"{result.task:<{task_width}}  {result.name:<{_PROPERTY_WIDTH}}  {status:<7}  "
        f"{result.tried:>5}  {result.note}"
    ).rstrip()


def task_width(keys: Iterable[str]) -> int:
    return max([len("task"), *(len(k) for k in keys)])


def format_failure(result: PropertyResult, *, full: bool = False) -> str:
    """A failed property: what breaks, where, and the counterexamples."""
    lines = [f"FAILED {result.task} {result.name} ({result.tried} tried)"]
    if result.note:
        lines.append(f"  {result.note}")
    for finding in result.findings:
        lines.append(_indent(format_finding(finding, full=full), "  "))
    return "\n".join(lines) + "\n"


def format_finding(finding: PropertyFinding, *, full: bool = False) -> str:
    head = f"{finding.where}: {finding.message}" if finding.where else finding.message
    lines = [head]
    if finding.hint:
        lines.append(f"hint: {finding.hint}")
    if finding.example is None:
        return "\n".join(lines)
    text = _yaml(finding.example)
    if finding.change is not None and not full and text.count("\n") > MAX_EXAMPLE_LINES:
        lines.append(f"counterexample, {finding.example_label} (the entry is long: the change):")
        lines.append(_indent(_yaml(finding.change) if finding.change else "{}\n", "    "))
        return "\n".join(lines)
    lines.append(f"counterexample, {finding.example_label}:")
    lines.append(_indent(text, "    "))
    if finding.example_label.endswith(".jsonl") and isinstance(finding.example, list):
        lines.append("  as JSONL lines:")
        lines += [
            "    " + json.dumps(item, ensure_ascii=False, sort_keys=False)
            for item in finding.example
        ]
    return "\n".join(line.rstrip("\n") for line in lines)


def _yaml(data: object) -> str:
    if isinstance(data, str):
        return data if data.endswith("\n") else data + "\n"
    return dump_yaml(data)


def _indent(text: str, prefix: str) -> str:
    return "\n".join(prefix + line if line else line for line in text.rstrip("\n").split("\n"))


def format_warnings(results: Iterable[PropertyResult]) -> str:
    """Every result's warning, one a line (empty when there is none)."""
    return "".join(
        f"WARNING {r.task} {r.name}\n" + _indent(format_finding(w), "  ") + "\n"
        for r in results
        for w in r.warnings
    )


def format_summary(result: LibraryResult, tasks: Sequence[str] = ()) -> str:
    statuses = ("pass", "fail", "skip", "allowed")
    counts = {s: sum(r.status == s for r in result.results) for s in statuses}
    warnings = sum(len(r.warnings) for r in result.results)
    n_tasks = len(tasks) or len({r.task for r in result.results})
    extra = f", {counts['allowed']} allowed by the task" if counts["allowed"] else ""
    extra += f", {warnings} warning{'' if warnings == 1 else 's'}" if warnings else ""
    return (
        f"{len(result.results)} checks on {n_tasks} task{'' if n_tasks == 1 else 's'} "
        f"({result.profile.name} profile, "
        f"{result.profile.examples} examples, seed {result.profile.seed}): "
        f"{counts['pass']} passed, {counts['fail']} failed, {counts['skip']} skipped{extra} "
        f"in {result.seconds:.1f} s"
    )
