"""`taskkit new` inside and around a pack: where taskkit installs from, schema lines that
resolve offline, a pre-commit config that runs, and tasks and datasets fitted to the pack's
own tools (issue 17)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml
from packs_helpers import REPO, isolated, taskkit  # noqa: F401 - the autouse fixture


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    result = taskkit("new", "pack", "demo", "-d", tmp_path)
    assert result.exit_code == 0, result.output
    return tmp_path / "demo"


def _root(repo: Path) -> Path:
    return repo / "src" / "taskkit_pack_demo" / "demo"


def _dependency(repo: Path) -> str:
    (dep,) = tomllib.loads((repo / "pyproject.toml").read_text())["project"]["dependencies"]
    return str(dep)


# --- where taskkit comes from ------------------------------------------------------------


def test_by_default_the_pack_installs_taskkit_from_this_checkout(repo: Path) -> None:
    assert _dependency(repo) == f"taskkit-llm @ {REPO.as_uri()}"
    assert "taskkit-llm @ file://" in (repo / "README.md").read_text()


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("index", "taskkit-llm>=0.1"),
        (
            "git+https://example.org/x/taskkit@v0.1.0",
            "taskkit-llm @ git+https://example.org/x/taskkit@v0.1.0",
        ),
    ],
)
def test_taskkit_source_names_the_index_or_a_url(
    tmp_path: Path, source: str, expected: str
) -> None:
    assert taskkit("new", "pack", "demo", "-d", tmp_path, "--taskkit-source", source).exit_code == 0
    assert _dependency(tmp_path / "demo") == expected


def test_a_wheel_is_a_source(tmp_path: Path) -> None:
    wheel = tmp_path / "taskkit_llm-0.1.0-py3-none-any.whl"
    wheel.write_bytes(b"")
    made = taskkit("new", "pack", "demo", "-d", tmp_path / "w", "--taskkit-source", wheel)
    assert made.exit_code == 0, made.output
    assert _dependency(tmp_path / "w" / "demo") == f"taskkit-llm @ {wheel.as_uri()}"


def test_a_source_that_is_no_taskkit_is_a_usage_error(tmp_path: Path) -> None:
    result = taskkit("new", "pack", "demo", "-d", tmp_path, "--taskkit-source", tmp_path)
    assert result.exit_code == 2
    assert f"'{tmp_path}' is not a taskkit checkout" in result.output
    assert not (tmp_path / "demo").exists()


# --- editors and pre-commit --------------------------------------------------------------


def test_every_schema_line_resolves_to_the_exported_schemas(repo: Path) -> None:
    files = list(_root(repo).rglob("*.yaml"))
    assert len(files) == 4
    for path in files:
        first = path.read_text().splitlines()[0]
        match = re.fullmatch(r"# yaml-language-server: \$schema=(\S+)", first)
        assert match, first
        assert (path.parent / match[1]).resolve().is_file(), (path, match[1])
    check = taskkit("schema", "export", "--check", "-o", "schemas", cwd=repo)
    assert check.exit_code == 0, check.output


def test_outside_any_schemas_folder_no_unresolvable_url_is_written(tmp_path: Path) -> None:
    assert taskkit("new", "toolset", "shop", "-d", tmp_path).exit_code == 0
    text = (tmp_path / "shop.yaml").read_text()
    assert "yaml-language-server" not in text and "https://" not in text


def test_outside_a_pack_the_standalone_scaffolds_lint_clean_together(tmp_path: Path) -> None:
    assert taskkit("schema", "export", "-o", tmp_path / "schemas").exit_code == 0
    lib = tmp_path / "lib"
    for kind, name in (("toolset", "shop"), ("content", "orders"), ("task", "order_cheapest")):
        made = taskkit("new", kind, name, "-d", lib)
        assert made.exit_code == 0, made.output
        first = (lib / f"{name}.yaml").read_text().splitlines()[0]
        assert first == f"# yaml-language-server: $schema=../schemas/{kind}.schema.json"
    strict = taskkit("lint", "--strict", "--deep", lib)
    assert strict.exit_code == 0, strict.output


def _git_and_pre_commit(repo: Path, tmp_path: Path) -> dict[str, str]:
    pytest.importorskip("pre_commit")  # the `dev` extra has it; CI fails on this skip
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home")}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    for args in (["init", "-q"], ["add", "-A"]):
        subprocess.run(["git", *args], cwd=repo, check=True, env=env)
    return env


def test_the_pre_commit_config_runs_and_catches_a_broken_task(repo: Path, tmp_path: Path) -> None:
    env = _git_and_pre_commit(repo, tmp_path)
    command = [sys.executable, "-m", "pre_commit", "run", "--all-files"]
    clean = subprocess.run(command, cwd=repo, env=env, capture_output=True, text=True, check=False)
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert re.search(r"taskkit lint\.+Passed", clean.stdout), clean.stdout

    task = _root(repo) / "tasks" / "order_cheapest.yaml"
    task.write_text(task.read_text().replace("shop.order_item]", "shop.order_items]"))
    subprocess.run(["git", "add", "-A"], cwd=repo, check=True, env=env)
    broken = subprocess.run(command, cwd=repo, env=env, capture_output=True, text=True, check=False)
    assert broken.returncode == 1
    assert re.search(r"taskkit lint\.+Failed", broken.stdout)
    assert "TK202" in broken.stdout


# --- new task / new content inside a pack -----------------------------------------------


def test_a_new_task_in_a_pack_uses_its_tools_and_lints_clean(repo: Path) -> None:
    made = taskkit("new", "task", "second", "-d", _root(repo) / "tasks")
    assert made.exit_code == 0, made.output
    doc = yaml.safe_load((_root(repo) / "tasks" / "second.yaml").read_text())
    assert doc["tools"] == ["shop.search_items"] and doc["content"] == "orders"
    assert doc["final"]["gold_actions"] == [
        {"tool": "shop.search_items", "args": {"category": "{{ category }}"}}
    ]
    strict = taskkit("lint", "--strict", "--deep", repo / "src")
    assert strict.exit_code == 0, strict.output


def test_a_new_task_in_a_bundled_pack_uses_that_packs_tools(tmp_path: Path) -> None:
    lib = tmp_path / "task_library" / "home"
    shutil.copytree(REPO / "task_library" / "home", lib)
    shutil.copytree(REPO / "content_datasets" / "home", tmp_path / "content_datasets" / "home")
    made = taskkit("new", "task", "look_around", "-d", lib / "tasks")
    assert made.exit_code == 0, made.output
    doc = yaml.safe_load((lib / "tasks" / "look_around.yaml").read_text())
    assert doc["content"] == "viewing_requests"
    assert [ref.split(".")[0] for ref in doc["tools"]] == ["listings"]
    strict = taskkit(
        "lint", "--strict", "--deep", tmp_path / "task_library", tmp_path / "content_datasets"
    )
    assert strict.exit_code == 0, strict.output


def test_a_new_dataset_takes_its_fields_from_the_tools_and_a_task_can_use_it(repo: Path) -> None:
    made = taskkit("new", "content", "requests", "-d", _root(repo) / "content")
    assert made.exit_code == 0, made.output
    doc = yaml.safe_load((_root(repo) / "content" / "requests.yaml").read_text())
    assert doc["fields"]["required"] == ["category", "item_id", "quantity"]
    assert [e["quantity"] for e in doc["entries"]] == [1, 2]
    alone = taskkit("lint", "--strict", repo / "src")
    # the dataset itself is clean; only "no task uses it yet" remains
    assert re.findall(r"TK\d+", alone.output) == ["TK502"], alone.output

    task = taskkit(
        "new", "task", "on_requests", "-d", _root(repo) / "tasks", "--content", "requests"
    )
    assert task.exit_code == 0, task.output
    assert taskkit("lint", "--strict", "--deep", repo / "src").exit_code == 0


def test_flags_choose_and_bad_choices_are_usage_errors(repo: Path) -> None:
    tasks = _root(repo) / "tasks"
    unknown = taskkit("new", "task", "t", "-d", tasks, "--toolset", "nope")
    assert unknown.exit_code == 2
    assert "pack 'demo' has no toolset 'nope' (it has: shop)" in unknown.output
    # order_item needs an item that exists: a made-up id fails when the gold action replays
    refused = taskkit("new", "task", "t", "-d", tasks, "--tool", "order_item")
    assert refused.exit_code == 2
    assert "cannot fit a lint-clean task to pack 'demo'" in refused.output
    assert "shop.order_item: TK406" in refused.output  # plain lint catches the failing gold call
    assert not (tasks / "t.yaml").exists()
    again = taskkit("new", "task", "order_cheapest", "-d", tasks / "more")
    assert again.exit_code == 2 and "already has a task 'order_cheapest'" in again.output


def test_a_pack_without_datasets_says_what_to_add(repo: Path) -> None:
    shutil.rmtree(_root(repo) / "content")
    shutil.rmtree(_root(repo) / "tasks")
    result = taskkit("new", "task", "t", "-d", _root(repo))
    assert result.exit_code == 2
    assert "pack 'demo' has no content dataset: add one first" in result.output
