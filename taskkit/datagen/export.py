"""From trajectories to training data: ``sft.jsonl``, ``dpo.jsonl`` and ``report.json``.

Everything here is rebuilt from ``trajectories.jsonl`` alone, so the exports of an
interrupted and resumed run are exactly those of an uninterrupted one.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from ..atomic import atomic_writer
from ..report import build_report
from .messages import assistant_message, step_messages

__all__ = ["dpo_rows", "export_all", "read_trajectories", "sft_row"]


def read_trajectories(path: str | os.PathLike[str]) -> list[dict[str, Any]]:
    """Complete records of a trajectories file; a torn last line (a crash) is ignored."""
    records: list[dict[str, Any]] = []
    p = Path(path)
    if not p.exists():
        return records
    with p.open(encoding="utf-8") as f:
        for line in f:
            if not line.endswith("\n"):
                break  # written by a run that died mid-line
            try:
                records.append(json.loads(line))
            except json.JSONDecodeError:
                break
    return records


def sft_row(record: dict[str, Any]) -> dict[str, Any] | None:
    """A passing episode as ``{"messages", "tools"}``; ``None`` for any other episode."""
    if not record.get("passed"):
        return None
    messages = list(record["head"])
    for step in record["chosen_steps"]:
        messages.extend(step_messages(step))
    return {"messages": messages, "tools": record["tools"], "task_id": record["task_id"]}


def dpo_rows(record: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Step-level preference pairs: a passing sample over a sample that failed an evaluator,
    both answering the same conversation so far."""
    prompt = list(record["head"])
    for step, chosen_step in zip(record["steps"], record["chosen_steps"], strict=False):
        good = [s for s in step["samples"] if s["passed"]]
        bad = [s for s in step["samples"] if not s["passed"]]
        for i, rejected in enumerate(bad):
            if not good:
                break
            chosen = good[i % len(good)]
            errors = [e["type"] for e in rejected["step"]["errors"]]
            errors += [e["type"] for e in (rejected.get("final") or {}).get("errors", [])]
            yield {
                "prompt": list(prompt),
                "chosen": [assistant_message(chosen["step"])],
                "rejected": [assistant_message(rejected["step"])],
                "tools": record["tools"],
                "task_id": record["task_id"],
                "step": step["index"],
                "rejected_error_types": errors,
                "chosen_temperature": chosen["temperature"],
                "rejected_temperature": rejected["temperature"],
            }
        prompt.extend(step_messages(chosen_step))


def _write_jsonl(path: Path, rows: Iterable[dict[str, Any]]) -> int:
    n = 0
    with atomic_writer(path) as f:
        for row in rows:
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
            n += 1
    return n


def export_all(
    outdir: str | os.PathLike[str], records: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    """(Re)write sft.jsonl, dpo.jsonl and report.json from the trajectories in ``outdir``."""
    out = Path(outdir)
    if records is None:
        records = read_trajectories(out / "trajectories.jsonl")
    records = sorted(records, key=lambda r: r["task_id"])  # completion order is not meaning
    sft = _write_jsonl(out / "sft.jsonl", (row for r in records if (row := sft_row(r)) is not None))
    dpo = _write_jsonl(out / "dpo.jsonl", (row for r in records for row in dpo_rows(r)))
    report = build_report(records).as_json()
    report["counts"] = {"episodes": len(records), "sft_rows": sft, "dpo_pairs": dpo}
    with atomic_writer(out / "report.json") as f:
        f.write(json.dumps(report, indent=2) + "\n")
    return report
