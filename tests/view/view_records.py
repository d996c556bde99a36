"""Small trajectory records for the viewer's tests."""

from __future__ import annotations

import json
from pathlib import Path


def record(task_id: str = "p/t@1#e-1", score: int = 1, **extra) -> dict:
    return {
        "task_id": task_id,
        "pack": "p",
        "category": "c",
        "task": "t",
        "format": "openai",
        "run_seed": 0,
        "steps": [{"index": 0, "calls": [], "score": 1, "errors": []}],
        "answer": "ok",
        "final": {"score": score, "errors": [], "diff": {}},
        "action_scores": [1],
        "task_score": score,
        "final_state": {"big": list(range(50))},
        **extra,
    }


def write(path: Path, records: list, tail: str = "") -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records) + tail, encoding="utf-8")
    return path


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
