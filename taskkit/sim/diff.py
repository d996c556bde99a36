"""State comparison: the final state against the gold state, with declared ignores, and a
readable diff (records added / changed / removed per collection, like AppWorld's)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

__all__ = ["StateDiff", "copy_json", "diff_states", "states_equal", "strip_ignored"]


def copy_json(value: Any) -> Any:
    """A deep copy of JSON-like data, several times faster than :func:`copy.deepcopy`."""
    if isinstance(value, dict):
        return {k: copy_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [copy_json(v) for v in value]
    return value


def strip_ignored(state: Any, ignore: Sequence[str]) -> Any:
    """A copy of ``state`` without the dotted paths in ``ignore`` (``*``: any key/index)."""
    if not ignore:
        return state
    patterns = [p.split(".") for p in ignore]
    return _strip(state, patterns)


def _strip(value: Any, patterns: list[list[str]]) -> Any:
    if not patterns:
        return value
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            rest = [p[1:] for p in patterns if p and p[0] in ("*", k)]
            if any(not r for r in rest):
                continue  # this key itself is ignored
            out[k] = _strip(v, rest)
        return out
    if isinstance(value, list):
        out_list = []
        for i, v in enumerate(value):
            rest = [p[1:] for p in patterns if p and p[0] in ("*", str(i))]
            if any(not r for r in rest):
                continue
            out_list.append(_strip(v, rest))
        return out_list
    return value


def _canon(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), default=str)


class StateDiff(dict[str, dict[str, list[Any]]]):
    """``{collection: {"added": [...], "removed": [...], "changed": [{id, before, after}]}}``."""

    def counts(self, collection: str) -> dict[str, int]:
        d = self.get(collection, {})
        return {k: len(d.get(k, [])) for k in ("added", "removed", "changed")}

    def summary(self, limit: int = 6) -> str:
        lines: list[str] = []
        for coll, d in self.items():
            for rec in d.get("added", []):
                lines.append(f"+ {coll}: {_canon(rec)}")
            for rec in d.get("removed", []):
                lines.append(f"- {coll}: {_canon(rec)}")
            for ch in d.get("changed", []):
                lines.append(
                    f"~ {coll}[{ch['id']}]: {_canon(ch['before'])} -> {_canon(ch['after'])}"
                )
        if len(lines) > limit:
            lines = [*lines[:limit], f"... {len(lines) - limit} more"]
        return "\n".join(lines)


def _keyed(records: list[Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for i, rec in enumerate(records):
        if isinstance(rec, dict) and "id" in rec:
            out[f"id:{rec['id']}"] = rec
        else:
            key = f"v:{_canon(rec)}"
            while key in out:
                key += f"#{i}"
            out[key] = rec
    return out


def _by_key(value: Any) -> bool:
    """A collection keyed by id (``{key: record}``), or none."""
    return value is None or (
        isinstance(value, dict) and all(isinstance(v, dict) for v in value.values())
    )


def diff_states(before: dict[str, Any], after: dict[str, Any]) -> StateDiff:
    """Per top-level key: records added, removed and changed (matched by ``id``: a list's
    records by their ``id`` field, a keyed collection's by their key)."""
    diff = StateDiff()
    for name in sorted(set(before) | set(after), key=str):
        a, b = before.get(name), after.get(name)
        if a == b:
            continue
        if isinstance(a, list | None) and isinstance(b, list | None):
            ka, kb = _keyed(a or []), _keyed(b or [])
            entry: dict[str, list[Any]] = {
                "added": [kb[k] for k in kb if k not in ka],
                "removed": [ka[k] for k in ka if k not in kb],
                "changed": [
                    {"id": ka[k].get("id"), "before": ka[k], "after": kb[k]}
                    for k in ka
                    if k in kb and ka[k] != kb[k]
                ],
            }
        elif _by_key(a) and _by_key(b):  # collections keyed by id: the key is the id
            ka, kb = a or {}, b or {}
            entry = {
                "added": [{"id": k, **kb[k]} for k in kb if k not in ka],
                "removed": [{"id": k, **ka[k]} for k in ka if k not in kb],
                "changed": [
                    {"id": k, "before": ka[k], "after": kb[k]}
                    for k in ka
                    if k in kb and ka[k] != kb[k]
                ],
            }
        else:
            entry = {"added": [], "removed": [], "changed": [{"id": None, "before": a, "after": b}]}
        diff[name] = {k: v for k, v in entry.items() if v}
    return diff


def states_equal(a: dict[str, Any], b: dict[str, Any]) -> bool:
    """Equal as JSON, with collections compared as multisets (record order is not meaning)."""
    if a == b:
        return True
    if set(a) != set(b):
        return False
    for k, x in a.items():
        y = b[k]
        if x == y:
            continue  # only the collections that differ pay for canonical text
        if isinstance(x, list) and isinstance(y, list):
            if len(x) != len(y) or sorted(map(_canon, x)) != sorted(map(_canon, y)):
                return False
        elif _canon(x) != _canon(y):
            return False
    return True
