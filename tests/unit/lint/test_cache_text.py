"""The lint cache keeps an index document's data, not its text: a run that takes the document
from the cache reads its file again only to place a finding in it (taskkit/lint/file_text.py)."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from taskkit.diagnostics import format_diagnostics
from taskkit.io import cache_files
from taskkit.io.digests import file_digest
from taskkit.lint import linter as runner
from taskkit.lint.file_text import FileText

EXAMPLES = Path(__file__).parents[2] / "examples"

_watching: list[list[str]] = []
"""While a test watches, the files opened (an audit hook cannot be taken out again)."""


def _audit(event: str, args: tuple[Any, ...]) -> None:
    if _watching and event == "open" and isinstance(args[0], str | os.PathLike):
        _watching[-1].append(os.path.realpath(os.fspath(args[0])))


sys.addaudithook(_audit)


def _lint(root: Path, cache_dir: Path | None) -> tuple[str, list[str]]:
    """lint's findings (text format) and the YAML files under ``root`` it opened."""
    opened: list[str] = []
    _watching.append(opened)
    try:
        result = runner.lint([root], cache_dir=cache_dir)
    finally:
        _watching.pop()
    assert result.cache_error is None
    inside = os.path.realpath(root) + os.sep
    yamls = sorted({p for p in opened if p.startswith(inside) and p.endswith(".yaml")})
    return format_diagnostics(result.diagnostics, "text"), yamls


@pytest.fixture
def old_files(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every file counts as old enough for its stat to vouch for it (no hashing)."""
    monkeypatch.setattr(cache_files, "RACY_NS", -(10**12))


@pytest.mark.usefixtures("old_files")
def test_a_cached_run_without_findings_opens_no_document(tmp_path: Path) -> None:
    root = tmp_path / "lib"
    shutil.copytree(EXAMPLES / "valid" / "cross-pack-references-and-multi-document-files", root)
    expected, read = _lint(root, None)
    assert expected == "" and read
    assert _lint(root, tmp_path / "cache") == (expected, read)  # fills the cache
    assert _lint(root, tmp_path / "cache") == (expected, [])


@pytest.mark.usefixtures("old_files")
def test_a_finding_in_a_cached_dataset_is_placed_by_reading_that_file_only(
    tmp_path: Path,
) -> None:
    root = tmp_path / "lib"
    shutil.copytree(EXAMPLES / "invalid" / "TK502-unused-content", root)
    expected, _ = _lint(root, None)
    unused = root / "mini" / "content" / "old_purchases.yaml"
    assert f"{unused}:3:7: TK502" in expected
    _lint(root, tmp_path / "cache")
    assert _lint(root, tmp_path / "cache") == (expected, [os.path.realpath(unused)])


def test_a_document_whose_file_changed_since_is_placed_at_its_top(tmp_path: Path) -> None:
    path = tmp_path / "pack.yaml"
    path.write_text("# a pack\nkind: pack\nname: mini\n", encoding="utf-8")
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    same = FileText.unread(str(path), data, 0, file_digest(path))
    changed = FileText.unread(str(path), data, 0, file_digest(path))
    assert same.locate(("name",)) == (3, 7)
    path.write_text("kind: pack\n\n\n\nname: mini\n", encoding="utf-8")
    assert changed.text == ""
    assert changed.locate(("name",)) == (1, 1)
    assert same.locate(("name",)) == (3, 7)  # read once, when first asked for
