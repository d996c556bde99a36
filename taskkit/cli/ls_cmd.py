"""``taskkit ls``: the tasks of a library or a compiled file, one line each."""

from __future__ import annotations

import json
import sys
from typing import Any

import click

from ..models import CompiledTask
from .exit_codes import OK
from .options import selection_from, selection_options
from .run_cmd import load_tasks

__all__ = ["ls", "task_row"]


def task_row(task: CompiledTask) -> dict[str, Any]:
    """What ``ls`` shows of a task: its id, category, difficulty, gold steps and tools."""
    return {
        "id": task.id,
        "pack": task.pack,
        "category": task.category,
        "difficulty": task.difficulty,
        "steps": len(task.final.gold_actions),
        "tools": [str(t.get("function", t).get("name", "")) for t in task.tools],
    }


@click.command("ls")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=str))
@selection_options()
@click.option("--trust", multiple=True, metavar="PACK", help="Allow this pack's Python handlers.")
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True
)
def ls(paths: tuple[str, ...], trust: tuple[str, ...], fmt: str, **options: Any) -> None:
    """List the tasks of compiled JSONL files or of a library (compiled first): id,
    category, difficulty, steps (gold actions) and tools. Takes compile's filters."""
    rows = [task_row(t) for t in load_tasks(paths, trust, selection_from(options))]
    if fmt == "json":
        sys.stdout.write(json.dumps(rows, indent=2, ensure_ascii=False) + "\n")
        sys.exit(OK)
    heads = ("id", "category", "difficulty", "steps", "tools")
    cells = [
        (r["id"], r["category"], r["difficulty"], str(r["steps"]), ", ".join(r["tools"]))
        for r in rows
    ]
    widths = [max([len(h), *(len(c[i]) for c in cells)]) for i, h in enumerate(heads[:-1])]
    lines = ["  ".join(h.ljust(w) for h, w in zip(heads, [*widths, 0], strict=True)).rstrip()]
    for c in cells:
        lines.append("  ".join(v.ljust(w) for v, w in zip(c, [*widths, 0], strict=True)).rstrip())
    sys.stdout.write("\n".join(lines) + "\n")
    click.echo(f"{len(rows)} tasks", err=True)
    sys.exit(OK)
