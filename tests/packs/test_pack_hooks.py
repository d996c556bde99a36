"""The pre-commit hook this repository publishes, and why it lints folders, not files."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
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


def _git(repo: Path, *args: str) -> None:
    ident = ["-c", "user.name=pack author", "-c", "user.email=author@example.invalid"]
    subprocess.run(["git", *ident, *args], cwd=repo, check=True, capture_output=True)


def _pre_commit(repo: Path, tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home")}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", *args],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("git") is None, reason="pre-commit needs git")
def test_a_scaffolded_pack_runs_its_hook_and_taskkits_with_pre_commit(tmp_path: Path) -> None:
    """The scaffold's own config (`repo: local`) and taskkit's published hook, from this
    checkout with `pre-commit try-repo`, both lint the pack, and both fail on a broken task."""
    assert taskkit("new", "pack", "demo", "-d", tmp_path).exit_code == 0
    repo = tmp_path / "demo"
    _git(repo, "init", "-q")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "scaffold")
    own = _pre_commit(repo, tmp_path, "run", "--all-files")
    assert own.returncode == 0 and re.search(r"taskkit lint\.+Passed", own.stdout), own.stdout
    published = _pre_commit(repo, tmp_path, "try-repo", str(REPO), "taskkit-lint", "--all-files")
    assert published.returncode == 0, published.stdout + published.stderr
    assert re.search(r"taskkit lint\.+Passed", published.stdout), published.stdout

    task = next(repo.rglob("tasks/*.yaml"))
    text = task.read_text()
    assert "tools: [" in text
    task.write_text(text.replace("tools: [", "tools: [shop.no_such_tool, ", 1))
    for args in (["run", "--all-files"], ["try-repo", str(REPO), "taskkit-lint", "--all-files"]):
        failed = _pre_commit(repo, tmp_path, *args)
        assert failed.returncode == 1 and "TK202" in failed.stdout, failed.stdout
