"""The nearest tool name to a misspelt one, at a cost that does not grow with the tools.

A symmetric-delete index (as in SymSpell): every name is stored under itself and each of its
one-character deletions; a query looks up its own deletions, which finds every name within
one insertion, deletion, substitution or adjacent swap in O(len(query)) look-ups. Farther
misses fall back to :mod:`difflib`, but only for small tool sets, so the cost stays bounded.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

__all__ = ["NearestNames"]

_FALLBACK_LIMIT = 64


def _deletes(word: str) -> set[str]:
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


class NearestNames:
    __slots__ = ("_index", "_names")

    def __init__(self, names: Iterable[str]) -> None:
        self._names = sorted(set(names))
        self._index: dict[str, list[str]] | None = None  # built on the first miss

    def _built(self) -> dict[str, list[str]]:
        if self._index is None:
            index: dict[str, list[str]] = {}
            for name in self._names:
                for key in (name, *_deletes(name)):
                    index.setdefault(key, []).append(name)
            self._index = index
        return self._index

    def nearest(self, query: str) -> str | None:
        index = self._built()
        found: set[str] = set()
        for key in (query, *_deletes(query)):
            found.update(index.get(key, ()))
        found.discard(query)
        if len(found) == 1:  # the usual typo: no ranking needed, and ranking is the cost
            return found.pop()
        if found:
            return max(sorted(found), key=lambda n: difflib.SequenceMatcher(None, query, n).ratio())
        if len(self._names) <= _FALLBACK_LIMIT:
            close = difflib.get_close_matches(query, self._names, n=1, cutoff=0.6)
            return close[0] if close else None
        return None
