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
from typing import Any

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from taskkit.lint import RULES, lint
from taskkit.yamlio import dump_yaml

VALID = sorted(
    p for p in (Path(__file__).parents[2] / "examples" / "valid").iterdir() if p.is_dir()
)

_VALUES = st.sampled_from(
    [None, 0, -1, 1.5, True, "", "x", "{{ nope }}", "shop.nope", [], [1], {}, {"type": "text"}]
)


def _mutate(node: Any, data: st.DataObject) -> None:
    """Change one place below ``node``, a non-empty mapping or list."""
    keys = list(node) if isinstance(node, dict) else list(range(len(node)))
    key = data.draw(st.sampled_from(keys))
    child = node[key]
    if isinstance(child, dict | list) and child and data.draw(st.booleans()):
        _mutate(child, data)
        return
    edit = data.draw(st.sampled_from(["delete", "rename", "replace"]))
    if edit == "delete":
        del node[key]
    elif edit == "rename" and isinstance(node, dict):
        node[f"{key}x"] = node.pop(key)
    else:
        node[key] = data.draw(_VALUES)


@settings(max_examples=150, deadline=None, database=None)
@given(st.sampled_from(VALID), st.data())
def test_lint_reports_any_single_edit_of_a_valid_example(case: Path, data: st.DataObject) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / case.name
        shutil.copytree(case, root)
        path = data.draw(st.sampled_from(sorted(root.rglob("*.yaml"))))
        docs = list(yaml.safe_load_all(path.read_text(encoding="utf-8")))
        mutable = [d for d in docs if isinstance(d, dict | list) and d]
        if mutable:
            _mutate(data.draw(st.sampled_from(mutable)), data)
        path.write_text("---\n".join(dump_yaml(d) for d in docs), encoding="utf-8")
        for deep in (False, True):
            result = lint([root], deep=deep)  # must not raise, whatever the edit
            assert all(d.rule in RULES and d.line >= 1 and d.col >= 1 for d in result.diagnostics)
