"""A collection of the world state, in either of its two shapes.

- a **list** of records, each with an ``id`` field (as in taskkit's first packs);
- a **keyed object** ``{key: record}``: the key is the record's id and the record needs no
  id field (as in tau-bench's data files).

Every operation addresses a record by its id in both shapes, with exact matching
(:func:`taskkit.sim.records.eq_key`: ``"A1"`` is not ``"a1"``, ``1`` is ``1.0``, ``True`` is
not ``1``). A record is located by its *key*: its position in a list, its key in an object.

Lookups do not scan: a keyed object is its own id index, and a list gets an id index (and,
per field path, equality indexes) built on first use and kept up to date by :func:`put` and
:func:`remove`. Indexes are held beside the containers (by identity, with the container kept
alive, so an identity is never reused while indexed), least recently used first out. They
stay correct as long as containers change only through this module; a caller that changed
one some other way (a trusted Python handler) calls :func:`forget`. A found record is always
checked again, so a forgotten ``forget`` can cost a miss, never a wrong record.

:func:`put` and :func:`remove` change the container in place: the caller owns it (the episode
copies it first with :func:`clone`, which carries the index along). Records themselves are
never changed in place; :func:`put` stores a new one.
"""

from __future__ import annotations

import threading
from bisect import insort
from collections import OrderedDict
from collections.abc import Hashable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Final, TypeGuard

from .paths import MISSING, Path, get_parts, split_path
from .records import eq_key, equalities, matches, memberships

__all__ = [
    "Collection",
    "Key",
    "at",
    "clone",
    "entries",
    "equal_keys",
    "find",
    "forget",
    "forget_all",
    "is_collection",
    "is_keyed",
    "locate",
    "lookup",
    "member_keys",
    "new_id",
    "put",
    "record_id",
    "records",
    "remove",
    "remove_keys",
    "store",
]

Collection = list[Any] | dict[str, Any]
Key = int | str
"""Where a record sits: a position in a list, a key in a keyed object."""

SCAN_BELOW: Final = 32
"""Smaller collections are scanned: an index would cost more than it saves."""
_MAX_INDEXED: Final = 64
"""Containers with an index at once (least recently used first out)."""
_MAX_INDEXED_RECORDS: Final = 2_000_000
"""Records covered by all indexes at once, so many large containers cannot exhaust memory."""


def is_collection(value: Any) -> TypeGuard[Collection]:
    return isinstance(value, list | dict)


def is_keyed(coll: Collection) -> TypeGuard[dict[str, Any]]:
    return isinstance(coll, dict)


def entries(coll: Collection) -> Iterator[tuple[Key, dict[str, Any]]]:
    """``(key, record)`` for every record (an item that is not an object is no record)."""
    pairs: Any = coll.items() if isinstance(coll, dict) else enumerate(coll)
    for key, rec in pairs:
        if isinstance(rec, dict):
            yield key, rec


def records(coll: Collection) -> Iterator[dict[str, Any]]:
    """The records, in order (a keyed object's values)."""
    for _, rec in entries(coll):
        yield rec


def record_id(coll: Collection, key: Key, record: dict[str, Any]) -> Any:
    """The id of the record at ``key``: the key of a keyed object, the ``id`` of a list's."""
    return key if isinstance(coll, dict) else record.get("id")


def locate(coll: Collection, rid: Any) -> Key | None:
    """Where the record with id ``rid`` sits, or ``None`` (the first, if ids repeat)."""
    if isinstance(coll, dict):
        key = _as_key(rid)
        return key if key is not None and isinstance(coll.get(key), dict) else None
    want = eq_key(rid)
    if want is None:
        return None
    if len(coll) >= SCAN_BELOW:
        index = _index(coll)
        pos = index.ids.get(want) if index.ids is not None else None
        if pos is not None and _id_at(coll, pos) == want:
            return pos
        if pos is None and index.fresh(coll):
            return None
        forget(coll)  # changed behind our back: rebuild, and answer from a scan now
    for pos, rec in enumerate(coll):
        if isinstance(rec, dict) and eq_key(rec.get("id", MISSING)) == want:
            return pos
    return None


def lookup(coll: Collection, rid: Any) -> dict[str, Any] | None:
    """The record with id ``rid``, or ``None``."""
    key = locate(coll, rid)
    return None if key is None else at(coll, key)


def at(coll: Collection, key: Key) -> dict[str, Any]:
    """The record at ``key`` (from :func:`locate`, :func:`entries` or :func:`find`)."""
    rec = coll[key]  # type: ignore[index]
    if not isinstance(rec, dict):
        raise ValueError(f"no record at {key!r}")
    return rec


def find(coll: Collection, where: Mapping[str, Any] | None) -> list[tuple[Key, dict[str, Any]]]:
    """``(key, record)`` of every record matching ``where``, in order. The exact equality
    and ``in`` conditions are answered from indexes when the collection is large; the
    other conditions are then checked on their candidates only."""
    candidates = _indexed_keys(coll, where) if len(coll) >= SCAN_BELOW else None
    if candidates is None:
        return [(k, r) for k, r in entries(coll) if matches(r, where)]
    found = []
    for key in candidates:
        rec = coll[key]  # type: ignore[index]
        if isinstance(rec, dict) and matches(rec, where):
            found.append((key, rec))
    return found


_INTERSECT_WITHIN: Final = 16
"""An index's candidates are narrowed by another condition's only when that one's are at
most this many times as many: a set of a large bucket costs more than checking the few
records of a small one."""


def _indexed_keys(coll: Collection, where: Mapping[str, Any] | None) -> list[Key] | None:
    """Where the records matching every indexed condition of ``where`` may sit, in order:
    the smallest condition's candidates, narrowed by the others' (``origin`` and
    ``destination`` each match 14 of 300 flights, both together 3); ``None`` when no
    condition can be answered from an index."""
    index: _Index | None = None
    buckets = []
    for path, values in _indexable(where):
        wants = _wanted(values)
        if wants is not None:
            index = index or _fresh_index(coll)
            buckets.append(_ordinals(index, coll, path, wants))
    if index is None:
        return None
    buckets.sort(key=len)
    ordinals = buckets[0]
    for other in buckets[1:]:
        if not ordinals or len(other) > _INTERSECT_WITHIN * len(ordinals):
            break
        members = set(other)
        ordinals = [o for o in ordinals if o in members]
    return _keys_at(index, coll, ordinals)


def _indexable(where: Mapping[str, Any] | None) -> Iterator[tuple[Path, list[Any]]]:
    for path, value in equalities(where):
        yield path, [value]
    yield from memberships(where)


def put(coll: Collection, rid: Any, record: dict[str, Any]) -> Key:
    """Store ``record`` as the record with id ``rid`` (replacing it, or adding it at the end)
    in ``coll``, which the caller owns. A list's record gets its ``id`` field (first, as
    inserted records always had it); a keyed object's key must be a string (a whole number is
    written as one)."""
    if isinstance(coll, dict):
        key = _object_key(rid)
        index = _live_index(coll)
        old = coll.get(key)
        coll[key] = record
        if index is not None:
            index.replaced(key, old, record, coll)
        return key
    if "id" not in record or eq_key(record["id"]) != eq_key(rid):
        record = {"id": rid, **{k: v for k, v in record.items() if k != "id"}}
    pos = locate(coll, rid)
    if pos is None:
        index = _live_index(coll)
        coll.append(record)
        pos = len(coll) - 1
        if index is not None:
            index.appended(pos, record, coll)
    else:
        store(coll, pos, record)
    return pos


def store(coll: Collection, key: Key, record: dict[str, Any]) -> None:
    """Replace the record at ``key`` (it exists) of ``coll``, which the caller owns."""
    index = _live_index(coll)
    old = coll[key]  # type: ignore[index]
    coll[key] = record  # type: ignore[index]
    if index is not None:
        index.replaced(key, old, record, coll)


def remove_keys(coll: Collection, keys: Iterable[Key]) -> list[dict[str, Any]]:
    """Take the records at ``keys`` out of ``coll`` (the caller owns it); them, in order."""
    wanted = list(keys)
    removed = [at(coll, k) for k in wanted]
    if isinstance(coll, dict):
        index = _live_index(coll)
        for key, old in zip(wanted, removed, strict=True):
            assert isinstance(key, str)
            del coll[key]
            if index is not None:
                index.removed_key(key, old, coll)
    else:
        for pos in sorted({k for k in wanted if isinstance(k, int)}, reverse=True):
            del coll[pos]
        forget(coll)  # positions moved: cheaper to rebuild on the next lookup
    return removed


def remove(coll: Collection, rid: Any) -> dict[str, Any] | None:
    """Take the record with id ``rid`` out of ``coll`` (the caller owns it); the record, or
    ``None`` when there was none."""
    key = locate(coll, rid)
    return None if key is None else remove_keys(coll, [key])[0]


def new_id(coll: Collection, prefix: str) -> str:
    """The id an insert without one gets: ``prefix`` and the first free number from the
    collection's size on (deterministic: the same state gives the same id)."""
    n = len(coll) + 1
    while locate(coll, f"{prefix}{n}") is not None:
        n += 1
    return f"{prefix}{n}"


def clone(coll: Collection) -> Collection:
    """A shallow copy of ``coll`` (records shared, never changed in place) with a copy of the
    original's indexes, so the first write of an episode does not rebuild them."""
    copy: Collection = dict(coll) if isinstance(coll, dict) else list(coll)
    if len(coll) >= SCAN_BELOW:
        # Index the original too: it is the task's initial state, shared by every episode
        # that writes it next; built once there, each of them copies it for a dict copy.
        _remember(copy, _fresh_index(coll).copy_for(copy))
    return copy


def equal_keys(coll: Collection, path: Path, value: Any) -> list[Key] | None:
    """Where the records whose value at ``path`` equals ``value`` may sit, in order, from an
    equality index; ``None`` when the index cannot answer (a small collection, a value an
    index cannot hold) and the caller should scan. Candidates only: the caller still checks
    each record (an index never makes a wrong record match)."""
    return member_keys(coll, path, [value])


def member_keys(coll: Collection, path: Path, values: list[Any]) -> list[Key] | None:
    """:func:`equal_keys` for an ``in`` condition: where the records whose value at ``path``
    equals one of ``values`` may sit, in order; ``None`` when the index cannot answer (a
    small collection, a value an index cannot hold, such as a list)."""
    wants = _wanted(values)
    if wants is None or len(coll) < SCAN_BELOW:
        return None
    index = _fresh_index(coll)
    return _keys_at(index, coll, _ordinals(index, coll, path, wants))


def _wanted(values: list[Any]) -> list[Hashable] | None:
    """The index keys of ``values``; ``None`` when one is a value no index holds."""
    wants = [eq_key(value) for value in values]
    return None if None in wants else wants


def _ordinals(index: _Index, coll: Collection, path: Path, wants: list[Hashable]) -> list[int]:
    """The ordinals of the records whose value at ``path`` has one of the index keys
    ``wants``, in order, from the equality index of ``coll``."""
    table = index.equality(split_path(path), coll)
    if len(wants) == 1:
        return table.get(wants[0], [])  # a bucket is in order already
    return sorted({o for want in wants for o in table.get(want, ())})


def _keys_at(index: _Index, coll: Collection, ordinals: list[int]) -> list[Key]:
    if isinstance(coll, dict):
        key_at = index.key_at
        return [key_at(o) for o in ordinals]  # type: ignore[misc]
    return list(ordinals)


def forget(coll: Collection) -> None:
    """Drop the indexes of ``coll`` (after it was changed other than through this module)."""
    with _LOCK:
        _dropped(_INDEXES.pop(id(coll), None))


def _dropped(index: _Index | None) -> None:
    """An index no longer kept up to date: a copy made from it must not trust it since."""
    if index is not None:
        index.writes += 1
        _COVERED.records -= index.counted
        index.counted = 0


def forget_all(state: dict[str, Any]) -> None:
    """:func:`forget` every collection of a state (after a Python handler ran on it)."""
    for value in state.values():
        if is_collection(value):
            forget(value)


# --- indexes -------------------------------------------------------------------------------


def _id_at(coll: list[Any], pos: int) -> Hashable | None:
    if pos >= len(coll) or not isinstance(coll[pos], dict):
        return None
    return eq_key(coll[pos].get("id", MISSING))


def _as_key(rid: Any) -> str | None:
    """The key of a keyed object that ``rid`` names: JSON keys are strings, so a whole number
    names the key written with its digits; nothing else names a key."""
    if isinstance(rid, str):
        return rid
    if isinstance(rid, int) and not isinstance(rid, bool):
        return str(rid)
    return None


def _object_key(rid: Any) -> str:
    key = _as_key(rid)
    if key is None:
        raise ValueError(f"a keyed collection's keys are strings, got {rid!r}")
    return key


def _value_key(rec: Any, parts: tuple[str | int, ...]) -> Hashable | None:
    if not isinstance(rec, dict):
        return None
    value = get_parts(rec, parts)
    return None if value is MISSING else eq_key(value)


@dataclass
class _Index:
    """The indexes of one container. Records are numbered by *ordinal*: a list's position;
    for a keyed object, the order keys were first seen (``order_keys[ordinal]``, ``None``
    once removed), so equality buckets list records in the object's order.

    A copy (:func:`clone`) shares the equality tables of its original, and while it has not
    been written, builds a missing one on its original to share: every episode of a task
    copies the task's collection before its first write, and rebuilding a table of 2,000
    records for each was most of a call's time. A bucket (a list) is never changed in place,
    only replaced; a shared table is changed through a layer of its own (:class:`_Layer`)."""

    container: Collection
    size: int
    ids: dict[Hashable, int] | None = None
    eq: dict[tuple[str | int, ...], dict[Hashable, list[int]]] = field(default_factory=dict)
    order_keys: list[str | None] = field(default_factory=list)
    ordinal: dict[str, int] = field(default_factory=dict)
    keys_shared: bool = False
    """``order_keys`` and ``ordinal`` are another index's too (copied before a change)."""
    added: dict[str, int] = field(default_factory=dict)
    added_keys: list[str] = field(default_factory=list)
    """Keys added while ``order_keys`` and ``ordinal`` are shared, and their ordinals (after
    the shared ones): an episode's first insert into a 2,000-record object added one key,
    and copying both tables for it cost more than the insert."""
    shared: set[tuple[str | int, ...]] = field(default_factory=set)
    """The tables of ``eq`` another index holds too (copied before a change)."""
    writes: int = 0
    counted: int = 0
    """Its records as :data:`_COVERED` counts them (its size when last remembered)."""
    origin: tuple[_Index, int] | None = None
    """The index this one was copied from, and its ``writes`` then; ``None`` once either
    has changed since."""

    @classmethod
    def build(cls, coll: Collection) -> _Index:
        index = cls(coll, len(coll))
        if isinstance(coll, dict):
            keys = list(coll)
            index.order_keys = list(keys)
            index.ordinal = {k: i for i, k in enumerate(keys)}
        else:
            ids: dict[Hashable, int] = {}
            for pos, rec in enumerate(coll):
                if isinstance(rec, dict):
                    key = eq_key(rec.get("id", MISSING))
                    if key is not None:
                        ids.setdefault(key, pos)
            index.ids = ids
        return index

    def fresh(self, coll: Collection) -> bool:
        return self.container is coll and self.size == len(coll)

    def copy_for(self, coll: Collection) -> _Index:
        if self.added:
            self._own_keys()  # the copy shares tables, not additions kept beside them
        self.shared.update(self.eq)
        self.keys_shared = True
        return _Index(
            coll,
            self.size,
            ids=dict(self.ids) if self.ids is not None else None,
            eq=dict(self.eq),
            order_keys=self.order_keys,
            ordinal=self.ordinal,
            keys_shared=True,
            shared=set(self.eq),
            origin=(self, self.writes),
        )

    def _own_keys(self) -> None:
        if self.keys_shared:
            self.order_keys = [*self.order_keys, *self.added_keys]
            self.ordinal = {**self.ordinal, **self.added}
            self.added, self.added_keys = {}, []
            self.keys_shared = False

    def ordinal_of(self, key: str) -> int | None:
        found = self.ordinal.get(key)
        return self.added.get(key) if found is None and self.added else found

    def key_at(self, ordinal: int) -> str | None:
        shared = len(self.order_keys)
        return self.order_keys[ordinal] if ordinal < shared else self.added_keys[ordinal - shared]

    def _add_key(self, key: str) -> int:
        ordinal = len(self.order_keys) + len(self.added_keys)
        if self.keys_shared:
            self.added[key] = ordinal
            self.added_keys.append(key)
        else:
            self.ordinal[key] = ordinal
            self.order_keys.append(key)
        return ordinal

    def equality(self, parts: tuple[str | int, ...], coll: Collection) -> dict[Hashable, list[int]]:
        table = self.eq.get(parts)
        if table is not None:
            return table
        if self.origin is not None and self.writes == 0:
            origin, writes = self.origin
            if origin.writes == writes and origin.fresh(origin.container):
                table = origin.equality(parts, origin.container)  # the same records
                origin.shared.add(parts)
                self.shared.add(parts)
                self.eq[parts] = table
                return table
        table = {}
        ordinals = {**self.ordinal, **self.added} if self.added else self.ordinal
        pairs: Any = (
            ((ordinals[k], r) for k, r in coll.items())
            if isinstance(coll, dict)
            else enumerate(coll)
        )
        for ordinal, rec in pairs:
            key = _value_key(rec, parts)
            if key is not None:
                table.setdefault(key, []).append(ordinal)
        self.eq[parts] = table
        return table

    def _reindex(self, ordinal: int, old: Any, new: Any) -> None:
        self.writes += 1
        self.origin = None
        for parts in list(self.eq):
            before, after = _value_key(old, parts), _value_key(new, parts)
            if before == after:
                continue
            if parts in self.shared:  # another index's too: this one's own copy first
                self.eq[parts] = _Layer.over(self.eq[parts])
                self.shared.discard(parts)
            table = self.eq[parts]
            if before is not None:
                table[before] = [o for o in table[before] if o != ordinal]
            if after is not None:
                bucket = list(table.get(after, ()))
                insort(bucket, ordinal)
                table[after] = bucket

    def appended(self, pos: int, record: dict[str, Any], coll: Collection) -> None:
        if self.ids is not None:
            key = eq_key(record.get("id", MISSING))
            if key is not None:
                self.ids.setdefault(key, pos)
        self._reindex(pos, None, record)
        self.size = len(coll)

    def replaced(self, key: Key, old: Any, record: dict[str, Any], coll: Collection) -> None:
        if isinstance(key, str):
            found = self.ordinal_of(key)
            ordinal = self._add_key(key) if found is None else found
        else:
            ordinal = key
            if self.ids is not None:
                before, after = _value_key(old, ("id",)), eq_key(record.get("id", MISSING))
                if before != after:  # an id changed: rare; rebuild rather than patch
                    forget(coll)
                    return
        self._reindex(ordinal, old, record)
        self.size = len(coll)

    def removed_key(self, key: str, old: Any, coll: Collection) -> None:
        self._own_keys()
        ordinal = self.ordinal.pop(key)
        self.order_keys[ordinal] = None
        self._reindex(ordinal, old, None)
        self.size = len(coll)


class _Layer(dict[Hashable, list[int]]):
    """An equality table's changes over a shared table (which nobody changes): the keys
    changed here, the others read from below. A copy's first write changes a bucket or
    two of a table of 2,000; copying the whole table for them cost more than the write."""

    __slots__ = ("below",)

    below: dict[Hashable, list[int]]

    @classmethod
    def over(cls, table: dict[Hashable, list[int]]) -> _Layer:
        layer = cls()
        if isinstance(table, _Layer):  # one layer deep at most: the changes, copied
            layer.update(table)
            table = table.below
        layer.below = table
        return layer

    def __missing__(self, key: Hashable) -> list[int]:
        return self.below[key]

    def get(self, key: Hashable, default: Any = None) -> Any:
        found = dict.get(self, key, _UNSET)
        return self.below.get(key, default) if found is _UNSET else found


_UNSET: Any = object()

_LOCK = threading.Lock()
_INDEXES: OrderedDict[int, _Index] = OrderedDict()


class _Covered:
    """The records the indexes of :data:`_INDEXES` cover, kept as they come and go: summing
    them on every copy of a collection cost more than the copy's index."""

    records = 0


_COVERED = _Covered()


def _index(coll: Collection) -> _Index:
    with _LOCK:
        index = _INDEXES.get(id(coll))
        if index is not None and index.container is coll:
            _INDEXES.move_to_end(id(coll))
            return index
    index = _Index.build(coll)
    _remember(coll, index)
    return index


def _fresh_index(coll: Collection) -> _Index:
    """The index of ``coll``, rebuilt if it was changed behind this module's back."""
    index = _index(coll)
    if not index.fresh(coll):
        forget(coll)
        index = _index(coll)
    return index


def _live_index(coll: Collection) -> _Index | None:
    """The index of ``coll`` to keep up to date with a write, if it has a current one."""
    index = _INDEXES.get(id(coll))
    if index is None:
        return None
    if not index.fresh(coll):
        forget(coll)
        return None
    return index


def _remember(coll: Collection, index: _Index) -> None:
    with _LOCK:
        replaced = _INDEXES.get(id(coll))
        if replaced is not index:
            _dropped(replaced)
        else:  # counted afresh
            _COVERED.records -= index.counted
        _INDEXES[id(coll)] = index
        _INDEXES.move_to_end(id(coll))
        index.counted = index.size
        _COVERED.records += index.size
        while len(_INDEXES) > 1 and (
            len(_INDEXES) > _MAX_INDEXED or _COVERED.records > _MAX_INDEXED_RECORDS
        ):
            _, dropped = _INDEXES.popitem(last=False)
            _dropped(dropped)
