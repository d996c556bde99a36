"""From trajectories to training data: ``sft.jsonl``, ``dpo.jsonl`` and ``report.json``.

Everything here is rebuilt from ``trajectories.jsonl`` alone, so the exports of an
interrupted and resumed run are exactly those of an uninterrupted one.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from ..io import jsonlines
from ..io.atomic import atomic_writer
from ..runs.pass_rates import build_report, summary_of
from .messages import Arguments, assistant_message, step_messages
from .store import read_records

if TYPE_CHECKING:  # the types of the records, not their module: no pydantic at run time
    from ..models.records import EpisodeSummary, ExploredRecord

__all__ = [
    "EpisodeOutput",
    "arguments_of",
    "dpo_rows",
    "export_all",
    "outputs_of",
    "read_trajectories",
    "sft_row",
    "write_exports",
    "write_sorted_exports",
]


def read_trajectories(path: str | os.PathLike[str]) -> list[ExploredRecord]:
    """The records of a trajectories file, by the one policy (:mod:`taskkit.io.jsonlines`): a
    torn last line (a crash) is left out; a line that is not a record raises
    :class:`~taskkit.io.jsonlines.JsonlError` (``generate`` on the folder moves it aside)."""
    if not Path(path).exists():
        return []
    return [record for _, record in read_records(path)]


def arguments_of(record: ExploredRecord, arguments: Arguments | None = None) -> Arguments:
    """How the rows of ``record`` write call arguments: ``arguments`` if given, else the
    run's choice recorded in the trajectory (``object`` for records that predate it)."""
    if arguments is not None:
        return arguments
    recorded = record.get("arguments", "object")
    return "string" if recorded == "string" else "object"


def sft_row(record: ExploredRecord, arguments: Arguments | None = None) -> dict[str, Any] | None:
    """A passing episode as ``{"messages", "tools"}``; ``None`` for any other episode."""
    if not record.get("passed"):
        return None
    mode = arguments_of(record, arguments)
    messages: list[Mapping[str, Any]] = list(record["head"])
    for step in record["chosen_steps"]:
        messages.extend(step_messages(step, mode))
    return {"messages": messages, "tools": record["tools"], "task_id": record["task_id"]}


def dpo_rows(
    record: ExploredRecord, arguments: Arguments | None = None
) -> Iterator[dict[str, Any]]:
    """Step-level preference pairs: a passing sample over a sample that failed an evaluator,
    both answering the same conversation so far."""
    mode = arguments_of(record, arguments)
    prompt: list[Mapping[str, Any]] = list(record["head"])
    for step, chosen_step in zip(record["steps"], record["chosen_steps"], strict=False):
        good = [s for s in step["samples"] if s["passed"]]
        bad = [s for s in step["samples"] if not s["passed"]]
        for i, rejected in enumerate(bad):
            if not good:
                break
            chosen = good[i % len(good)]
            errors = [e["type"] for e in rejected["step"]["errors"]]
            final = rejected.get("final")
            if final:
                errors += [e["type"] for e in final["errors"]]
            yield {
                "prompt": list(prompt),
                "chosen": [assistant_message(chosen["step"], mode)],
                "rejected": [assistant_message(rejected["step"], mode)],
                "tools": record["tools"],
                "task_id": record["task_id"],
                "step": step["index"],
                "rejected_error_types": errors,
                "chosen_temperature": chosen["temperature"],
                "rejected_temperature": rejected["temperature"],
            }
        prompt.extend(step_messages(chosen_step, mode))


class EpisodeOutput(NamedTuple):
    """What one explored episode contributes to each output file, serialised."""

    task_id: str
    trajectory: str
    sft: str | None
    dpo: list[str]
    summary: EpisodeSummary
    """What the pass-rate report counts."""


def dpo_lines(record: ExploredRecord, arguments: Arguments | None = None) -> list[str]:
    """:func:`dpo_rows` as JSON lines, byte for byte, with each step's prompt and the tools
    serialised once instead of once per pair (they are most of every row)."""
    mode = arguments_of(record, arguments)
    _j = jsonlines.dumps
    tools = _j(record["tools"])
    task_id = _j(record["task_id"])
    lines: list[str] = []
    prompt: list[Mapping[str, Any]] = list(record["head"])
    for step, chosen_step in zip(record["steps"], record["chosen_steps"], strict=False):
        good = [s for s in step["samples"] if s["passed"]]
        bad = [s for s in step["samples"] if not s["passed"]]
        if good and bad:
            prompt_json = _j(prompt)
            for i, rejected in enumerate(bad):
                chosen = good[i % len(good)]
                errors = [e["type"] for e in rejected["step"]["errors"]]
                final = rejected.get("final")
                if final:
                    errors += [e["type"] for e in final["errors"]]
                lines.append(
                    f'{{"prompt":{prompt_json},'
                    f'"chosen":{_j([assistant_message(chosen["step"], mode)])},'
                    f'"rejected":{_j([assistant_message(rejected["step"], mode)])},'
                    f'"tools":{tools},"task_id":{task_id},"step":{_j(step["index"])},'
                    f'"rejected_error_types":{_j(errors)},'
                    f'"chosen_temperature":{_j(chosen["temperature"])},'
                    f'"rejected_temperature":{_j(rejected["temperature"])}}}\n'
                )
        prompt.extend(step_messages(chosen_step, mode))
    return lines


def outputs_of(
    record: ExploredRecord, trajectory: str | None = None, arguments: Arguments | None = None
) -> EpisodeOutput:
    sft = sft_row(record, arguments)
    return EpisodeOutput(
        record["task_id"],
        trajectory if trajectory is not None else jsonlines.line(record),
        None if sft is None else jsonlines.line(sft),
        dpo_lines(record, arguments),
        summary_of(record),
    )


def write_exports(
    outdir: str | os.PathLike[str], outputs: Iterable[EpisodeOutput]
) -> dict[str, Any]:
    """Write sft.jsonl, dpo.jsonl and report.json (sorted by task: completion order is not
    meaning, and the files of a resumed run must equal those of an uninterrupted one)."""
    return write_sorted_exports(outdir, sorted(outputs, key=lambda o: o.task_id))


def write_sorted_exports(
    outdir: str | os.PathLike[str], outputs: Iterable[EpisodeOutput]
) -> dict[str, Any]:
    """:func:`write_exports` of outputs already in task order, written as they come: one
    episode's rows are held at a time, however long the run. The files are replaced only
    when all of them are written (an interrupted export leaves the old ones)."""
    out = Path(outdir)
    counts = {"episodes": 0, "sft_rows": 0, "dpo_pairs": 0}
    with atomic_writer(out / "sft.jsonl") as sft, atomic_writer(out / "dpo.jsonl") as dpo:

        def summaries() -> Iterator[EpisodeSummary]:
            for o in outputs:
                counts["episodes"] += 1
                if o.sft is not None:
                    sft.write(o.sft)
                    counts["sft_rows"] += 1
                dpo.writelines(o.dpo)
                counts["dpo_pairs"] += len(o.dpo)
                yield o.summary

        report = build_report(summaries(), grouped=True).as_json()
    report["counts"] = counts
    with atomic_writer(out / "report.json") as f:
        # dump, not dumps: the encoder's pieces go to the file as they come, instead of a
        # list of every piece (a few per number, tens of thousands for a run of many tasks)
        json.dump(report, f, indent=2)
        f.write("\n")
    return report


def export_all(
    outdir: str | os.PathLike[str],
    records: list[ExploredRecord] | None = None,
    *,
    arguments: Arguments | None = None,
) -> dict[str, Any]:
    """(Re)write sft.jsonl, dpo.jsonl and report.json from the trajectories in ``outdir``;
    ``arguments`` overrides how the run wrote call arguments (to re-export the other way)."""
    if records is None:
        records = read_trajectories(Path(outdir) / "trajectories.jsonl")
    return write_exports(outdir, (outputs_of(r, arguments=arguments) for r in records))
