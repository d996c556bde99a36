"""Walking a folder tree the one way taskkit does: the library loader, the pack index and
the lint cache all list folders through :func:`walk`, so that they agree on what a pack is.

The policy: hidden entries (a name starting with ``.``) and tool folders
(:data:`SKIP_DIRS`) are left out; links to folders are not followed (a link can make a
cycle, or bring another pack's files in twice); a folder that cannot be listed is a
diagnostic, never a silent gap (its documents would be missing without a word).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import NamedTuple

from ..diagnostics import Diagnostic
from ..rule_ids import FILE_UNREADABLE

__all__ = ["SKIP_DIRS", "Folder", "is_file", "unreadable_folder", "walk"]

SKIP_DIRS = frozenset({"__pycache__", "node_modules", "venv", ".venv"})
"""Folders of tools, never of packs."""


class Folder(NamedTuple):
    path: str
    """As reached from ``top``: ``top`` joined with the names of the folders on the way."""
    entries: list[os.DirEntry[str]]
    """Everything in it but hidden entries, in name order."""
    folders: list[os.DirEntry[str]]
    """The subfolders :func:`walk` enters next, in name order: take one out to prune it."""


def walk(top: str, diags: list[Diagnostic]) -> Iterator[Folder]:
    """Every folder under ``top`` (``top`` first), each before its subfolders, depth first
    in name order. A folder that cannot be listed is a diagnostic in ``diags``."""
    stack = [top]
    while stack:
        path = stack.pop()
        try:
            with os.scandir(path) as it:
                entries = sorted((e for e in it if not e.name.startswith(".")), key=_name)
        except OSError as exc:
            diags.append(unreadable_folder(path, exc))
            continue
        folders = [e for e in entries if _enters(e)]
        yield Folder(path, entries, folders)
        stack.extend(e.path for e in reversed(folders))


def is_file(entry: os.DirEntry[str]) -> bool:
    """Whether ``entry`` is for the reader to open: anything but a folder (links followed:
    a dangling link, a FIFO or a device is, and the reader says what is wrong with it)."""
    try:
        return not entry.is_dir()
    except OSError:
        return True


def unreadable_folder(path: str, exc: OSError) -> Diagnostic:
    return Diagnostic(
        os.path.normpath(path),
        1,
        1,
        FILE_UNREADABLE,
        f"cannot read folder: {exc.strerror or exc}",
        hint="its documents are not checked; fix its permissions",
    )


def _name(entry: os.DirEntry[str]) -> str:
    return entry.name


def _enters(entry: os.DirEntry[str]) -> bool:
    if entry.name in SKIP_DIRS:
        return False
    try:
        return entry.is_dir(follow_symlinks=False)
    except OSError:
        return False
