"""Which findings follow from a document that failed to load.

A task that names a tool of a toolset with a typo in it gets "unknown tool" for every tool
it offers, and so does every other task of the pack: the toolset's own error is the one to
fix. The rules that look documents up by name (TK202, TK203, TK204) say, when the whole
document is missing, which one they looked for (:func:`missing`); once every finding is in,
:func:`link` names the file of a document of that kind and name that failed to load, and
:func:`taskkit.diagnostics.fold` puts the findings under that file's first error.

Linking happens after the lint cache (the names are what it keeps), so it is right however
the findings were gathered: in shards, from the cache, or in one pass.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import replace

from ..diagnostics import Diagnostic, Severity
from ..io.yamlio import load_yaml_file
from ..library import Library, PackFinder, namespace

__all__ = ["LOADER_RULES", "link", "missing"]

_MISSING = "missing "

LOADER_RULES = ("TK0", "TK1")
"""Rule-id prefixes of the findings that keep a document from loading (reading, kinds,
schema versions, schemas)."""


def missing(kind: str, pack: str, name: str) -> str:
    """The :attr:`~taskkit.diagnostics.Diagnostic.cause` of a finding that a ``kind``
    document named ``name`` in ``pack`` was not found."""
    return f"{_MISSING}{kind} {pack}/{name}"


def link(diags: Sequence[Diagnostic], lib: Library, *, max_bytes: int) -> list[Diagnostic]:
    """``diags`` with each :func:`missing` cause replaced by the path of a file holding such a
    document that failed to load, or dropped (the finding is a root cause) when none did."""
    wanted = {d.cause for d in diags if d.cause is not None and d.cause.startswith(_MISSING)}
    if not wanted:
        return list(diags)
    broken = sorted(
        {
            d.path
            for d in diags
            if d.cause is None and d.severity is Severity.ERROR and d.rule.startswith(LOADER_RULES)
        }
    )
    names = {os.path.dirname(os.path.abspath(ld.path)): name for name, ld in lib.packs.items()}
    finder = PackFinder()
    found: dict[str, str] = {}
    for path in broken:
        if not os.path.isfile(path):
            continue
        root = finder.pack_root(os.path.dirname(os.path.abspath(path)))
        # Few files fail to load, and only their names are wanted: read them again rather
        # than carry every invalid document's name through the shards and the cache.
        for doc in load_yaml_file(path, max_bytes=max_bytes).documents:
            data = doc.data
            if not isinstance(data, dict):
                continue
            kind, name = data.get("kind"), data.get("name")
            if isinstance(kind, str) and isinstance(name, str):
                found.setdefault(missing(kind, namespace(path, root, names), name), path)
    return [
        replace(d, cause=found.get(d.cause)) if d.cause is not None and d.cause in wanted else d
        for d in diags
    ]
