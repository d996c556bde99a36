"""Pass-rate reports: action pass rate and task pass rate by pack, category and task, as
the seed system reports them, rebuilt from trajectory records alone."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Rates", "Report", "build_report", "format_table", "report_from_json"]


@dataclass
class Rates:
    episodes: int = 0
    tasks_passed: int = 0
    actions: int = 0
    actions_passed: int = 0

    def add(self, record: dict[str, Any]) -> None:
        self.episodes += 1
        self.tasks_passed += int(record.get("task_score", 0))
        scores = record.get("action_scores", [])
        self.actions += len(scores)
        self.actions_passed += sum(scores)

    @property
    def task_pass_rate(self) -> float:
        return self.tasks_passed / self.episodes if self.episodes else 0.0

    @property
    def action_pass_rate(self) -> float:
        return self.actions_passed / self.actions if self.actions else 0.0

    def as_json(self) -> dict[str, Any]:
        return {
            "episodes": self.episodes,
            "tasks_passed": self.tasks_passed,
            "task_pass_rate": round(self.task_pass_rate, 4),
            "actions": self.actions,
            "actions_passed": self.actions_passed,
            "action_pass_rate": round(self.action_pass_rate, 4),
        }


@dataclass
class Report:
    overall: Rates = field(default_factory=Rates)
    by_pack: dict[str, Rates] = field(default_factory=lambda: defaultdict(Rates))
    by_category: dict[str, Rates] = field(default_factory=lambda: defaultdict(Rates))
    by_task: dict[str, Rates] = field(default_factory=lambda: defaultdict(Rates))
    errors: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    def as_json(self) -> dict[str, Any]:
        return {
            "overall": self.overall.as_json(),
            "by_pack": {k: v.as_json() for k, v in sorted(self.by_pack.items())},
            "by_category": {k: v.as_json() for k, v in sorted(self.by_category.items())},
            "by_task": {k: v.as_json() for k, v in sorted(self.by_task.items())},
            "error_types": dict(sorted(self.errors.items())),
        }


def build_report(records: Iterable[dict[str, Any]]) -> Report:
    report = Report()
    for r in records:
        report.overall.add(r)
        report.by_pack[r["pack"]].add(r)
        report.by_category[r["category"]].add(r)
        report.by_task[f"{r['pack']}/{r['task']}"].add(r)
        for kind in r.get("error_types", ()):  # a summary record
            report.errors[kind] += 1
        for step in r.get("steps", []):
            if "samples" in step:  # an explored episode: every sample counts
                for sample in step["samples"]:
                    for err in sample["step"]["errors"]:
                        report.errors[err["type"]] += 1
            else:
                for err in step.get("errors", []):
                    report.errors[err["type"]] += 1
        for err in (r.get("final") or {}).get("errors", []):
            report.errors[err["type"]] += 1
    return report


def format_table(report: Report, *, by: tuple[str, ...] = ("pack", "category", "task")) -> str:
    """A plain-text table (rich renders the same rows when it is installed)."""
    rows: list[tuple[str, str, Rates]] = [("all", "", report.overall)]
    for level in by:
        for key, rates in sorted(getattr(report, f"by_{level}").items()):
            rows.append((level, key, rates))
    width = max(len(k) for _, k, _ in rows) if rows else 10
    head = f"{'level':<9}{'name':<{width + 2}}{'episodes':>9}{'task pass':>11}{'actions':>9}{'action pass':>13}"
    lines = [head, "-" * len(head)]
    for level, key, r in rows:
        lines.append(
            f"{level:<9}{key:<{width + 2}}{r.episodes:>9}{r.task_pass_rate:>11.3f}"
            f"{r.actions:>9}{r.action_pass_rate:>13.3f}"
        )
    return "\n".join(lines)


def report_from_json(doc: dict[str, Any]) -> Report:
    """The inverse of :meth:`Report.as_json` (for printing a saved report)."""

    def rates(d: dict[str, Any]) -> Rates:
        return Rates(d["episodes"], d["tasks_passed"], d["actions"], d["actions_passed"])

    report = Report(overall=rates(doc["overall"]))
    for level in ("pack", "category", "task"):
        getattr(report, f"by_{level}").update({k: rates(v) for k, v in doc[f"by_{level}"].items()})
    report.errors.update(doc.get("error_types", {}))
    return report
