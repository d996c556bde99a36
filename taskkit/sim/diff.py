"""State comparison: the final state against the gold state, with declared ignores, and a
readable diff (records added / changed / removed per collection, like AppWorld's)."""

from __future__ import annotations

import json
import marshal
from collections.abc import Sequence
from typing import Any, Literal

__all__ = [
    "StateDiff",
    "Types",
    "copy_json",
    "diff_states",
    "states_equal",
    "strip_ignored",
    "values_equal",
]

Types = Literal["json", "strict"]
"""How strictly values compare: ``json`` (``1 == 1.0``, but a boolean equals only a
boolean) or ``strict`` (an int never equals a float either, as a hash of the values sees
them)."""


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


def _json_number(value: Any) -> Any:
    """``value`` with integral floats written as ints, so that ``1`` and ``1.0`` have one
    canonical text (booleans stay ``true``/``false``: JSON never confuses them)."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {k: _json_number(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_json_number(v) for v in value]
    return value


def _typed_canon(value: Any, types: Types) -> str:
    return _canon(value if types == "strict" else _json_number(value))


def _same(a: Any, b: Any, types: Types) -> bool:
    """:func:`values_equal`, fast for the usual case of two equal collections: equal by
    ``==`` and serialised to the same bytes by :mod:`marshal` (which tags every value with
    its type: ``True``, ``1`` and ``1.0`` differ) is equal however strict, at C speed (a
    walk in Python cost a hundred times ``==`` on a 2,000-record state). Anything else,
    such as the same record with its keys in another order, takes the typed walk."""
    if a is b:
        return True
    if a != b:
        return False  # ``==`` is looser than either mode: unequal by it, unequal by both
    try:
        # version 2: no back-references, so equal values give equal bytes however they
        # share objects
        if marshal.dumps(a, 2) == marshal.dumps(b, 2):
            return True
    except ValueError:  # not marshallable: not JSON either; let the walk judge
        pass
    return values_equal(a, b, types)


def values_equal(a: Any, b: Any, types: Types = "json") -> bool:
    """Equal as JSON values: ``True`` never equals ``1`` (Python's ``==`` says it does);
    with ``types="strict"`` an int never equals a float either."""
    if a is b:
        return True
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, int | float) and isinstance(b, int | float):
        return a == b and (types == "json" or type(a) is type(b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(values_equal(a[k], b[k], types) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(
            values_equal(x, y, types) for x, y in zip(a, b, strict=True)
        )
    return type(a) is type(b) and bool(a == b)


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


def _keyed(records: list[Any], types: Types) -> dict[str, tuple[Any, Any]]:
    """A list's records by ``id`` (others by their canonical text): ``{key: (id, record)}``."""
    out: dict[str, tuple[Any, Any]] = {}
    for i, rec in enumerate(records):
        if isinstance(rec, dict) and "id" in rec:
            out[f"id:{rec['id']}"] = (rec["id"], rec)
        else:
            key = f"v:{_typed_canon(rec, types)}"
            while key in out:
                key += f"#{i}"
            out[key] = (None, rec)
    return out


def _is_keyed_collection(value: Any) -> bool:
    """An object keyed by id whose values are records (``{"u1": {...}, "u2": {...}}``)."""
    return isinstance(value, dict) and all(isinstance(v, dict) for v in value.values())


def _records(value: Any, types: Types) -> dict[str, tuple[Any, Any]] | None:
    """``value``'s records by key, or ``None`` when it is not a collection."""
    if value is None:
        return {}
    if isinstance(value, list):
        return _keyed(value, types)
    if _is_keyed_collection(value):
        return {f"id:{k}": (k, v) for k, v in value.items()}
    return None


def _with_id(key: Any, record: Any) -> Any:
    """An added or removed record as a reader needs it: a keyed collection's records carry
    no id field, so the key is put in front (a list's records have theirs already)."""
    if key is None or not isinstance(record, dict) or "id" in record:
        return record
    return {"id": key, **record}


def diff_states(before: dict[str, Any], after: dict[str, Any], types: Types = "json") -> StateDiff:
    """Per top-level key: records added, removed and changed, matched by ``id`` in a list of
    records and by key in an object keyed by id."""
    diff = StateDiff()
    for name in sorted(set(before) | set(after), key=str):
        a, b = before.get(name), after.get(name)
        if _same(a, b, types):
            continue
        ka, kb = _records(a, types), _records(b, types)
        if ka is not None and kb is not None and (a is None or b is None or type(a) is type(b)):
            entry: dict[str, list[Any]] = {
                "added": [_with_id(*kb[k]) for k in kb if k not in ka],
                "removed": [_with_id(*ka[k]) for k in ka if k not in kb],
                "changed": [
                    {"id": ka[k][0], "before": ka[k][1], "after": kb[k][1]}
                    for k in ka
                    if k in kb and not _same(ka[k][1], kb[k][1], types)
                ],
            }
        else:
            entry = {"added": [], "removed": [], "changed": [{"id": None, "before": a, "after": b}]}
        diff[name] = {k: v for k, v in entry.items() if v}
    return diff


def _same_collection(a: Any, b: Any, types: Types) -> bool:
    """:func:`_same`, record by record for two keyed collections: the records an episode
    never wrote are the initial state's own objects, as are most of the gold state's, so
    only the records that are not the same object are compared (serialising 2,500 equal
    records to compare them cost milliseconds at every episode's end)."""
    if type(a) is dict and type(b) is dict and a is not b:
        if a.keys() != b.keys():
            return False
        return all(x is b[k] or _same(x, b[k], types) for k, x in a.items())
    return _same(a, b, types)


def states_equal(a: dict[str, Any], b: dict[str, Any], types: Types = "json") -> bool:
    """Equal as JSON, with collections compared as multisets (record order is not meaning).

    ``types``: see :data:`Types`."""
    if set(a) != set(b):
        return False
    for k, x in a.items():
        y = b[k]
        if _same_collection(x, y, types):
            continue  # only the collections that differ pay for canonical text
        if isinstance(x, list) and isinstance(y, list):
            if len(x) != len(y):
                return False
            if sorted(_typed_canon(r, types) for r in x) != sorted(
                _typed_canon(r, types) for r in y
            ):
                return False
        else:
            return False
    return True
