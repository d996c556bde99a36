"""Dotted paths into JSON values: ``address.zip``, ``payment_methods.credit_card_1.amount``,
``flights.0.date``.

A path is a dotted string or a sequence of keys (a key taken from the agent's arguments may
itself hold a dot: pass a list then). A segment of digits indexes a list. Reading is total: a
segment that does not exist (a missing key, an index out of range, a step into a scalar) reads
as :data:`MISSING`, never a ``KeyError``. Writing is pure: :func:`set_path` and
:func:`delete_path` return a new value and copy only the containers along the path, so a record
shared with the compiled task's initial state is never changed (copy-on-write at record level).

Paths are bounded (:data:`MAX_DEPTH` segments, :data:`MAX_CHARS` characters): a path may be
rendered from the agent's arguments, and a hostile one must cost no more than a short one. An
unusable path raises :class:`PathError`, a ``ValueError`` that the simulator reports to the
agent as a tool error.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from typing import Any, Final

__all__ = [
    "MAX_CHARS",
    "MAX_DEPTH",
    "MISSING",
    "Path",
    "PathError",
    "delete_path",
    "get_parts",
    "get_path",
    "has_path",
    "set_path",
    "split_path",
]

MAX_DEPTH: Final = 32
"""The most segments a path may have (real records nest a handful deep)."""
MAX_CHARS: Final = 1024
"""The longest a path (all its segments together) may be."""
_MAX_INDEX_DIGITS: Final = 9
"""A list index of more digits addresses nothing (and ``int()`` of 5,000 digits raises)."""

Path = str | Sequence[str | int]
"""A dotted string, or the keys one by one."""


class _Missing(enum.Enum):
    MISSING = "MISSING"

    def __bool__(self) -> bool:
        return False

    def __repr__(self) -> str:
        return "MISSING"


MISSING: Final = _Missing.MISSING
"""What a path that leads nowhere reads as (distinct from a stored ``null``)."""


class PathError(ValueError):
    """A path that cannot be used: empty, an empty segment, too deep or too long, or a write
    through a value that is not a container."""


def split_path(path: Path) -> tuple[str | int, ...]:
    """The segments of ``path``; raises :class:`PathError` for an unusable one."""
    if isinstance(path, str):
        if len(path) > MAX_CHARS:
            raise PathError(f"path of {len(path)} characters (at most {MAX_CHARS})")
        parts: tuple[str | int, ...] = tuple(path.split("."))
    elif isinstance(path, Sequence):
        parts = tuple(path[: MAX_DEPTH + 1])
        if len(path) > MAX_DEPTH:
            raise PathError(f"path of {len(path)} segments (at most {MAX_DEPTH})")
        if any(not isinstance(p, str | int) or isinstance(p, bool) for p in parts):
            raise PathError(f"path segments must be strings or integers, got {list(parts)!r}")
        if sum(len(p) for p in parts if isinstance(p, str)) > MAX_CHARS:
            raise PathError(f"path longer than {MAX_CHARS} characters")
    else:
        raise PathError(f"a path is a dotted string or a list of keys, got {path!r}")
    if not parts:
        raise PathError("empty path")
    if len(parts) > MAX_DEPTH:
        raise PathError(f"path of {len(parts)} segments (at most {MAX_DEPTH})")
    if any(p == "" for p in parts):
        raise PathError(f"empty segment in path {path!r}")
    return parts


def _index(seg: str | int, size: int) -> int | None:
    """The list position ``seg`` names, or ``None`` (negative, not digits, out of range)."""
    if isinstance(seg, int):
        i = seg
    elif seg.isascii() and seg.isdigit() and len(seg) <= _MAX_INDEX_DIGITS:
        i = int(seg)
    else:
        return None
    return i if 0 <= i < size else None


def _child(value: Any, seg: str | int) -> Any:
    if isinstance(value, dict):
        return value.get(seg if isinstance(seg, str) else str(seg), MISSING)
    if isinstance(value, list):
        i = _index(seg, len(value))
        return MISSING if i is None else value[i]
    return MISSING


def get_path(obj: Any, path: Path) -> Any:
    """The value at ``path`` in ``obj``, or :data:`MISSING`."""
    if type(path) is str and type(obj) is dict and "." not in path and 0 < len(path) <= MAX_CHARS:
        return obj.get(path, MISSING)  # the common case, once per record of a scan
    return get_parts(obj, split_path(path))


def get_parts(obj: Any, parts: tuple[str | int, ...]) -> Any:
    """:func:`get_path` for segments :func:`split_path` gave already: not checked again
    (an index reads one path from every record of a collection)."""
    value = obj
    for seg in parts:
        value = _child(value, seg)
        if value is MISSING:
            return MISSING
    return value


def has_path(obj: Any, path: Path) -> bool:
    return get_path(obj, path) is not MISSING


def set_path(obj: Any, path: Path, value: Any) -> Any:
    """A copy of ``obj`` with ``value`` at ``path``; missing objects on the way are created.

    Only the containers along the path are copied (shallowly). A list index must exist;
    stepping through a scalar raises :class:`PathError`."""
    return _set(obj, split_path(path), value, path)


def _set(obj: Any, parts: tuple[str | int, ...], value: Any, path: Path) -> Any:
    seg, rest = parts[0], parts[1:]
    if isinstance(obj, dict):
        key = seg if isinstance(seg, str) else str(seg)
        out = dict(obj)
        out[key] = _set(obj.get(key, {}), rest, value, path) if rest else value
        return out
    if isinstance(obj, list):
        i = _index(seg, len(obj))
        if i is None:
            raise PathError(f"no item {seg!r} in a list of {len(obj)} (path {path!r})")
        items = list(obj)
        items[i] = _set(obj[i], rest, value, path) if rest else value
        return items
    raise PathError(f"cannot set {path!r}: {seg!r} is inside a {type(obj).__name__}")


def delete_path(obj: Any, path: Path) -> Any:
    """A copy of ``obj`` without what is at ``path`` (a key or a list item); ``obj`` itself
    when nothing is there."""
    parts = split_path(path)
    if get_path(obj, parts) is MISSING:
        return obj
    return _delete(obj, parts)


def _delete(obj: Any, parts: tuple[str | int, ...]) -> Any:
    seg, rest = parts[0], parts[1:]
    if isinstance(obj, dict):
        key = seg if isinstance(seg, str) else str(seg)
        out = dict(obj)
        if rest:
            out[key] = _delete(obj[key], rest)
        else:
            del out[key]
        return out
    i = _index(seg, len(obj))
    assert i is not None  # get_path found it
    items = list(obj)
    if rest:
        items[i] = _delete(obj[i], rest)
    else:
        del items[i]
    return items
