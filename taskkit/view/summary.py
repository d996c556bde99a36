"""A run's summary for the viewer: ``taskkit report``'s numbers (computed by
:func:`taskkit.runs.pass_rates.build_report` itself, so the two never disagree), each rate with its
Wilson interval, plus what the charts and the task list need."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from ..runs.intervals import wilson
from ..runs.pass_rates import Rates, build_report, summary_of
from .reader import episode_key

if TYPE_CHECKING:  # the types of the records, not their module: no pydantic at run time
    from ..models.records import EpisodeRecord

__all__ = ["episode_errors", "episode_row", "summarise"]

LEVELS = ("pack", "category", "task", "difficulty")


def episode_errors(record: EpisodeRecord) -> list[str]:
    """The error types an episode ran into, each once, in the order met (as the report counts
    them: every sample of an explored step, and the final verdict)."""
    seen = dict.fromkeys(summary_of(record)["error_types"])
    failed = record.get("failed")
    if failed:
        seen[f"failed:{_reason(failed)}"] = None
    return list(seen)


def _reason(failed: Any) -> str:
    if isinstance(failed, dict):
        return str(failed.get("reason") or failed.get("type") or "error")
    return str(failed) if isinstance(failed, str) else "error"


def passed(record: Mapping[str, Any]) -> bool:
    """Passed as ``taskkit report`` counts it: the task score."""
    return int(record.get("task_score", 0)) == 1


def episode_row(record: EpisodeRecord) -> dict[str, Any]:
    """What the task list shows and filters on, for one episode."""
    return {
        "key": episode_key(record),
        "pack": record["pack"],
        "category": record["category"],
        "task": record["task"],
        "passed": passed(record),
        "errored": bool(record.get("failed")),
        "errors": episode_errors(record),
        "steps": len(record.get("steps", [])),
    }


def _rates_json(rates: Rates) -> dict[str, Any]:
    out = rates.as_json()
    out["interval"] = wilson(rates.tasks_passed, rates.episodes).as_json()
    return out


def _by(records: Iterable[EpisodeRecord], level: str) -> dict[str, Rates]:
    groups: dict[str, Rates] = {}
    for r in records:
        # a level the records may carry, not one they declare (difficulty): read as a mapping
        fields: Mapping[str, Any] = r
        if level in fields:
            groups.setdefault(str(fields[level]), Rates()).add(summary_of(r))
    return dict(sorted(groups.items()))


def summarise(records: Sequence[EpisodeRecord]) -> dict[str, Any]:
    """The summary page's data: report numbers with intervals, by level, and chart inputs."""
    report = build_report(records)
    doc = report.as_json()
    levels: dict[str, dict[str, Any]] = {}
    for level in LEVELS:
        groups = getattr(report, f"by_{level}", None)
        if groups is None:  # a level the report does not keep (difficulty): same arithmetic
            groups = _by(records, level)
        if groups:
            levels[level] = {k: _rates_json(v) for k, v in sorted(groups.items())}
    steps_to_success = Counter(len(r.get("steps", [])) for r in records if passed(r))
    return {
        "report": doc,
        "overall": _rates_json(report.overall),
        "levels": levels,
        "error_types": doc["error_types"],
        "steps_to_success": {str(k): v for k, v in sorted(steps_to_success.items())},
        "failed_to_run": sum(1 for r in records if r.get("failed")),
    }
