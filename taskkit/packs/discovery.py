"""Finding packs: on the command line, on the search path, and in installed distributions.

Three sources, in this order:

1. **paths** given on the command line (a pack folder, or any folder holding packs);
2. the **search path**: the folders in ``TASKKIT_PATH`` (separated by ``os.pathsep``, like
   ``PATH``), each a pack folder or a folder of packs (``task_library/`` style, with an
   optional sibling ``content_datasets/``);
3. **installed distributions** that declare an entry point in the group ``taskkit.packs``
   whose value is an importable package: the packs are the pack folders inside that
   package's directory. The package is located, never imported, so installing a pack runs
   none of its code.

The same folder found twice (a path that is also on the search path, an editable install)
is one pack. Two different folders with the same pack name are a clash: a TK201 diagnostic
naming both, and neither is used by name until one is removed or renamed -- never a silent
override.
"""

from __future__ import annotations

import importlib.util
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Literal

from ..diagnostics import Diagnostic, Severity, did_you_mean
from ..rule_ids import DUPLICATE_ID, FILE_UNREADABLE
from .index import MANIFEST, FileStat, PackIndex, Summary, walk_packs

__all__ = [
    "ENTRY_POINT_GROUP",
    "PATH_ENV",
    "Discovery",
    "PackInfo",
    "Resolution",
    "Source",
    "discover_packs",
    "resolve_targets",
    "search_path",
]

ENTRY_POINT_GROUP = "taskkit.packs"
PATH_ENV = "TASKKIT_PATH"
_NAME = re.compile(r"^[a-z][a-z0-9_]*(?:[-.][a-z0-9_]+)*$")

SourceKind = Literal["path", "search path", "distribution"]


@dataclass(frozen=True)
class Source:
    """Where a pack was found."""

    kind: SourceKind
    label: str
    """The path as given, the search path entry, or ``distribution-name version``."""

    def __str__(self) -> str:
        return f"{self.kind} {self.label}"


@dataclass(frozen=True)
class PackInfo:
    """One discovered pack folder."""

    root: str
    source: Source
    summary: Summary

    @property
    def name(self) -> str:
        return self.summary.name

    @property
    def version(self) -> str:
        return self.summary.version

    @property
    def tasks(self) -> int:
        return self.summary.tasks

    @property
    def paths(self) -> list[str]:
        """What to load for this pack: its folder and its ``content_datasets`` folders."""
        return [
            self.root,
            *(os.path.normpath(os.path.join(self.root, d)) for d in self.content_dirs),
        ]

    @property
    def content_dirs(self) -> tuple[str, ...]:
        return self.summary.content_dirs

    @property
    def diagnostics(self) -> list[Diagnostic]:
        """The pack's reading and manifest problems, with paths under :attr:`root`."""
        return [_rebase(d, self.root) for d in self.summary.diagnostics]

    @property
    def errors(self) -> int:
        return sum(d.severity is Severity.ERROR for d in self.summary.diagnostics)

    def as_json(self) -> dict[str, object]:
        return {
            "name": self.name,
            "version": self.version,
            "title": self.summary.title,
            "tasks": self.tasks,
            "source": {"kind": self.source.kind, "label": self.source.label},
            "root": self.root,
            "content_dirs": self.paths[1:],
            "requires": self.summary.requires,
            "errors": self.errors,
        }


def _rebase(d: Diagnostic, root: str) -> Diagnostic:
    return replace(d, path=os.path.normpath(os.path.join(root, d.path)))


@dataclass
class Discovery:
    """Every pack found, and the problems of finding them (clashes, missing folders)."""

    packs: list[PackInfo] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    clashing: set[str] = field(default_factory=set)
    """Names used by more than one pack folder."""

    def named(self, name: str) -> list[PackInfo]:
        return [p for p in self.packs if p.name == name]

    def all_diagnostics(self) -> list[Diagnostic]:
        return [*self.diagnostics, *(d for p in self.packs for d in p.diagnostics)]


def search_path() -> list[str]:
    """The folders of ``TASKKIT_PATH``, in order (empty entries are ignored)."""
    return [p for p in os.environ.get(PATH_ENV, "").split(os.pathsep) if p.strip()]


def discover_packs(
    paths: Iterable[str | os.PathLike[str]] = (),
    *,
    search: Sequence[str] | None = None,
    entry_points: bool = True,
    index: PackIndex | None = None,
) -> Discovery:
    """Find every pack on ``paths``, the search path (``TASKKIT_PATH`` unless ``search`` is
    given) and, with ``entry_points``, in installed distributions."""
    index = index if index is not None else PackIndex()
    found = Discovery()
    roots: list[tuple[str, Source, list[FileStat]]] = []
    for raw in paths:
        path = os.fspath(raw)
        if os.path.basename(path) == MANIFEST and os.path.isfile(path):
            path = os.path.dirname(path) or "."
        if not os.path.isdir(path):
            what = "not a folder" if os.path.exists(path) else "no such file or directory"
            found.diagnostics.append(
                Diagnostic(
                    path,
                    1,
                    1,
                    FILE_UNREADABLE,
                    what,
                    hint="name a pack folder, or a folder of packs",
                )
            )
            continue
        roots.extend(_packs_in(path, Source("path", path), found.diagnostics))
    for entry in search_path() if search is None else search:
        if not os.path.isdir(entry):
            found.diagnostics.append(
                Diagnostic(
                    entry,
                    1,
                    1,
                    FILE_UNREADABLE,
                    f"{PATH_ENV} names a folder that does not exist",
                    severity=Severity.WARNING,
                )
            )
            continue
        roots.extend(_packs_in(entry, Source("search path", entry), found.diagnostics))
    if entry_points:
        roots.extend(_installed(found.diagnostics))
    seen: set[str] = set()
    for root, source, files in roots:
        real = os.path.realpath(root)
        if real in seen:
            continue  # the same folder by two routes: one pack
        seen.add(real)
        found.packs.append(PackInfo(root, source, index.summary(root, files)))
    index.save()
    _clashes(found)
    return found


def _packs_in(
    folder: str, source: Source, diags: list[Diagnostic]
) -> list[tuple[str, Source, list[FileStat]]]:
    return [(root, source, files) for root, files in sorted(walk_packs(folder, diags).items())]


def _installed(diags: list[Diagnostic]) -> list[tuple[str, Source, list[FileStat]]]:
    # Deferred: reading the installed distributions' metadata is slow (benchmarks/README.md,
    # "Figures the code points to"), and only `taskkit packs` and pack names need it.
    from importlib.metadata import entry_points  # noqa: PLC0415

    out: list[tuple[str, Source, list[FileStat]]] = []
    for ep in sorted(entry_points(group=ENTRY_POINT_GROUP), key=lambda e: (e.name, e.value)):
        dist = ep.dist
        label = f"{dist.name} {dist.version}" if dist is not None else ep.name
        where = f"<entry point {ep.name} = {ep.value} of {label}>"
        try:
            folders = _package_folders(ep.module)
        except (ImportError, ValueError) as exc:
            diags.append(
                Diagnostic(where, 1, 1, FILE_UNREADABLE, f"cannot locate the package: {exc}")
            )
            continue
        if not folders:
            diags.append(
                Diagnostic(
                    where,
                    1,
                    1,
                    FILE_UNREADABLE,
                    f"{ep.module!r} is not an installed package",
                    hint=f"a {ENTRY_POINT_GROUP} entry point names the package holding pack folders",
                )
            )
            continue
        source = Source("distribution", label)
        roots = [r for folder in folders for r in _packs_in(folder, source, diags)]
        if not roots:
            diags.append(
                Diagnostic(
                    where,
                    1,
                    1,
                    FILE_UNREADABLE,
                    f"package {ep.module!r} holds no pack.yaml",
                    hint="is the pack's YAML included in the distribution's package data?",
                )
            )
        out.extend(roots)
    return out


def _package_folders(module: str) -> list[str]:
    """The folders of package ``module``, found without importing it (nor, for a dotted
    name, its parents: ``find_spec("a.b")`` would run ``a/__init__.py``)."""
    top, *rest = module.split(".")
    spec = importlib.util.find_spec(top)
    if spec is None:
        return []
    return [
        folder
        for location in spec.submodule_search_locations or []
        if os.path.isdir(folder := os.path.join(location, *rest))
    ]


def _clashes(found: Discovery) -> None:
    by_name: dict[str, list[PackInfo]] = {}
    for pack in found.packs:
        by_name.setdefault(pack.name, []).append(pack)
    for name, packs in by_name.items():
        if len(packs) < 2:
            continue
        found.clashing.add(name)
        first = packs[0]
        for other in packs[1:]:
            line, col = other.summary.name_at
            found.diagnostics.append(
                Diagnostic(
                    os.path.join(other.root, MANIFEST),
                    line,
                    col,
                    DUPLICATE_ID,
                    f"two packs are named {name!r}: {other.root} ({other.source}) and "
                    f"{first.root} ({first.source}); neither is used by name",
                    hint="uninstall or remove one of them, or rename one pack",
                )
            )


@dataclass
class Resolution:
    """Command-line arguments with pack names replaced by the folders to load."""

    paths: list[str] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    named: list[str] = field(default_factory=list)
    """Packs asked for by name (not those brought in because they are required)."""
    only_names: bool = False
    """Every argument was a pack name."""

    @property
    def ok(self) -> bool:
        return not any(d.severity is Severity.ERROR for d in self.diagnostics)


def is_pack_name(arg: str) -> bool:
    """Could ``arg`` be a pack name rather than a path? Names have no separators, and an
    existing file or folder of that name always wins (it is what the user typed)."""
    return bool(_NAME.match(arg)) and not os.path.exists(arg)


def resolve_targets(
    args: Sequence[str], *, discovery: Discovery | None = None, requires: bool = True
) -> Resolution:
    """Replace each argument that names a discovered pack by that pack's folders (and, with
    ``requires``, those of the packs it requires, transitively). Other arguments stay paths.

    Discovery runs only if some argument can be a name, so plain paths cost nothing."""
    out = Resolution()
    candidates = [a for a in args if is_pack_name(a)]
    if not candidates:
        out.paths = list(args)
        return out
    found = discovery if discovery is not None else discover_packs()
    out.only_names = len(candidates) == len(args)
    wanted: list[PackInfo] = []
    for arg in args:
        if arg not in candidates:
            out.paths.append(arg)
            continue
        packs = found.named(arg)
        if not packs:
            names = sorted({p.name for p in found.packs})
            out.diagnostics.append(
                Diagnostic(
                    arg,
                    1,
                    1,
                    FILE_UNREADABLE,
                    f"no such file, directory or pack {arg!r}",
                    hint=did_you_mean(arg, names)
                    or (
                        "`taskkit packs` lists the packs found" if names else "no pack is installed"
                    ),
                )
            )
        elif len(packs) > 1:
            out.diagnostics.append(_ambiguous(arg, packs))
        else:
            out.named.append(arg)
            wanted.append(packs[0])
    done: set[str] = set()
    while wanted:
        pack = wanted.pop(0)
        if pack.root in done:
            continue
        done.add(pack.root)
        out.paths.extend(pack.paths)
        if requires:
            for dep in pack.summary.requires:
                match = found.named(dep)
                if len(match) == 1:
                    wanted.append(match[0])
                elif len(match) > 1:
                    out.diagnostics.append(_ambiguous(dep, match))
                # a missing requirement is left to lint (TK603), which says where it is asked
    return out


def _ambiguous(name: str, packs: list[PackInfo]) -> Diagnostic:
    where = "; ".join(f"{p.root} ({p.source})" for p in packs)
    first = packs[1]
    line, col = first.summary.name_at
    return Diagnostic(
        os.path.join(first.root, MANIFEST),
        line,
        col,
        DUPLICATE_ID,
        f"pack name {name!r} is ambiguous: {where}",
        hint="pass the folder instead, or uninstall or rename one of the packs",
    )
