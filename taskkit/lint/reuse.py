"""The lint cache's records as shard answers, and shard answers as records: how a run stands
the cache's findings in for the files it does not read again (see :mod:`.shards`).

A record read from the cache is checked for shape here, where it is used: one that is not
as :func:`record` writes it is a miss (its file is read again), never an error."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..diagnostics import Diagnostic
from .cache import LintCache, Record, diag_from, diag_tuple
from .shard_results import Found, Loaded, Stamped

__all__ = ["Stale", "answer_from", "record"]


class Stale(Exception):
    """Cached findings of these files cannot stand: made with another index, or not shaped
    as written."""

    def __init__(self, positions: list[int]) -> None:
        super().__init__(f"{len(positions)} stale records")
        self.positions = positions


class _Misshapen(ValueError):
    pass


def answer_from(
    known: dict[int, tuple[str, Record]], memo: dict[int, tuple[Any, ...]] | None = None
) -> tuple[Loaded, dict[str, list[Diagnostic]]]:
    """The cache's records, as the answer to round one of a shard that read their files,
    and the rules' findings in them, by rule, in file order. Raises :class:`Stale` with
    the records that are not shaped as written. ``memo`` keeps each record's checked parts
    for another attempt (after a :class:`Stale`)."""
    memo = {} if memo is None else memo
    read: list[tuple[int, list[Diagnostic]]] = []
    check: list[tuple[int, list[Diagnostic]]] = []
    manifests: list[tuple[int, str, str]] = []
    docs: list[tuple[int, bool, Any]] = []
    per_document: list[tuple[int, list[Diagnostic]]] = []
    stamps: list[Stamped] = []
    by_rule: dict[str, list[Diagnostic]] = {}
    changed: list[int] = []
    for at in sorted(known):
        path, record = known[at]
        parts = memo.get(at)
        if parts is None:
            try:
                parts = _parts(path, record)
            except (_Misshapen, ValueError, TypeError):
                changed.append(at)
                continue
            memo[at] = parts
        read_diags, check_diags, pack_names, documents, duplicates, found = parts
        # Most files have no diagnostics: an empty list says nothing (and would be sorted).
        if read_diags:
            read.append((at, read_diags))
        if check_diags:
            check.append((at, check_diags))
        if duplicates:
            per_document.append((at, duplicates))
        for root, name in pack_names:
            manifests.append((at, root, name))
        for is_index, item in documents:
            docs.append((at, is_index, item))
        for rule_id, diags in found.items():
            by_rule.setdefault(rule_id, []).extend(diags)
        stamps.append(Stamped(at, path, record.stamp))
    if changed:
        raise Stale(changed)
    return Loaded(read, check, manifests, docs, per_document, stamps), by_rule


def _parts(path: str, record: Record) -> tuple[Any, ...]:
    """A record's parts, checked and typed."""
    first = record.first
    if type(first) not in (list, tuple) or len(first) != 5:
        raise _Misshapen
    read_diags, check_diags, pack_names, documents, duplicates = first
    if type(pack_names) not in (list, tuple) or type(documents) not in (list, tuple):
        raise _Misshapen
    names: list[tuple[str, str]] = []
    for root, name in pack_names:
        if type(root) is not str or type(name) is not str:
            raise _Misshapen
        names.append((root, name))
    items: list[tuple[bool, Any]] = []
    for is_index, item in documents:
        if type(is_index) is not bool or type(item) not in (list, tuple):
            raise _Misshapen
        if is_index:
            doc_path, root, number, data, _ = item
            if (
                doc_path != path
                or (root is not None and type(root) is not str)
                or type(number) is not int
                or type(data) is not dict
                or type(data.get("kind")) is not str
                or type(data.get("name")) is not str
            ):
                raise _Misshapen
            # An index document's text is not kept: read from its file if a finding needs
            # it (the file's digest in its place, see .file_text).
            items.append((True, (doc_path, root, number, data, record.stamp.digest)))
        else:
            doc_path, root, number, task_id, content, refs = item
            if not (
                type(doc_path) is str
                and (root is None or type(root) is str)
                and type(number) is int
                and (task_id is None or type(task_id) is str)
                and (content is None or type(content) is str)
                and type(refs) is str
            ):
                raise _Misshapen
            items.append((False, item))
    found: dict[str, list[Diagnostic]] = {}
    if record.found:  # most files: no findings
        for rule_id, diags in record.found.items():
            if type(rule_id) is not str or type(diags) not in (list, tuple):
                raise _Misshapen
            found[rule_id] = [diag_from(d) for d in diags]
    return (
        _diags(read_diags),
        _diags(check_diags),
        names,
        items,
        _diags(duplicates),
        found,
    )


def _diags(value: Any) -> list[Diagnostic]:
    if type(value) is list or type(value) is tuple:
        return [diag_from(d) for d in value] if value else []
    raise _Misshapen


def record(
    cache: LintCache,
    fingerprints: dict[int, bytes],
    *,
    files: Sequence[tuple[int, str]],
    answer: Loaded,
    docs: list[tuple[int, bool, Any]],
    result: Found,
) -> None:
    """Put in the cache what a shard found in each of its ``files`` (positions, paths), with
    each file's fingerprint of what the rules read besides it."""
    own = {path: at for at, path in files}
    found: dict[int, dict[str, list[tuple[Any, ...]]]] = {at: {} for at in own.values()}
    keep_found = True
    for rule_id, diags in result.by_rule.items():
        for d in diags:
            owner = d.path if d.path in own else result.owners.get(d.path)
            if owner not in own:
                keep_found = False  # no telling whose it is: findings are not kept
                continue
            found[own[owner]].setdefault(rule_id, []).append(diag_tuple(d))
    first: dict[int, tuple[list[Any], list[Any], list[Any], list[Any], list[Any]]] = {
        at: ([], [], [], [], []) for at in own.values()
    }
    exact = dict.fromkeys(own.values(), True)
    for at, diags in answer.read:
        first[at][0].extend(diag_tuple(d) for d in diags)
    for at, diags in answer.check:
        first[at][1].extend(diag_tuple(d) for d in diags)
    for at, root, name in answer.manifests:
        first[at][2].append((root, name))
    for at, is_index, item in docs:
        # An index document's text is read again from its file when needed: it is most of
        # what the cache would hold. Its data is YAML's: JSON may not say it exactly.
        if is_index:
            exact[at] = False
        first[at][3].append((is_index, (*item[:4], None) if is_index else item))
    for at, diags in answer.per_document:
        first[at][4].extend(diag_tuple(d) for d in diags)
    for stamped in answer.stamps:
        cache.put(
            stamped.path,
            Record(
                stamped.stamp,
                first[stamped.at],
                fingerprints[stamped.at],
                found[stamped.at] if keep_found else None,
                exact[stamped.at],
            ),
        )
