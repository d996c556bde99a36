"""The lint cache's records as shard answers, and shard answers as records: how a run stands
the cache's findings in for the files it does not read again (see :mod:`.shards`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..diagnostics import Diagnostic
from ..digests import digest
from ..yamlio import decode
from .answers import Found, Loaded, Stamped
from .cache import LintCache, Record, diag_from, diag_tuple

__all__ = ["Stale", "answer_from", "found_from", "record"]


class Stale(Exception):
    """Cached findings of these files were made with another index."""

    def __init__(self, positions: list[int]) -> None:
        super().__init__(f"{len(positions)} stale records")
        self.positions = positions


def answer_from(known: dict[int, tuple[str, Record]]) -> Loaded:
    """The cache's records, as the answer to round one of a shard that read their files."""
    read: list[tuple[int, list[Diagnostic]]] = []
    check: list[tuple[int, list[Diagnostic]]] = []
    manifests: list[tuple[int, str, str]] = []
    docs: list[tuple[int, bool, Any]] = []
    entry_ids: list[tuple[int, list[Diagnostic]]] = []
    stamps: list[Stamped] = []
    changed: list[int] = []
    for at in sorted(known):
        path, record = known[at]
        read_diags, check_diags, pack_names, documents, duplicates = record.first
        read.append((at, [diag_from(d) for d in read_diags]))
        check.append((at, [diag_from(d) for d in check_diags]))
        entry_ids.append((at, [diag_from(d) for d in duplicates]))
        manifests.extend((at, root, name) for root, name in pack_names)
        text = None
        for is_index, item in documents:
            if is_index:
                text = text if text is not None else _text(path, record.stamp.digest)
                if text is None:
                    changed.append(at)
                    break
            docs.append((at, is_index, (*item[:4], text) if is_index else item))
        stamps.append(Stamped(at, path, record.stamp))
    if changed:
        raise Stale(changed)
    return Loaded(read, check, manifests, docs, entry_ids, stamps)


def _text(path: str, expected: bytes) -> str | None:
    """The text of a file, if it still has the digest ``expected``."""
    try:
        with open(path, "rb") as f:
            raw = f.read()
    except OSError:
        return None
    if digest(raw) != expected:
        return None
    text = decode(path, raw)
    return text if isinstance(text, str) else None


def found_from(known: dict[int, tuple[str, Record]]) -> dict[str, list[Diagnostic]]:
    """The cache's findings of the rules, by rule, in file order."""
    by_rule: dict[str, list[Diagnostic]] = {}
    for at in sorted(known):
        for rule_id, diags in (known[at][1].found or {}).items():
            by_rule.setdefault(rule_id, []).extend(diag_from(d) for d in diags)
    return by_rule


def record(
    cache: LintCache,
    fingerprint: bytes,
    *,
    files: Sequence[tuple[int, str]],
    answer: Loaded,
    docs: list[tuple[int, bool, Any]],
    result: Found,
) -> None:
    """Put in the cache what a shard found in each of its ``files`` (positions, paths)."""
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
    for at, diags in answer.read:
        first[at][0].extend(diag_tuple(d) for d in diags)
    for at, diags in answer.check:
        first[at][1].extend(diag_tuple(d) for d in diags)
    for at, root, name in answer.manifests:
        first[at][2].append((root, name))
    for at, is_index, item in docs:
        # An index document's text is read again from its file when needed: it is most of
        # what the cache would hold.
        first[at][3].append((is_index, (*item[:4], None) if is_index else item))
    for at, diags in answer.entry_ids:
        first[at][4].extend(diag_tuple(d) for d in diags)
    for stamped in answer.stamps:
        cache.put(
            stamped.path,
            Record(
                stamped.stamp,
                first[stamped.at],
                fingerprint,
                found[stamped.at] if keep_found else None,
            ),
        )
