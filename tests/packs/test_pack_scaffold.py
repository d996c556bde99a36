"""`taskkit new pack`: a complete pack repository that passes the contribution gate, and a
gate that reports every finding."""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path

import pytest
import yaml
from packs_helpers import isolated, taskkit  # noqa: F401 - the autouse fixture

from taskkit.schema.documents import generate_schemas

FILES = {
    ".github/workflows/taskkit.yml",
    ".gitignore",
    ".pre-commit-config.yaml",
    "LICENSE",
    "README.md",
    "pyproject.toml",
    "src/taskkit_pack_demo/__init__.py",
    "src/taskkit_pack_demo/demo/LICENSE",
    "src/taskkit_pack_demo/demo/README.md",
    "src/taskkit_pack_demo/demo/content/orders.yaml",
    "src/taskkit_pack_demo/demo/pack.lock",
    "src/taskkit_pack_demo/demo/pack.yaml",
    "src/taskkit_pack_demo/demo/tasks/order_cheapest.yaml",
    "src/taskkit_pack_demo/demo/tools/shop.yaml",
}


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    result = taskkit("new", "pack", "demo", "-d", tmp_path)
    assert result.exit_code == 0, result.output
    return tmp_path / "demo"


def test_the_repository_has_every_file(repo: Path) -> None:
    found = {p.relative_to(repo).as_posix() for p in repo.rglob("*") if p.is_file()}
    assert found == FILES | {f"schemas/{name}" for name in generate_schemas()}
    manifest = yaml.safe_load((repo / "src/taskkit_pack_demo/demo/pack.yaml").read_text())
    assert (manifest["name"], manifest["version"], manifest["license"]) == (
        "demo",
        "0.1.0",
        "Apache-2.0",
    )
    assert "Apache License" in (repo / "LICENSE").read_text()


def test_pyproject_declares_the_entry_point_and_ships_the_yaml(repo: Path) -> None:
    project = tomllib.loads((repo / "pyproject.toml").read_text())
    assert project["project"]["name"] == "taskkit-pack-demo"
    assert project["project"]["entry-points"]["taskkit.packs"] == {"demo": "taskkit_pack_demo"}
    data = project["tool"]["setuptools"]["package-data"]["*"]
    assert {"*.yaml", "*.jsonl", "pack.lock"} <= set(data)
    assert project["tool"]["distutils"]["build"]["build-base"] == ".build"  # hidden from lint


def test_ci_and_pre_commit_run_taskkit(repo: Path) -> None:
    workflow = yaml.safe_load((repo / ".github/workflows/taskkit.yml").read_text())
    runs = [step.get("run", "") for step in workflow["jobs"]["check"]["steps"]]
    assert any(r.startswith("taskkit lint --strict") for r in runs)
    assert any(r.startswith("taskkit test") for r in runs)
    hooks = yaml.safe_load((repo / ".pre-commit-config.yaml").read_text())
    (hook_repo,) = hooks["repos"]
    assert hook_repo["repo"] == "local"  # no published tag needed: the installed taskkit runs
    (hook,) = hook_repo["hooks"]
    assert (hook["id"], hook["entry"], hook["language"]) == (
        "taskkit-lint",
        "taskkit lint",
        "system",
    )
    assert hook["args"] == ["--strict", "src"] and hook["pass_filenames"] is False


def test_the_new_repository_lints_strict_and_passes_the_gate(repo: Path) -> None:
    assert taskkit("lint", "--strict", "demo", cwd=repo.parent).exit_code == 0
    result = taskkit("pack", "check", "demo", cwd=repo.parent)
    assert result.exit_code == 0, result.output
    marks = re.findall(r"^  (ok|FAIL|skip)\s+(\w+)", result.stdout, re.M)
    status = {name: mark for mark, name in marks}
    assert status["lint"] == status["lock"] == status["readme"] == status["license"] == "ok"
    assert status["manifest"] == "ok"
    assert status["properties"] in ("ok", "skip")  # skipped where taskkit.testing is absent
    assert "pack check passed" in result.stderr


def test_an_edit_without_a_version_bump_fails_the_gate_naming_task_and_line(repo: Path) -> None:
    task = repo / "src/taskkit_pack_demo/demo/tasks/order_cheapest.yaml"
    task.write_text(task.read_text().replace("Order {{ quantity }}", "Please order {{ quantity }}"))
    result = taskkit("pack", "check", repo)
    assert result.exit_code == 1
    assert re.search(r"^  FAIL  lint ", result.stdout, re.M)
    assert re.search(
        r"order_cheapest\.yaml:5:10: TK602 warning task 'order_cheapest' changed since "
        r"pack\.lock recorded it at version 1, but its version is still 1",
        result.stdout,
    ), result.stdout


def test_every_finding_is_in_one_summary(repo: Path) -> None:
    (repo / "LICENSE").unlink()
    (repo / "src/taskkit_pack_demo/demo/LICENSE").unlink()
    (repo / "README.md").unlink()
    (repo / "src/taskkit_pack_demo/demo/README.md").unlink()
    manifest = repo / "src/taskkit_pack_demo/demo/pack.yaml"
    text = manifest.read_text()
    manifest.write_text(re.sub(r"description: >-\n  .*\n", "", text))
    (repo / "src/taskkit_pack_demo/demo/pack.lock").unlink()
    result = taskkit("pack", "check", "--format", "json", repo)
    assert result.exit_code == 1
    doc = json.loads(result.stdout)
    (pack,) = doc["packs"]
    failed = {
        c["name"]: [d["rule"] for d in c["diagnostics"]]
        for c in pack["checks"]
        if c["status"] == "fail"
    }
    assert failed == {
        "lock": ["TK694"],
        "readme": ["TK691"],
        "license": ["TK692"],
        "manifest": ["TK693"],
    }


def test_an_existing_folder_is_not_overwritten(repo: Path) -> None:
    again = taskkit("new", "pack", "demo", "-d", repo.parent)
    assert again.exit_code == 2 and "exists" in again.output


def test_check_and_lock_refuse_folders_without_packs(tmp_path: Path) -> None:
    result = taskkit("pack", "check", tmp_path)
    assert result.exit_code == 1 and "no pack.yaml under" in result.stdout
