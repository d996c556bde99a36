"""The nearest tool name to a misspelt one, at a cost that does not grow with the tools.

A symmetric-delete index (as in SymSpell): every name is stored under itself and each of its
one-character deletions; a query looks up its own deletions, which finds every name within
one insertion, deletion, substitution or adjacent swap in O(len(query)) look-ups. Farther
misses are ranked by shared trigrams through an inverted index, for small tool sets only
(in a large one, a trigram like ``get`` is in thousands of names), so the cost stays
bounded. The index is built once per toolset and shared (see
:func:`taskkit.sim.verify.shared_nearest`); a query never costs more than its own length
in look-ups, and a query much longer than every name costs nothing.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from itertools import chain

__all__ = ["NearestNames", "similarity", "trigrams"]

_FALLBACK_LIMIT = 64
"""Tool sets up to this size also answer far misses (by shared trigrams)."""
_MIN_SIMILARITY = 0.4
"""Dice coefficient of trigram sets below which a far miss gets no suggestion."""


def _deletes(word: str) -> list[str]:
    return [word[:i] + word[i + 1 :] for i in range(len(word))]


def trigrams(word: str) -> set[str]:
    """The case-folded three-character pieces of ``word`` (padded, so edges count)."""
    padded = f"  {word.casefold()} "
    return {padded[i : i + 3] for i in range(len(padded) - 2)}


def similarity(a: set[str], b: set[str]) -> float:
    """Dice's coefficient of two trigram sets: 1 for the same, 0 for nothing shared."""
    return 2 * len(a & b) / (len(a) + len(b))


class NearestNames:
    __slots__ = ("_grams", "_index", "_longest", "_names", "_postings", "_ranked")

    def __init__(self, names: Iterable[str]) -> None:
        self._names = sorted(set(names))
        self._longest = max(map(len, self._names), default=0)
        self._index: dict[str, str | list[str]] | None = None  # built on the first miss
        self._grams: list[set[str]] = []
        self._postings: dict[str, list[int]] = {}
        self._ranked: dict[str, set[str]] = {}  # trigrams of names met as candidates

    def _built(self) -> dict[str, str | list[str]]:
        if self._index is None:
            # Most keys hold one name: stored bare, a list only on a collision (a third
            # of the index's memory on large toolsets).
            index: dict[str, str | list[str]] = {}
            for name in self._names:
                for key in (name, *_deletes(name)):
                    held = index.get(key)
                    if held is None:
                        index[key] = name
                    elif isinstance(held, str):
                        if held != name:
                            index[key] = [held, name]
                    elif name not in held:
                        held.append(name)
            if len(self._names) <= _FALLBACK_LIMIT:
                self._grams = [trigrams(n) for n in self._names]
                for i, grams in enumerate(self._grams):
                    for gram in grams:
                        self._postings.setdefault(gram, []).append(i)
            self._index = index
        return self._index

    def nearest(self, query: str) -> str | None:
        if not self._names or len(query) > 2 * self._longest + 2:
            return None  # nothing is near, and looking would cost len(query) squared
        index = self._built()
        found: set[str] = set()
        if len(query) <= self._longest + 1:  # else no name is within one edit
            keys = _deletes(query)
            keys.append(query)
            for held in filter(None, map(index.get, keys)):  # the look-ups run in C
                if type(held) is str:
                    found.add(held)
                else:
                    found.update(held)
        found.discard(query)
        if len(found) == 1:  # the usual typo: no ranking needed
            return found.pop()
        if found:  # several names one edit away: the one sharing most trigrams
            grams = trigrams(query)
            return max(sorted(found), key=lambda n: similarity(grams, self._trigrams_of(n)))
        return self._far(query) if self._postings else None

    def _trigrams_of(self, name: str) -> set[str]:
        grams = self._ranked.get(name)
        if grams is None:
            grams = self._ranked[name] = trigrams(name)
        return grams

    def _far(self, query: str) -> str | None:
        grams = trigrams(query)
        # counted in C: the postings of the query's trigrams, chained
        shared = Counter(chain.from_iterable(self._postings.get(g, ()) for g in grams))
        best, best_score = None, 0.0
        for i, common in sorted(shared.items()):  # by name: ties go to the first
            score = 2 * common / (len(grams) + len(self._grams[i]))
            if score > best_score:
                best, best_score = self._names[i], score
        return best if best_score >= _MIN_SIMILARITY else None
