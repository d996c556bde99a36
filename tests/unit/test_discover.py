"""Which files lint and compile read: every YAML file under the paths given, once each."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from taskkit.library import discover


def names(paths: list[Path], base: Path) -> list[str]:
    files, diags = discover(paths)
    assert not diags
    return [os.path.relpath(f, base) for f in files]


def make(root: Path, *files: str) -> None:
    for name in files:
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text("kind: task\n")


def test_yaml_files_in_every_folder_but_hidden_and_tool_folders(tmp_path: Path) -> None:
    make(
        tmp_path,
        "pack.yaml",
        "tasks/a.yml",
        "tasks/b.yaml",
        "tasks/notes.txt",
        "tasks/.hidden.yaml",
        ".git/config.yaml",
        "node_modules/x.yaml",
        "venv/y.yaml",
        "__pycache__/z.yaml",
        "deep/er/still.yaml",
    )
    assert names([tmp_path], tmp_path) == [
        "deep/er/still.yaml",
        "pack.yaml",
        "tasks/a.yml",
        "tasks/b.yaml",
    ]


def test_a_file_reached_twice_is_read_once_under_the_name_met_first(tmp_path: Path) -> None:
    make(tmp_path, "lib/tasks/real.yaml")
    (tmp_path / "lib" / "alias.yaml").symlink_to(tmp_path / "lib" / "tasks" / "real.yaml")
    # Files before subfolders: the link is met first, and a path given again is ignored.
    assert names([tmp_path / "lib", tmp_path / "lib" / "tasks" / "real.yaml"], tmp_path) == [
        "lib/alias.yaml"
    ]


def test_links_to_folders_are_not_followed(tmp_path: Path) -> None:
    make(tmp_path, "elsewhere/t.yaml", "lib/pack.yaml")
    (tmp_path / "lib" / "linked").symlink_to(tmp_path / "elsewhere")
    assert names([tmp_path / "lib"], tmp_path) == ["lib/pack.yaml"]


def test_a_dangling_link_is_listed_so_that_reading_it_is_a_finding(tmp_path: Path) -> None:
    (tmp_path / "gone.yaml").symlink_to(tmp_path / "nowhere.yaml")
    assert names([tmp_path], tmp_path) == ["gone.yaml"]


def test_a_missing_path_is_a_finding(tmp_path: Path) -> None:
    files, diags = discover([tmp_path / "nope"])
    assert files == []
    assert [(d.rule, d.line, d.col) for d in diags] == [("TK003", 1, 1)]


def test_a_folder_that_cannot_be_listed_is_a_diagnostic_not_a_skip(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from taskkit import library

    (tmp_path / "pack" / "tasks").mkdir(parents=True)
    (tmp_path / "pack" / "pack.yaml").write_text("kind: pack\n")
    (tmp_path / "pack" / "tasks" / "t.yaml").write_text("kind: task\n")
    real_scandir = os.scandir
    blocked = os.path.join(str(tmp_path / "pack"), "tasks")

    def scandir(path: str) -> Any:  # as chmod 000 would (chmod does not stop root)
        if os.path.normpath(path) == blocked:
            raise PermissionError(13, "Permission denied")
        return real_scandir(path)

    monkeypatch.setattr(library.os, "scandir", scandir)
    files, diags = library.discover([tmp_path / "pack"])
    assert files == [os.path.normpath(tmp_path / "pack" / "pack.yaml")]
    assert [(d.path, d.rule, d.message) for d in diags] == [
        (blocked, "TK003", "cannot read folder: Permission denied")
    ]


def test_a_pack_yaml_that_is_a_folder_is_a_diagnostic(tmp_path: Path) -> None:
    from taskkit import library

    (tmp_path / "pack" / "pack.yaml").mkdir(parents=True)
    (tmp_path / "pack" / "pack.yaml" / "x.yaml").write_text("kind: pack\n")
    files, diags = library.discover([tmp_path / "pack"])
    assert files == []
    assert [d.message for d in diags] == [
        "pack.yaml is a folder, not a file: the pack has no manifest"
    ]
