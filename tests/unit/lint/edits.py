"""Edits an author might make to a document, drawn by Hypothesis: shared by the properties
that lint survives any edit and that its cache follows every edit."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from hypothesis import strategies as st

from taskkit.io.yamlio import dump_yaml

_VALUES = st.sampled_from(
    [None, 0, -1, 1.5, True, "", "x", "{{ nope }}", "shop.nope", [], [1], {}, {"type": "text"}]
)


def edit_one_place(path: Path, data: st.DataObject) -> None:
    """Change one place in one document of the YAML file ``path``: delete a key or an item,
    rename a key, or put another value there (a wrong type, an empty collection, an unknown
    tool name, a template naming no field)."""
    docs = list(yaml.safe_load_all(path.read_text(encoding="utf-8")))
    mutable = [d for d in docs if isinstance(d, dict | list) and d]
    if mutable:
        _mutate(data.draw(st.sampled_from(mutable)), data)
    path.write_text("---\n".join(dump_yaml(d) for d in docs), encoding="utf-8")


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
