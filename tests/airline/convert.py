"""Convert τ-bench's airline test tasks into the bundled pack ``task_library/airline``.

    python tests/airline/convert.py            # rewrite the pack's tasks and world files
    python tests/airline/convert.py --check    # exit 1 if the pack differs from a conversion

What is converted, from ``tau_bench/envs/airline/`` (see the corpus README):

- ``data/{flights,reservations,users}.json`` -> the pack's world files, byte for byte;
- each task of ``tasks_test.py`` -> ``tasks/test_NN.yaml``: the instruction is the user
  command, the gold ``actions`` the gold actions (the 7 tasks that have none look the user
  up: a taskkit task uses one of its tools, and a read changes neither state nor verdict), each of the ``outputs`` an answer check
  with τ-bench's rule (lower-cased, commas deleted, a substring of any assistant message),
  the state must match the gold state with types compared strictly (as τ-bench's hash does);
- a task that an agent doing nothing passes in τ-bench (no gold action writes and nothing is
  to be said: the right outcome is no change) declares that exception, with the reason,
  instead of being left out. The differential test feeds τ-bench the empty sequence on every
  task, so this rule is checked against τ-bench's own verdict (19 of the 50 tasks).

``tests/airline/test_pack.py`` runs ``--check``, so the pack cannot drift from its source.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import yaml

sys.path.insert(0, str(Path(__file__).parent))
import tau

REPO = Path(__file__).resolve().parents[2]
PACK = REPO / "task_library" / "airline"
WORLD = ("flights", "reservations", "users")
TOOLS = (
    "book_reservation",
    "calculate",
    "cancel_reservation",
    "get_reservation_details",
    "get_user_details",
    "list_all_airports",
    "search_direct_flight",
    "search_onestop_flight",
    "send_certificate",
    "think",
    "transfer_to_human_agents",
    "update_reservation_baggages",
    "update_reservation_flights",
    "update_reservation_passengers",
)
NOOP_REASON = (
    "in tau-bench a do-nothing agent passes this task too: the policy forbids what the user "
    "asks, so the right outcome is no change, and the task checks no answer"
)


class _Dumper(yaml.SafeDumper):
    """Long prose as folded block scalars; everything else as PyYAML writes it."""


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = ">" if len(value) > 80 and "\n" not in value and value == value.strip() else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str)


VERSION = 2
"""The tasks' ``version:``: raised whenever the tools they use change (CONTRIBUTING.md)."""


def declared_tools() -> list[str]:
    """The tools ``tools/airline.yaml`` declares, in τ-bench's order."""
    doc = yaml.safe_load((PACK / "tools" / "airline.yaml").read_text(encoding="utf-8"))
    names = {tool["name"] for tool in doc["tools"]}
    return [name for name in TOOLS if name in names]


def task_document(index: int, task: Any, *, noop_passes: bool, offered: list[str]) -> str:
    actions = [{"tool": f"airline.{a.name}", "args": a.kwargs} for a in task.actions]
    if not actions:
        # A taskkit task uses at least one of the tools it offers; looking the user up is
        # what τ-bench's policy asks first, and a read changes neither state nor verdict.
        actions = [{"tool": "airline.get_user_details", "args": {"user_id": task.user_id}}]
    used = {a["tool"] for a in actions}
    writes = sum(a.name in tau.WRITE_TOOLS for a in task.actions)
    difficulty = "easy" if len(actions) <= 1 else "medium" if len(actions) <= 4 else "hard"
    final: dict[str, Any] = {"gold_actions": actions}
    expect: dict[str, Any] = {"state": "matches_gold", "types": "strict"}
    if task.outputs:
        final["answer"] = "; ".join(task.outputs)
        expect["answer"] = {
            "contains": list(task.outputs),
            "normalize": ["lower", {"strip": [","]}],
            "scope": "any",
        }
    final["expect"] = expect
    doc: dict[str, Any] = {
        "kind": "task",
        "schema_version": 1,
        "id": f"test_{index:02d}",
        "version": VERSION,
        "title": f"tau-bench airline test task {index} ({task.user_id})",
        "category": "customer_service",
        "difficulty": difficulty,
        # all 14 offered, as in τ-bench: those the gold uses, and the others as distractors
        "tools": [f"airline.{name}" for name in offered if f"airline.{name}" in used],
        "distractors": [f"airline.{name}" for name in offered if f"airline.{name}" not in used],
        "content": "tau_bench",
        "user_command": task.instruction,
        "max_turns": 30,
        "final": final,
        "tags": ["tau-bench", f"writes-{writes}"],
    }
    if noop_passes:
        doc["testing"] = {"allow": ["noop_passes"], "reason": NOOP_REASON}
    head = (
        "# yaml-language-server: $schema=../../../schemas/task.schema.json\n"
        f"# tau-bench airline, tasks_test.py task {index}; written by tests/airline/convert.py\n"
    )
    return head + yaml.dump(
        doc, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=96, default_flow_style=None
    )


def conversion(oracle: tau.Oracle, corpus: Path) -> dict[Path, bytes]:
    """Every file the conversion writes, by path, with its bytes."""
    files: dict[Path, bytes] = {}
    data = corpus / "tau_bench" / "envs" / "airline" / "data"
    for name in WORLD:
        files[PACK / "world" / f"{name}.json"] = (data / f"{name}.json").read_bytes()
    offered = declared_tools()
    for index, task in enumerate(oracle.tasks):
        if any(a.name not in offered for a in task.actions):
            continue  # a tool it needs is not declared (yet): see `missing`
        noop = not task.outputs and not any(a.name in tau.WRITE_TOOLS for a in task.actions)
        files[PACK / "tasks" / f"test_{index:02d}.yaml"] = task_document(
            index, task, noop_passes=noop, offered=offered
        ).encode()
    return files


def missing(oracle: tau.Oracle) -> dict[int, list[str]]:
    """τ-bench tasks left out of the pack, with the undeclared tools each needs."""
    offered = declared_tools()
    out = {}
    for index, task in enumerate(oracle.tasks):
        needs = sorted({a.name for a in task.actions} - set(offered))
        if needs:
            out[index] = needs
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--check", action="store_true", help="compare, write nothing")
    args = parser.parse_args(argv)
    corpus = tau.corpus()
    if corpus is None:
        print("shared/corpora/taubench-airline not found", file=sys.stderr)
        return 2
    oracle = tau.Oracle(corpus)
    files = conversion(oracle, corpus)
    for index, needs in missing(oracle).items():
        print(f"task {index} left out: it needs {', '.join(needs)}", file=sys.stderr)
    stale = [p for p, b in files.items() if not p.is_file() or p.read_bytes() != b]
    extra = set((PACK / "tasks").glob("*.yaml")) - set(files)
    if args.check:
        for path in [*stale, *sorted(extra)]:
            print(f"out of date: {path.relative_to(REPO)}")
        return 1 if stale or extra else 0
    for path in stale:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(files[path])
    for path in extra:
        path.unlink()
    print(f"{len(stale)} files written, {len(extra)} removed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
