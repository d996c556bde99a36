"""A pack ``requires`` another pack that is not among the loaded ones, or whose loaded
version is outside the range. Lint the packs together (``taskkit lint planner core``, or by
name: a pack named on the command line brings the packs it requires).

Bad (``core`` 1.4.0 is loaded)::

    requires: {core: ">=2"}
Good::

    requires: {core: ">=1.0,<2"}
"""

from __future__ import annotations

from collections.abc import Iterator

from ...diagnostics import Diagnostic, Severity
from ...models import Pack
from ...packs.versions import InvalidSpecifier, InvalidVersion, parse_specifiers
from ...rule_ids import PACK_REQUIRES
from ..context import LintContext
from ..scope import Scope
from .pack_manifest import PACK_NAME as _PACK_NAME

ID = PACK_REQUIRES
NAME = "pack-requires"
SEVERITY = Severity.ERROR
READS: Scope = "index"


def check(ctx: LintContext) -> Iterator[Diagnostic]:
    for ld in ctx.lib.docs:
        pack = ld.model
        if not isinstance(pack, Pack):
            continue
        for name, spec in pack.requires.items():
            if not _PACK_NAME.match(name):
                continue  # TK601 reports it
            try:
                wanted = parse_specifiers(spec)
            except InvalidSpecifier:
                continue  # TK601 reports it
            found = ctx.lib.packs.get(name)
            if found is None or not isinstance(found.model, Pack):
                yield ld.at(
                    ("requires", name),
                    ID,
                    f"pack {pack.name!r} requires pack {name!r}, which is not loaded",
                    hint="lint it together with this pack; `taskkit packs` lists the packs found",
                    key=True,
                )
                continue
            try:
                ok = wanted.contains(found.model.version)
            except InvalidVersion:
                continue  # the schema reports a bad version
            if not ok:
                line = found.doc.locate(("version",))[0]
                yield ld.at(
                    ("requires", name),
                    ID,
                    f"requires {name!r} {spec}, but the loaded {name!r} is {found.model.version}",
                    hint=f"{name!r} {found.model.version} is defined at {found.path}:{line}",
                )
