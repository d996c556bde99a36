"""Lint never fails on a library one edit away from a valid one.

Each example starts from a valid example library and changes one place in one of its
documents: deletes a key or an item, renames a key, or puts another value there (a wrong
type, an empty collection, an unknown tool name, a template naming no field). Whatever it
says, ``taskkit lint`` and ``taskkit lint --deep`` report it as diagnostics. This found a
``kind: []`` crashing the loader, a ``required:`` left empty crashing TK304, and ``--deep``
compiling tasks whose tools the other rules had already refused.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from edits import edit_one_place
from hypothesis import given, settings
from hypothesis import strategies as st

from taskkit.compiler.deep import compile_findings
from taskkit.lint import RULES, lint

VALID = sorted(
    p for p in (Path(__file__).parents[2] / "examples" / "valid").iterdir() if p.is_dir()
)


@settings(max_examples=150, deadline=None, database=None)
@given(st.sampled_from(VALID), st.data())
def test_lint_reports_any_single_edit_of_a_valid_example(case: Path, data: st.DataObject) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / case.name
        shutil.copytree(case, root)
        edit_one_place(data.draw(st.sampled_from(sorted(root.rglob("*.yaml")))), data)
        for deep in (False, True):
            result = lint(
                [root], compile_phase=compile_findings if deep else None
            )  # must not raise, whatever the edit
            assert all(d.rule in RULES and d.line >= 1 and d.col >= 1 for d in result.diagnostics)
