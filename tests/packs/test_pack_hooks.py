"""The pre-commit hook this repository publishes, and why it lints folders, not files."""

from __future__ import annotations

import re
from pathlib import Path

import yaml
from packs_helpers import REPO, isolated, taskkit  # noqa: F401 - the autouse fixture


def test_the_hook_lints_whole_folders_on_yaml_jsonl_and_lock_changes() -> None:
    (hook,) = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())
    assert (hook["id"], hook["entry"], hook["language"]) == (
        "taskkit-lint",
        "taskkit lint",
        "python",
    )
    assert hook["pass_filenames"] is False
    files = re.compile(hook["files"])
    assert all(files.search(p) for p in ["a/t.yaml", "b.yml", "c/e.jsonl", "p/pack.lock"])
    assert not any(files.search(p) for p in ["README.md", "x.py", "pack.lock.bak"])


def test_a_lone_task_file_cannot_be_checked_so_the_hook_takes_folders(tmp_path: Path) -> None:
    assert taskkit("new", "pack", "demo", "-d", tmp_path).exit_code == 0
    repo = tmp_path / "demo"
    task = repo / "src/taskkit_pack_demo/demo/tasks/order_cheapest.yaml"
    alone = taskkit("lint", task)
    assert alone.exit_code == 1 and "TK202" in alone.stdout  # its tools are not loaded
    (hook,) = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())
    args = yaml.safe_load((repo / ".pre-commit-config.yaml").read_text())["repos"][0]["hooks"][0][
        "args"
    ]
    entry = hook["entry"].split()[1:]
    assert taskkit(*entry, *args, cwd=repo).exit_code == 0
