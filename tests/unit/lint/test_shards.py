"""Linting in shards finds exactly what one pass over the whole library finds: the same
diagnostics, messages, hints and pointers, in the same order."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from taskkit.diagnostics import format_diagnostics
from taskkit.library import load_library
from taskkit.lint import linter as runner
from taskkit.lint import shards
from taskkit.lint.linter import lint_library
from taskkit.runtime import parallel
from taskkit.runtime.parallel import WorkerError
from tests.conftest import LIBRARY

EXAMPLES = Path(__file__).parents[2] / "examples"
CASES = sorted(
    p for kind in ("valid", "invalid") for p in (EXAMPLES / kind).iterdir() if p.is_dir()
)


def whole(paths: list[Path]) -> tuple[str, int]:
    result = lint_library(load_library(paths))
    return format_diagnostics(result.diagnostics, "json"), result.files


def sharded(paths: list[Path], n: int | None) -> tuple[str, int]:
    result = runner._lint_in_shards(paths, shards=n)
    return format_diagnostics(result.diagnostics, "json"), result.files


@pytest.mark.parametrize("case", CASES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_any_number_of_shards_finds_what_one_pass_finds(case: Path) -> None:
    expected = whole([case])
    for n in (1, 2, 5):
        assert sharded([case], n) == expected


def test_the_bundled_library_in_shards() -> None:
    expected = whole(LIBRARY)
    assert sharded(LIBRARY, 3) == expected


def test_all_invalid_examples_together_in_shards() -> None:
    # One library of many small packs: cross-file rules (duplicate ids, unused content)
    # see documents from several shards.
    paths = [p for p in CASES if p.parent.name == "invalid"]
    assert sharded(paths, 4) == whole(paths)


def test_forked_workers_find_what_one_pass_finds(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TASKKIT_JOBS", "2")
    monkeypatch.setattr(parallel, "MIN_PER_WORKER", 1)
    paths = [*LIBRARY, *(p for p in CASES if p.parent.name == "invalid")]
    assert parallel.workers(100) == 2  # so two processes really are forked
    assert sharded(paths, None) == whole(paths)


@pytest.mark.parametrize("step", ["meanwhile", "second"])
def test_a_failing_worker_is_an_error_with_its_traceback(
    monkeypatch: pytest.MonkeyPatch, step: str
) -> None:
    """Also when it fails before reading its second-round input, which is larger than a
    pipe holds: the coordinator, still sending it, gets the traceback, not a broken pipe."""
    monkeypatch.setenv("TASKKIT_JOBS", "2")
    monkeypatch.setattr(parallel, "MIN_PER_WORKER", 1)

    def broken(self: object, *args: object) -> bytes:
        raise ValueError("boom in a shard")

    monkeypatch.setattr(shards._Shard, step, broken)
    paths = [*LIBRARY, *(p for p in CASES if p.parent.name == "invalid")]
    with pytest.raises(WorkerError, match="boom in a shard"):
        runner._lint_in_shards(paths)


def test_split_keeps_every_file_once_and_folders_together(tmp_path: Path) -> None:
    files = []
    for folder in range(6):
        for i in range(10):
            path = tmp_path / f"d{folder}" / f"f{i}.yaml"
            path.parent.mkdir(exist_ok=True)
            path.write_text("x" * (100 * (folder + 1)))
            files.append(str(path))
    parts = shards.split(files, 3)
    assert sorted(f for part in parts for f in part) == sorted(files)
    for part in parts:
        assert part, "no shard is left empty"
    folders = [{os.path.dirname(f) for f in part} for part in parts]
    assert sum(map(len, folders)) == len(set().union(*folders)) == 6
