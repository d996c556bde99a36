"""pack.lock: what it records, what changes a task's hash, and TK602 through the CLI."""

from __future__ import annotations

import json
import re
from pathlib import Path

from packs_helpers import isolated, mini_pack, taskkit  # noqa: F401 - the autouse fixture

from taskkit.library import load_library
from taskkit.packs.lockfile import read_lock, task_hash


def hashes(root: Path) -> dict[str, str | None]:
    lib = load_library([root])
    return {ld.model.id: task_hash(lib, ld) for ld in lib.tasks}  # type: ignore[union-attr]


def locked(tmp_path: Path) -> Path:
    root = mini_pack(tmp_path)
    result = taskkit("pack", "lock", root)
    assert result.exit_code == 0, result.output
    assert "written (1 added)" in result.stderr
    return root


def test_lock_records_each_task_version_and_hash(tmp_path: Path) -> None:
    root = locked(tmp_path)
    doc = json.loads((root / "pack.lock").read_text())
    assert doc["lock_version"] == 1
    assert (doc["pack"], doc["version"]) == ("mini", "1.0.0")
    assert set(doc["tasks"]) == {"buy"}
    assert doc["tasks"]["buy"]["version"] == 1
    assert re.fullmatch(r"sha256:[0-9a-f]{64}", doc["tasks"]["buy"]["hash"])
    assert read_lock(str(root / "pack.lock")).tasks["buy"].hash == doc["tasks"]["buy"]["hash"]
    again = taskkit("pack", "lock", root)
    assert again.exit_code == 0 and "up to date (no change)" in again.stderr


def test_the_hash_ignores_formatting_and_the_version_but_not_content(tmp_path: Path) -> None:
    root = mini_pack(tmp_path)
    task = root / "tasks" / "buy.yaml"
    before = hashes(root)["buy"]
    assert before is not None
    text = task.read_text()
    # comments, flow vs block style, key order and the version itself: same task
    task.write_text(
        "# a comment\n"
        + text.replace("\nversion: 1", "\nversion: 7").replace("category: data\n", "")
        + "category: data\n"
    )
    assert hashes(root)["buy"] == before
    task.write_text(text.replace("Buy {{ qty }}", "Please buy {{ qty }}"))
    assert hashes(root)["buy"] != before


def test_the_hash_covers_the_tools_and_the_content_entries(tmp_path: Path) -> None:
    root = mini_pack(tmp_path)
    before = hashes(root)["buy"]
    tools = root / "tools" / "shop.yaml"
    tools.write_text(tools.read_text().replace("Find items by name.", "Find items by their name."))
    after_tool = hashes(root)["buy"]
    assert after_tool is not None and after_tool != before
    content = root / "content" / "purchases.yaml"
    text = content.read_text()
    assert "qty: 2" in text
    content.write_text(text.replace("qty: 2", "qty: 3", 1))
    assert hashes(root)["buy"] != after_tool


def test_an_edit_without_a_bump_is_tk602_at_the_version_line(tmp_path: Path) -> None:
    root = locked(tmp_path)
    task = root / "tasks" / "buy.yaml"
    task.write_text(task.read_text().replace("Buy {{ qty }}", "Please buy {{ qty }}"))

    strict = taskkit("lint", "--strict", root)
    assert strict.exit_code == 1
    assert re.search(
        r"tasks/buy\.yaml:4:10: TK602 warning task 'buy' changed since pack\.lock recorded it "
        r"at version 1, but its version is still 1 \(bump it to 2, then run `taskkit pack lock",
        strict.stdout,
    ), strict.stdout
    # A warning: compile still works (the task is sound, only its version is stale).
    assert taskkit("lint", root).exit_code == 0

    refused = taskkit("pack", "lock", root)
    assert refused.exit_code == 1
    assert "tasks/buy.yaml:4:10: TK602" in refused.stdout
    assert "not written" in refused.stderr
    assert read_lock(str(root / "pack.lock")).tasks["buy"].version == 1

    task.write_text(task.read_text().replace("\nversion: 1", "\nversion: 2"))
    assert taskkit("lint", "--strict", root).exit_code == 0
    bumped = taskkit("pack", "lock", root)
    assert bumped.exit_code == 0 and "written (1 updated)" in bumped.stderr
    assert read_lock(str(root / "pack.lock")).tasks["buy"].version == 2


def test_force_records_an_unbumped_change(tmp_path: Path) -> None:
    root = locked(tmp_path)
    task = root / "tasks" / "buy.yaml"
    task.write_text(task.read_text().replace("Buy {{ qty }}", "Please buy {{ qty }}"))
    forced = taskkit("pack", "lock", "--force", root)
    assert forced.exit_code == 0, forced.output
    assert taskkit("lint", "--strict", root).exit_code == 0


def test_lock_refuses_a_pack_with_errors_and_a_missing_folder(tmp_path: Path) -> None:
    root = mini_pack(tmp_path)
    (root / "tasks" / "broken.yaml").write_text("kind: task\nschema_version: 1\nid: [\n")
    result = taskkit("pack", "lock", root)
    assert result.exit_code == 1
    assert "broken.yaml" in result.stdout and "TK001" in result.stdout
    assert not (root / "pack.lock").exists()
    missing = taskkit("pack", "lock", tmp_path / "nowhere")
    assert missing.exit_code == 1 and "TK003" in missing.stdout


def test_a_malformed_lock_is_tk604_and_lock_rewrites_it(tmp_path: Path) -> None:
    root = mini_pack(tmp_path)
    (root / "pack.lock").write_text('{"lock_version": 1, "tasks": []}\n')
    strict = taskkit("lint", "--strict", root)
    assert strict.exit_code == 1 and "pack.lock:1:21: TK604" in strict.stdout
    assert taskkit("pack", "lock", root).exit_code == 0
    assert taskkit("lint", "--strict", root).exit_code == 0
