"""Bounded memo tables: the least recently used entry goes first.

Long runs meet tasks one after another, each freshly loaded with objects of its own
(schemas, behaviours); a table keyed by them must not keep every one forever. Every memo
table in the package is one of these two (a test fills each past its bound)."""

from __future__ import annotations

import weakref
from collections import OrderedDict
from collections.abc import Hashable
from typing import Any, Generic, TypeVar, overload

__all__ = ["IdentityMemo", "Memo"]

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")
D = TypeVar("D")


class Memo(Generic[K, V]):
    """A dict that keeps its ``size`` most recently used entries."""

    __slots__ = ("_data", "size")

    def __init__(self, size: int) -> None:
        self.size = size
        self._data: OrderedDict[K, V] = OrderedDict()

    def get(self, key: K) -> V | None:
        value = self._data.get(key)
        if value is not None:
            self._data.move_to_end(key)
        return value

    def put(self, key: K, value: V) -> V:
        self._data[key] = value
        self._data.move_to_end(key)
        while len(self._data) > self.size:
            self._data.popitem(last=False)
        return value

    def __len__(self) -> int:
        return len(self._data)

    def clear(self) -> None:
        self._data.clear()


class IdentityMemo(Generic[V]):
    """Values by the identity of an object (and an optional tag), for objects that are not
    hashable or cost too much to hash (schemas, models): keeps its ``size`` most recently
    used entries. The object must not change while it is a key.

    An entry must not let the object's id be reused by another while it lives: it holds a
    weak reference to the object when the object takes one (pydantic models do), so the
    entry of a task's model holds nothing of the task once the task is gone; else (dicts,
    lists) it holds the object itself."""

    __slots__ = ("_memo",)

    def __init__(self, size: int) -> None:
        self._memo: Memo[tuple[int, Hashable], tuple[Any, V]] = Memo(size)

    @property
    def size(self) -> int:
        return self._memo.size

    @overload
    def get(self, obj: object, tag: Hashable = None) -> V | None: ...

    @overload
    def get(self, obj: object, tag: Hashable, default: D) -> V | D: ...

    def get(self, obj: object, tag: Hashable = None, default: Any = None) -> Any:
        """The value held for ``obj`` (and ``tag``), else ``default`` (for values that may
        be ``None``)."""
        hit = self._memo.get((id(obj), tag))
        if hit is None:
            return default
        held = hit[0]
        if held is obj or (type(held) is weakref.ref and held() is obj):
            return hit[1]
        return default

    def put(self, obj: object, value: V, tag: Hashable = None) -> V:
        # asked of the type, not tried: a dict (the common key) refuses a weak reference
        # with an exception, which cost more than the rest of the call
        held: Any = weakref.ref(obj) if type(obj).__weakrefoffset__ else obj
        self._memo.put((id(obj), tag), (held, value))
        return value

    def __len__(self) -> int:
        return len(self._memo)

    def clear(self) -> None:
        self._memo.clear()
