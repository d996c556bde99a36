"""Discovery: paths, TASKKIT_PATH, installed distributions, the cached index, and pack names
in place of paths for lint, compile and run."""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from packs_helpers import EXAMPLES, copy_example, isolated, mini_pack, taskkit  # noqa: F401 - the autouse fixture

from taskkit.library import discover
from taskkit.packs.discovery import discover_packs, resolve_targets
from taskkit.packs.index import PackIndex, scan, walk_packs


@pytest.fixture
def shelf(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A search-path folder with packs alpha 1.0.0 and beta 2.0.0."""
    folder = tmp_path / "shelf"
    mini_pack(folder, "alpha", "1.0.0")
    mini_pack(folder, "beta", "2.0.0")
    monkeypatch.setenv("TASKKIT_PATH", str(folder))
    return folder


def listing(*args: str | Path) -> tuple[int, dict]:
    result = taskkit("packs", "--no-installed", "--format", "json", *args)
    return result.exit_code, json.loads(result.stdout)


def test_the_search_path_is_listed_with_versions_counts_and_sources(shelf: Path) -> None:
    result = taskkit("packs", "--no-installed")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["NAME", "VERSION", "TASKS", "STATUS", "SOURCE"]
    assert lines[1].split() == ["alpha", "1.0.0", "1", "ok", "search", "path", str(shelf)]
    assert lines[2].split()[:4] == ["beta", "2.0.0", "1", "ok"]
    code, doc = listing()
    assert code == 0
    alpha = doc["packs"][0]
    assert (alpha["name"], alpha["version"], alpha["tasks"]) == ("alpha", "1.0.0", 1)
    assert alpha["source"] == {"kind": "search path", "label": str(shelf)}
    assert alpha["root"] == str(shelf / "alpha")


def test_paths_on_the_command_line_and_task_library_layout(tmp_path: Path) -> None:
    case = copy_example("jsonl-entries-file", tmp_path)  # task_library/ + content_datasets/
    code, doc = listing(case / "task_library")
    assert code == 0
    (grocer,) = doc["packs"]
    assert grocer["source"] == {"kind": "path", "label": str(case / "task_library")}
    assert grocer["content_dirs"] == [str(case / "content_datasets" / "grocer")]
    assert grocer["tasks"] == 1
    # the pack.yaml itself names the pack folder too; a missing folder is a finding
    assert (
        listing(case / "task_library" / "grocer" / "pack.yaml")[1]["packs"][0]["name"] == "grocer"
    )
    code, doc = listing(tmp_path / "nowhere")
    assert code == 1 and doc["diagnostics"][0]["rule"] == "TK003"


def test_the_index_is_reused_until_a_file_changes(shelf: Path, tmp_path: Path) -> None:
    cache = str(tmp_path / "idx")
    first = PackIndex(cache)
    discover_packs(entry_points=False, index=first)
    assert (first.hits, first.misses) == (0, 2)

    warm = PackIndex(cache)
    discover_packs(entry_points=False, index=warm)
    assert (warm.hits, warm.misses) == (2, 0)

    task = shelf / "alpha" / "tasks" / "buy.yaml"
    os.utime(task, ns=(1, 1))  # a new mtime, the same bytes: hashed, still a hit
    touched = PackIndex(cache)
    discover_packs(entry_points=False, index=touched)
    assert (touched.hits, touched.misses) == (2, 0)

    task.write_text(task.read_text() + "# edited\n")
    edited = PackIndex(cache)
    discover_packs(entry_points=False, index=edited)
    assert (edited.hits, edited.misses) == (1, 1)

    (shelf / "beta" / "tasks" / "buy.yaml").unlink()  # a file less is a change too
    removed = PackIndex(cache)
    found = discover_packs(entry_points=False, index=removed)
    assert (removed.hits, removed.misses) == (1, 1)
    assert [p.tasks for p in found.packs] == [1, 0]


def test_an_edit_that_keeps_the_size_and_the_mtime_is_seen(shelf: Path, tmp_path: Path) -> None:
    """As git does, the index trusts a stat only with the ctime and inode in it, and only
    for a file older than its reading: an editor that restores the mtime is no blind spot."""
    cache = str(tmp_path / "idx")
    discover_packs(entry_points=False, index=PackIndex(cache))
    task = shelf / "alpha" / "tasks" / "buy.yaml"
    before = task.stat()
    text = task.read_text()
    task.write_text(text.replace("kind: task", "kind: tusk", 1))  # the same size
    os.utime(task, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert task.stat().st_size == before.st_size
    again = PackIndex(cache)
    found = discover_packs(entry_points=False, index=again)
    assert (again.hits, again.misses) == (1, 1)
    assert [p.tasks for p in found.packs] == [0, 1]


def test_the_index_folder_is_marked_as_a_cache(shelf: Path, tmp_path: Path) -> None:
    discover_packs(entry_points=False, index=PackIndex(str(tmp_path / "idx")))
    tag = (tmp_path / "idx" / "CACHEDIR.TAG").read_text()
    assert tag.startswith("Signature: 8a477f597d28d172789f06886806bc55")
    assert (tmp_path / "idx" / ".gitignore").read_text().splitlines()[-1] == "*"


def test_a_broken_pack_stays_broken_in_a_cached_listing(shelf: Path) -> None:
    task = shelf / "beta" / "tasks" / "buy.yaml"
    good = task.read_text()
    task.write_text(good.replace("tools: [", "tools: [[", 1))
    for _ in range(2):  # the second listing comes from the cache
        result = taskkit("packs", "--no-installed")
        assert result.exit_code == 1
        # the task that does not parse is no task, and the pack says why
        assert re.search(r"^beta\s+2\.0\.0\s+0\s+1 error\s+search path", result.stdout, re.M)
        assert f"{task}:" in result.stdout and "TK001" in result.stdout
    task.write_text(good)
    assert taskkit("packs", "--no-installed").exit_code == 0


def test_two_packs_with_one_name_are_a_diagnostic_never_an_override(
    shelf: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    other = tmp_path / "other"
    mini_pack(other, "alpha", "9.0.0")
    monkeypatch.setenv("TASKKIT_PATH", os.pathsep.join([str(shelf), str(other)]))
    result = taskkit("packs", "--no-installed")
    assert result.exit_code == 1
    assert result.stdout.count(" clash ") == 2
    assert (
        f"{other / 'alpha' / 'pack.yaml'}:3:7: TK201 error two packs are named 'alpha': "
        f"{other / 'alpha'} (search path {other}) and {shelf / 'alpha'} (search path {shelf})"
    ) in result.stdout
    compiled = taskkit("compile", "alpha", "-o", tmp_path / "x.jsonl")
    assert compiled.exit_code == 1
    assert "pack name 'alpha' is ambiguous" in compiled.stdout
    assert not (tmp_path / "x.jsonl").exists()


def test_lint_compile_and_run_take_a_pack_name(shelf: Path, tmp_path: Path) -> None:
    assert taskkit("lint", "--strict", "alpha").exit_code == 0
    out = tmp_path / "alpha.jsonl"
    compiled = taskkit("compile", "alpha", "-o", out)
    assert compiled.exit_code == 0, compiled.output
    ids = [json.loads(line)["id"] for line in out.read_text().splitlines()]
    assert ids == ["alpha/buy@1#pens", "alpha/buy@1#mugs"]
    ran = taskkit("run", "beta", "--agent", "replay")
    assert ran.exit_code == 0, ran.output
    assert "beta" in ran.stdout


def test_an_unknown_name_is_a_finding_with_a_suggestion(shelf: Path, tmp_path: Path) -> None:
    result = taskkit("lint", "alpah")
    assert result.exit_code == 1
    assert (
        "alpah:1:1: TK003 error no such file, directory or pack 'alpah' (did you mean 'alpha'?)"
        in result.stdout
    )
    run = taskkit("run", "alpah")
    assert run.exit_code == 2  # as for a missing path


def test_an_existing_path_wins_over_a_pack_name(shelf: Path, tmp_path: Path) -> None:
    here = tmp_path / "cwd"
    shutil.copytree(EXAMPLES / "invalid" / "TK303-python-format-braces", here / "alpha")
    result = taskkit("lint", "alpha", cwd=here)
    assert result.exit_code == 1 and "TK303" in result.stdout  # the folder, not the pack


def test_a_named_pack_brings_the_packs_it_requires(tmp_path: Path, monkeypatch) -> None:
    case = copy_example("cross-pack-references-and-multi-document-files", tmp_path)
    monkeypatch.setenv("TASKKIT_PATH", str(case))
    resolution = resolve_targets(["planner"])
    assert resolution.named == ["planner"]
    assert sorted(Path(p).name for p in resolution.paths) == ["core", "planner"]
    assert taskkit("lint", "--strict", "planner").exit_code == 0
    out = tmp_path / "planner.jsonl"
    assert taskkit("compile", "planner", "-o", out).exit_code == 0
    packs = {json.loads(line)["pack"] for line in out.read_text().splitlines()}
    assert packs == {"planner"}  # core came as context, not as output


def _install(site: Path, dist: str, package: str, pack_name: str) -> None:
    """A fake installed distribution: a package holding a pack, and its dist-info."""
    mini_pack(site / package, pack_name)
    (site / package / "__init__.py").write_text("raise RuntimeError('never imported')\n")
    info = site / f"{dist.replace('-', '_')}-0.1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist}\nVersion: 0.1.0\n")
    (info / "entry_points.txt").write_text(f"[taskkit.packs]\n{pack_name} = {package}\n")


def test_installed_distributions_are_found_by_entry_point(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = tmp_path / "site"
    _install(site, "taskkit-pack-one", "pack_one", "demo")
    monkeypatch.syspath_prepend(str(site))
    found = discover_packs(search=[])
    (demo,) = [p for p in found.packs if p.name == "demo"]
    assert str(demo.source) == "distribution taskkit-pack-one 0.1.0"
    assert demo.root == str(site / "pack_one" / "demo")
    assert not found.diagnostics

    _install(site, "taskkit-pack-two", "pack_two", "demo")
    clash = discover_packs(search=[])
    assert "demo" in clash.clashing
    (diag,) = [d for d in clash.diagnostics if d.rule == "TK201"]
    assert "two packs are named 'demo'" in diag.message
    assert "distribution taskkit-pack-one 0.1.0" in diag.message
    assert "distribution taskkit-pack-two 0.1.0" in diag.message


def test_an_entry_point_without_a_pack_is_reported(tmp_path: Path, monkeypatch) -> None:
    site = tmp_path / "site"
    (site / "empty_pkg").mkdir(parents=True)
    (site / "empty_pkg" / "__init__.py").write_text("")
    info = site / "taskkit_pack_empty-0.1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: taskkit-pack-empty\nVersion: 0.1.0\n"
    )
    (info / "entry_points.txt").write_text(
        "[taskkit.packs]\nempty = empty_pkg\nghost = no_such_pkg\n"
    )
    monkeypatch.syspath_prepend(str(site))
    found = discover_packs(search=[])
    messages = sorted(d.message for d in found.diagnostics)
    assert messages == [
        "'no_such_pkg' is not an installed package",
        "package 'empty_pkg' holds no pack.yaml",
    ]


def test_the_index_reads_the_files_the_loader_reads(tmp_path: Path) -> None:
    root = mini_pack(tmp_path, "alpha")
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "linked.yaml").write_text("kind: task\n")
    (root / "linked").symlink_to(tmp_path / "elsewhere")  # a link to a folder: not followed
    for skipped in (".hidden", "node_modules", "__pycache__", "venv"):
        (root / skipped).mkdir()
        (root / skipped / "t.yaml").write_text("kind: task\n")
    (root / "tasks" / ".draft.yaml").write_text("kind: task\n")
    files, diags = discover([root])
    assert diags == []
    loaded = {os.path.relpath(f, root) for f in files}
    assert loaded == {"pack.yaml", "content/purchases.yaml", "tasks/buy.yaml", "tools/shop.yaml"}
    assert {f[0] for f in scan(str(root))} == loaded
    assert {f[0] for f in walk_packs(str(root))[str(root)]} == loaded


def _blocked(monkeypatch: pytest.MonkeyPatch, folder: Path) -> None:
    """Listing ``folder`` fails, as chmod 000 would (chmod does not stop root)."""
    real_scandir = os.scandir

    def scandir(path: str) -> Any:
        if os.path.normpath(path) == str(folder):
            raise PermissionError(13, "Permission denied")
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)


def test_a_pack_folder_that_cannot_be_listed_is_a_finding_not_a_gap(
    shelf: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _blocked(monkeypatch, shelf / "alpha" / "tasks")
    code, doc = listing()
    assert code == 1
    assert [(d["path"], d["rule"], d["message"]) for d in doc["diagnostics"]] == [
        (str(shelf / "alpha" / "tasks"), "TK003", "cannot read folder: Permission denied")
    ]


def test_a_content_folder_that_cannot_be_listed_is_said_until_it_can(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    case = copy_example("jsonl-entries-file", tmp_path)  # task_library/ + content_datasets/
    content = case / "content_datasets" / "grocer"
    cache = str(tmp_path / "idx")
    discover_packs([case / "task_library"], search=[], entry_points=False, index=PackIndex(cache))
    with monkeypatch.context() as m:
        _blocked(m, content)
        (pack,) = discover_packs(
            [case / "task_library"], search=[], entry_points=False, index=PackIndex(cache)
        ).packs
        assert [(d.path, d.message) for d in pack.diagnostics] == [
            (str(content), "cannot read folder: Permission denied")
        ]
    (pack,) = discover_packs(
        [case / "task_library"], search=[], entry_points=False, index=PackIndex(cache)
    ).packs
    assert pack.diagnostics == []


def test_a_dotted_entry_point_is_located_without_running_code(tmp_path: Path, monkeypatch) -> None:
    site = tmp_path / "site"
    mini_pack(site / "outer" / "inner", "nested")
    (site / "outer" / "__init__.py").write_text("raise RuntimeError('never imported')\n")
    info = site / "taskkit_pack_nested-0.1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: taskkit-pack-nested\nVersion: 0.1.0\n"
    )
    (info / "entry_points.txt").write_text("[taskkit.packs]\nnested = outer.inner\n")
    monkeypatch.syspath_prepend(str(site))
    found = discover_packs(search=[])
    assert [p.root for p in found.packs if p.name == "nested"] == [str(site / "outer/inner/nested")]
    assert not found.diagnostics
