"""docs/extending.md names real places: every file it lists exists, and every registry or
function it names in backticks is defined in the file it is listed with."""

from __future__ import annotations

import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DOC = (REPO / "docs" / "extending.md").read_text(encoding="utf-8")


def test_every_file_named_exists() -> None:
    paths = {p for p in re.findall(r"`((?:taskkit|tests|docs)/[^`<>]+?)`", DOC) if "<" not in p}
    assert paths, "the doc names no files"
    missing = sorted(p for p in paths if not (REPO / p.rstrip("/")).exists())
    assert not missing, f"docs/extending.md names files that do not exist: {missing}"


def test_every_registry_named_is_in_its_file() -> None:
    # "one line in `NAME`" / "the name in `NAME`" / "its line in `NAME`", within one numbered
    # item that begins with the file holding NAME.
    items = re.findall(r"^\d+\. `([^`]+)`:(.*?)(?=^\d+\. |^## |^$)", DOC, re.S | re.M)
    checked = 0
    for path, text in items:
        for name in re.findall(r"in `([A-Z_]+)`", text):
            source = (REPO / path).read_text(encoding="utf-8")
            assert re.search(rf"^{name}\b.*=", source, re.M), f"{name} is not defined in {path}"
            checked += 1
    assert checked >= 8
