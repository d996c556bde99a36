"""Pass-rate reports: action pass rate and task pass rate by pack, category and task, as
the seed system reports them, rebuilt from trajectory records alone.

With repeats (``--repeats N``: each task run N times with different seeds), every group
also gets pass^k for k <= N, τ-bench's reliability estimate (the chance that k runs of a
task all pass), averaged over the group's tasks. Rates carry 95 % intervals: Wilson's for
the episode rates, a bootstrap over tasks for the means over tasks (see
:mod:`taskkit.runs.intervals`). Failed episodes (the agent or its server gave no result) are
counted apart and left out of every rate.
"""

from __future__ import annotations

from array import array
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, NamedTuple, cast

from .intervals import bootstrap_mean, task_pass_hat_k, wilson

if TYPE_CHECKING:  # the types of the records, not their module: no pydantic at run time
    from ..models.records import EpisodeRecord, EpisodeSummary, RunSettings

__all__ = [
    "Rates",
    "Report",
    "Table",
    "build_report",
    "format_table",
    "report_from_json",
    "summary_of",
    "table_of",
]


@dataclass
class Rates:
    episodes: int = 0
    tasks_passed: int = 0
    actions: int = 0
    actions_passed: int = 0
    failed: int = 0
    """Episodes that ended without a result, not counted in ``episodes``."""
    outcomes: dict[str, list[int]] = field(default_factory=dict)
    """Per task instance: [passed, finished] episodes, for pass^k."""
    settled: array[int] = field(default_factory=lambda: array("I"))
    """passed, finished, passed, finished... of the task instances :meth:`settle` closed
    (in the order they were first met, all before those of ``outcomes``): two numbers a
    task instead of a table entry, for runs of many tasks."""

    def add(self, summary: EpisodeSummary) -> None:
        if summary.get("failed"):
            self.failed += 1
            return
        self.episodes += 1
        passed = int(summary["task_score"])
        self.tasks_passed += passed
        scores = summary["action_scores"]
        self.actions += len(scores)
        self.actions_passed += sum(scores)
        counts = self.outcomes.setdefault(str(summary["task_id"]), [0, 0])
        counts[0] += passed
        counts[1] += 1

    def settle(self, task_id: str) -> None:
        """No more episodes of ``task_id`` will come: keep its counts, not its entry."""
        counts = self.outcomes.pop(task_id, None)
        if counts is not None:
            self.settled.extend(counts)

    def _counts(self) -> Iterator[tuple[int, int]]:
        """[passed, finished] of every task instance, in the order they were first met."""
        settled = self.settled
        for i in range(0, len(settled), 2):
            yield settled[i], settled[i + 1]
        yield from ((passed, finished) for passed, finished in self.outcomes.values())

    @property
    def task_pass_rate(self) -> float:
        return self.tasks_passed / self.episodes if self.episodes else 0.0

    @property
    def action_pass_rate(self) -> float:
        return self.actions_passed / self.actions if self.actions else 0.0

    @property
    def repeats(self) -> int:
        """The most finished runs of any one task."""
        return max((n for _, n in self._counts()), default=0)

    def pass_hat(self, k: int, *, seed: int = 0) -> dict[str, float]:
        """pass^k over the tasks run at least k times, with a bootstrap interval over them."""
        values = [task_pass_hat_k(c, n, k) for c, n in self._counts() if n >= k]
        return {"tasks": len(values), **bootstrap_mean(values, seed=seed).as_json()}

    def as_json(self) -> dict[str, Any]:
        doc: dict[str, Any] = {
            "episodes": self.episodes,
            "failed": self.failed,
            "tasks_passed": self.tasks_passed,
            "task_pass_rate": round(self.task_pass_rate, 4),
            "task_pass_ci": _ends(wilson(self.tasks_passed, self.episodes)),
            "actions": self.actions,
            "actions_passed": self.actions_passed,
            "action_pass_rate": round(self.action_pass_rate, 4),
            "action_pass_ci": _ends(wilson(self.actions_passed, self.actions)),
        }
        repeats = self.repeats
        if repeats > 1:
            doc["repeats"] = repeats
            doc["pass_hat_k"] = {str(k): self.pass_hat(k) for k in range(1, repeats + 1)}
        return doc


def _ends(interval: Any) -> list[float]:
    return [round(interval.low, 4), round(interval.high, 4)]


@dataclass
class Report:
    overall: Rates = field(default_factory=Rates)
    by_pack: dict[str, Rates] = field(default_factory=lambda: defaultdict(Rates))
    by_category: dict[str, Rates] = field(default_factory=lambda: defaultdict(Rates))
    by_task: dict[str, Rates] = field(default_factory=lambda: defaultdict(Rates))
    errors: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    failures: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    """Failed episodes by kind (agent, timeout, server, internal)."""
    settings: RunSettings | None = None
    """How the run was made (model, server, agent, format, seed...), from its records."""

    def as_json(self) -> dict[str, Any]:
        doc: dict[str, Any] = {
            "overall": self.overall.as_json(),
            "by_pack": {k: v.as_json() for k, v in sorted(self.by_pack.items())},
            "by_category": {k: v.as_json() for k, v in sorted(self.by_category.items())},
            "by_task": {k: v.as_json() for k, v in sorted(self.by_task.items())},
            "error_types": dict(sorted(self.errors.items())),
            "failures": dict(sorted(self.failures.items())),
        }
        if self.settings is not None:
            doc["settings"] = self.settings
        return doc


def summary_of(record: EpisodeRecord) -> EpisodeSummary:
    """What a report counts of one episode, played (``run``) or explored (``generate``):
    every error type of its steps (of every sample of an explored step) and final verdict.
    The keys a report can do without are read leniently: the viewer and ``report`` read
    files from elsewhere, and a record short of them counts as an episode without actions."""
    errors: list[str] = []
    for step in record.get("steps", ()):
        if "samples" in step:
            for sample in step["samples"]:
                errors.extend(e["type"] for e in sample["step"]["errors"])
        else:
            errors.extend(e["type"] for e in step.get("errors", ()))
    final = record.get("final")
    if final:
        errors.extend(e["type"] for e in final.get("errors", ()))
    summary: EpisodeSummary = {
        "task_id": record["task_id"],
        "pack": record["pack"],
        "category": record["category"],
        "task": record["task"],
        "action_scores": record.get("action_scores", []),
        "task_score": record.get("task_score", 0),
        "error_types": errors,
    }
    if "repeat" in record:
        summary["repeat"] = record["repeat"]
    if "settings" in record:
        summary["settings"] = record["settings"]
    if "failed" in record:
        summary["failed"] = record["failed"]
    return summary


def build_report(
    episodes: Iterable[EpisodeRecord | EpisodeSummary], *, grouped: bool = False
) -> Report:
    """The report of ``episodes``: their records, or their summaries (:func:`summary_of`,
    what ``generate`` keeps of each while it writes the exports); ``grouped``: the episodes
    of each task instance come together (as a run's exports read them), so a task's counts
    are settled when the next task begins and the report holds no table of every task. The
    run's settings are the first episode's that has them."""
    report = Report()
    last: tuple[str, tuple[Rates, ...]] | None = None
    for episode in episodes:
        # a record has no error_types, a summary has them all: told apart by that key
        r = cast("EpisodeSummary", episode) if "error_types" in episode else summary_of(episode)
        groups = (
            report.overall,
            report.by_pack[r["pack"]],
            report.by_category[r["category"]],
            report.by_task[f"{r['pack']}/{r['task']}"],
        )
        if grouped:
            task_id = str(r["task_id"])
            if last is not None and last[0] != task_id:
                for rates in last[1]:
                    rates.settle(last[0])
            last = (task_id, groups)
        for rates in groups:
            rates.add(r)
        settings = r.get("settings")
        if report.settings is None and isinstance(settings, dict):
            report.settings = settings
        failed = r.get("failed")
        if failed:
            kind = failed.get("kind", "agent") if isinstance(failed, dict) else "agent"
            report.failures[str(kind)] += 1
            continue
        for kind in r["error_types"]:
            report.errors[kind] += 1
    return report


class Table(NamedTuple):
    """A report as table cells: the one layout the plain and the rich tables print."""

    columns: list[str]
    rows: list[list[str]]
    notes: list[str]


_RIGHT_FROM = 2
"""Columns from this one on are numbers (aligned right)."""


def table_of(
    report: Report | dict[str, Any], *, by: tuple[str, ...] = ("pack", "category", "task")
) -> Table:
    """The cells of a report (or of its JSON): pass rates with 95 % intervals, failed
    episodes, and pass^k columns when tasks were repeated."""
    doc = report.as_json() if isinstance(report, Report) else report
    levels: list[tuple[str, str, dict[str, Any]]] = [("all", "", doc["overall"])]
    for level in by:
        for key, rates in sorted(doc.get(f"by_{level}", {}).items()):
            levels.append((level, key, rates))
    repeats = int(doc["overall"].get("repeats", 1))
    columns = ["level", "name", "episodes", "failed", "task pass [95% CI]", "actions"]
    columns.append("action pass")
    if repeats > 1:
        columns += [f"pass^{k} [95% CI]" for k in range(1, repeats + 1)]
    rows = []
    for level, key, r in levels:
        ci = r.get("task_pass_ci") or [0.0, 1.0]
        row = [
            level,
            key,
            str(r["episodes"]),
            str(r.get("failed", 0)),
            _with_ci(r["task_pass_rate"], ci),
            str(r["actions"]),
            f"{r['action_pass_rate']:.3f}",
        ]
        if repeats > 1:
            hats = r.get("pass_hat_k", {})
            for k in range(1, repeats + 1):
                hat = hats.get(str(k))
                row.append(_with_ci(hat["estimate"], [hat["low"], hat["high"]]) if hat else "-")
        rows.append(row)
    notes = []
    failures = doc.get("failures") or {}
    if failures:
        kinds = ", ".join(f"{n} {kind}" for kind, n in sorted(failures.items()))
        notes.append(f"failed episodes (left out of the rates): {kinds}")
    return Table(columns, rows, notes)


def format_table(
    report: Report | dict[str, Any], *, by: tuple[str, ...] = ("pack", "category", "task")
) -> str:
    """:func:`table_of` as plain text (``taskkit run`` and ``report`` off a terminal)."""
    table = table_of(report, by=by)
    widths = [
        max(len(c), *(len(row[i]) for row in table.rows)) + 2 for i, c in enumerate(table.columns)
    ]

    def line(cells: list[str]) -> str:
        return "".join(
            f"{c:<{w}}" if i < _RIGHT_FROM else f"{c:>{w}}"
            for i, (c, w) in enumerate(zip(cells, widths, strict=True))
        ).rstrip()

    head = line(table.columns)
    return "\n".join([head, "-" * len(head), *map(line, table.rows), *table.notes])


def _with_ci(rate: float, ci: list[float]) -> str:
    return f"{rate:.3f} [{ci[0]:.3f}, {ci[1]:.3f}]"


def report_from_json(doc: dict[str, Any]) -> Report:
    """The inverse of :meth:`Report.as_json` for the counts (pass^k is not kept: print a
    saved report with :func:`format_table` on the JSON itself)."""

    def rates(d: dict[str, Any]) -> Rates:
        return Rates(
            d["episodes"], d["tasks_passed"], d["actions"], d["actions_passed"], d.get("failed", 0)
        )

    report = Report(overall=rates(doc["overall"]))
    for level in ("pack", "category", "task"):
        getattr(report, f"by_{level}").update({k: rates(v) for k, v in doc[f"by_{level}"].items()})
    report.errors.update(doc.get("error_types", {}))
    report.failures.update(doc.get("failures", {}))
    report.settings = doc.get("settings")
    return report
