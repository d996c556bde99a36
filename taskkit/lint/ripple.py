"""Which cached records an edit makes stale, foreseen before anything is read: the tasks that
name an index document (a toolset, dataset, evaluator, pack manifest) of a changed file.

Without the forecast, a run learns that those tasks' findings cannot stand only after it has
read the changed files and worked out every fingerprint (:class:`.reuse.Stale`), and must
then start over with them. Told now, they are read in the same pass as the changed files.

Only a forecast: a record it misses is still caught by the fingerprints (:mod:`.shards`),
and a record it names needlessly is linted again, which is always correct. It reads the
cache's records as they were written, unchecked, so anything not so shaped is passed over.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from ..library import Library, namespace
from .cache import Record

__all__ = ["dependents"]

Key = tuple[str, str, str]
"""An index document's ``(kind, pack, name)``, as :class:`.cache.Fingerprints` keys them."""


def dependents(
    records: Mapping[str, Record],
    known: Mapping[int, tuple[str, Record]],
    changed: Iterable[str],
) -> list[int]:
    """The positions in ``known`` (cached records of unchanged files) of the files with a
    task that names an index document the ``changed`` files held when they were recorded."""
    names = _pack_names(records.values())
    touched: set[Key] = set()
    for path in changed:
        old = records.get(path)
        if old is not None:
            touched.update(_index_keys(old, names))
    if not touched:
        return []
    kinds = {kind for kind, _, _ in touched}
    verdicts: dict[tuple[str | None, str], bool] = {}
    out: list[int] = []
    for at, (path, record) in known.items():
        for root, refs in _task_refs(record):
            key = (root if root is not None else path, refs)
            verdict = verdicts.get(key)
            if verdict is None:
                pack = namespace(path, root, names)
                verdict = verdicts[key] = _reads(pack, refs, kinds, touched)
            if verdict:
                out.append(at)
                break
    return out


def _pack_names(records: Iterable[Record]) -> dict[str, str]:
    """Each pack root's name, as the manifests recorded it (the first of a root wins, as in
    a run; any difference now changes the names every fingerprint holds anyway)."""
    names: dict[str, str] = {}
    for record in records:
        first = record.first
        try:
            manifests = first[2]
            if manifests:
                for root, name in manifests:
                    if type(root) is str and type(name) is str:
                        names.setdefault(root, name)
        except (TypeError, ValueError, IndexError, KeyError):
            continue
    return names


def _index_keys(record: Record, names: dict[str, str]) -> list[Key]:
    keys: list[Key] = []
    try:
        for is_index, item in record.first[3]:
            if is_index is True:
                path, root, _, data = item[:4]
                kind, name = data.get("kind"), data.get("name")
                if type(kind) is str and type(name) is str:
                    pack = "" if kind == "pack" else namespace(path, root, names)
                    keys.append((kind, pack, name))
    except (TypeError, ValueError, IndexError, KeyError, AttributeError):
        pass
    return keys


def _task_refs(record: Record) -> list[tuple[str | None, str]]:
    """Each task's pack root and references (:func:`.depends.task_refs`, a line each)."""
    found: list[tuple[str | None, str]] = []
    try:
        for is_index, item in record.first[3]:
            if is_index is False:
                root, refs = item[1], item[5]
                if (root is None or type(root) is str) and type(refs) is str and refs:
                    found.append((root, refs))
    except (TypeError, ValueError, IndexError, KeyError):
        pass
    return found


def _reads(pack: str, refs: str, kinds: set[str], touched: set[Key]) -> bool:
    for ref in refs.split("\n"):
        kind, _, name = ref.partition(":")
        if kind not in kinds:
            continue
        want: Any = ("pack", "", pack) if kind == "pack" else (kind, *Library.resolve(pack, name))
        if want in touched:
            return True
    return False
