"""States as JSON Patches (RFC 6902) against another state: what a compiled file stores of a
task's gold state and what a trajectory stores of its final state, instead of the whole of a
world that barely changed.

Values compare by JSON value *and* type (``1``, ``1.0`` and ``True`` differ), so applying a
patch gives back exactly the state it was made from. :func:`apply_patch` never mutates its
input: it copies the containers along each changed path and shares everything else.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ..worlds import strict_equal

__all__ = ["PatchError", "apply_patch", "final_state", "make_patch"]


class PatchError(ValueError):
    """A patch that does not fit the document it is applied to."""


def _escape(key: str) -> str:
    return key.replace("~", "~0").replace("/", "~1")


def _unescape(part: str) -> str:
    return part.replace("~1", "/").replace("~0", "~")


def make_patch(before: Any, after: Any) -> list[dict[str, Any]]:
    """The operations (``add``, ``remove``, ``replace``) that turn ``before`` into ``after``."""
    ops: list[dict[str, Any]] = []
    _diff(before, after, "", ops)
    return ops


def _diff(a: Any, b: Any, path: str, ops: list[dict[str, Any]]) -> None:
    if strict_equal(a, b):  # an unchanged collection costs one C-speed comparison
        return
    if isinstance(a, dict) and isinstance(b, dict):
        # in sorted key order: neither a write that re-inserts a key nor a world read back
        # in another key order may reorder the patch (a loaded task writes the same line)
        for key in sorted(a, key=str):
            where = f"{path}/{_escape(key)}"
            if key not in b:
                ops.append({"op": "remove", "path": where})
            else:
                _diff(a[key], b[key], where, ops)
        for key in sorted(b, key=str):
            if key not in a:
                ops.append({"op": "add", "path": f"{path}/{_escape(key)}", "value": b[key]})
        return
    if isinstance(a, list) and isinstance(b, list):
        if len(a) == len(b):
            for i, (x, y) in enumerate(zip(a, b, strict=True)):
                _diff(x, y, f"{path}/{i}", ops)
            return
        if len(b) > len(a) and all(strict_equal(x, y) for x, y in zip(a, b, strict=False)):
            # Appends (a payment, a booking) are the common change of a list.
            ops.extend(
                {"op": "add", "path": f"{path}/{i}", "value": b[i]} for i in range(len(a), len(b))
            )
            return
    if not strict_equal(a, b):
        ops.append({"op": "replace", "path": path, "value": b})


def apply_patch(doc: Any, patch: Sequence[Mapping[str, Any]]) -> Any:
    """``doc`` with ``patch`` applied; ``doc`` itself is left as it was."""
    owned: set[int] = set()  # containers this call copied, so may change in place
    for op in patch:
        kind, path = op.get("op"), op.get("path")
        if kind not in ("add", "remove", "replace") or not isinstance(path, str):
            raise PatchError(f"unsupported patch operation {dict(op)!r}")
        if path == "":
            if kind == "remove":
                raise PatchError("cannot remove the whole document")
            doc = op["value"]
            continue
        if not path.startswith("/"):
            raise PatchError(f"patch path {path!r} does not start with '/'")
        parts = [_unescape(p) for p in path[1:].split("/")]
        doc = _own(doc, owned)
        parent = doc
        for part in parts[:-1]:
            key = _key(parent, part, path)
            child = _own(parent[key], owned)
            parent[key] = child
            parent = child
        last = parts[-1]
        if isinstance(parent, dict):
            if kind != "add" and last not in parent:
                raise PatchError(f"patch path {path!r}: no key {last!r}")
            if kind == "remove":
                del parent[last]
            else:
                parent[last] = op["value"]
        elif isinstance(parent, list):
            if kind == "add":
                index = len(parent) if last == "-" else _index(last, len(parent) + 1, path)
                parent.insert(index, op["value"])
                continue
            index = _index(last, len(parent), path)
            if kind == "remove":
                del parent[index]
            else:
                parent[index] = op["value"]
        else:
            raise PatchError(f"patch path {path!r} goes through a scalar")
    return doc


def _own(value: Any, owned: set[int]) -> Any:
    if id(value) in owned:
        return value
    if isinstance(value, dict):
        value = dict(value)
    elif isinstance(value, list):
        value = list(value)
    else:
        return value
    owned.add(id(value))
    return value


def _key(container: Any, part: str, path: str) -> Any:
    if isinstance(container, dict):
        if part not in container:
            raise PatchError(f"patch path {path!r}: no key {part!r}")
        return part
    if isinstance(container, list):
        return _index(part, len(container), path)
    raise PatchError(f"patch path {path!r} goes through a scalar")


def _index(part: str, size: int, path: str) -> int:
    if not part.isdigit() or int(part) >= size or (len(part) > 1 and part[0] == "0"):
        raise PatchError(f"patch path {path!r}: no index {part!r}")
    return int(part)


def final_state(record: Mapping[str, Any], initial_state: Mapping[str, Any]) -> Any:
    """The final state of a trajectory record, whichever way it was kept: in full
    (``final_state``, ``--full-state``) or as a patch against ``initial_state`` (the
    compiled task's). ``None`` for a record that kept neither (a failed episode)."""
    if "final_state" in record:
        return record["final_state"]
    patch = record.get("final_state_patch")
    if patch is None:
        return None
    return apply_patch(initial_state, patch)
