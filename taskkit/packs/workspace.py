"""Loading whole packs for the pack commands (``pack lock``, ``pack check``).

A target is a pack folder, a folder of packs (a repository, ``task_library/``), or the name
of a discovered pack. Each pack is loaded with its ``content_datasets/<name>/`` folder, and
with the packs it ``requires`` (found among the targets first, then by discovery) so that
cross-pack references resolve. Findings are then reported only for the targeted packs' own
files: a required pack is context, not under review.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field

from ..diagnostics import Diagnostic
from ..library import Library, load_library
from ..rule_ids import FILE_UNREADABLE
from .discovery import Discovery, discover_packs, is_pack_name
from .index import content_dirs, find_pack_roots, manifest_name

__all__ = ["PackFolder", "Workspace", "load_workspace"]


@dataclass(frozen=True)
class PackFolder:
    """A targeted pack: its folder, its name, and every folder its files live in."""

    root: str
    name: str
    folders: tuple[str, ...]

    def owns(self, path: str) -> bool:
        real = os.path.realpath(path)
        return any(
            real == (f := os.path.realpath(folder)) or real.startswith(f + os.sep)
            for folder in self.folders
        )


@dataclass
class Workspace:
    packs: list[PackFolder] = field(default_factory=list)
    library: Library = field(default_factory=Library)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    """Targets that are neither folders with packs nor discovered pack names."""
    paths: list[str] = field(default_factory=list)
    """Everything loaded: the packs' folders, then those of the packs they require."""


def _folder(root: str) -> PackFolder:
    name = manifest_name(root)
    dirs = [os.path.normpath(os.path.join(root, d)) for d in content_dirs(root, name)]
    return PackFolder(root, name, (root, *dirs))


def load_workspace(targets: Sequence[str]) -> Workspace:
    """Load the packs under (or named by) ``targets``, plus what they require."""
    ws = Workspace()
    discovery: Discovery | None = None
    for target in targets:
        if is_pack_name(target):
            discovery = discovery or discover_packs()
            match = discovery.named(target)
            if len(match) == 1:
                ws.packs.append(_folder(match[0].root))
                continue
            problem = "ambiguous: several packs have" if match else "no folder or pack has"
            ws.diagnostics.append(
                Diagnostic(target, 1, 1, FILE_UNREADABLE, f"{problem} the name {target!r}")
            )
            continue
        roots = find_pack_roots(target) if os.path.isdir(target) else []
        if not roots:
            what = "no pack.yaml under" if os.path.isdir(target) else "no such folder:"
            ws.diagnostics.append(
                Diagnostic(
                    target,
                    1,
                    1,
                    FILE_UNREADABLE,
                    f"{what} {target!r}",
                    hint="a pack is a folder with pack.yaml",
                )
            )
        ws.packs.extend(_folder(r) for r in roots)
    paths = [f for p in ws.packs for f in p.folders]
    # Bring in required packs that are not targets (transitively), by discovery.
    have = {p.name for p in ws.packs}
    lib = load_library(paths)
    wanted = _missing_requirements(lib, have)
    while wanted:
        discovery = discovery or discover_packs()
        extra = []
        for name in sorted(wanted):
            have.add(name)
            match = discovery.named(name)
            if len(match) == 1:
                extra.extend(match[0].paths)
        if not extra:
            break
        paths.extend(extra)
        lib = load_library(paths)
        wanted = _missing_requirements(lib, have)
    ws.library = lib
    ws.paths = paths
    return ws


def _missing_requirements(lib: Library, have: set[str]) -> set[str]:
    from ..models import Pack  # noqa: PLC0415 - the models are loaded by now anyway

    out: set[str] = set()
    for ld in lib.packs.values():
        if isinstance(ld.model, Pack):
            out.update(n for n in ld.model.requires if n not in have)
    return out
