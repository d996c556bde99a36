"""A pack manifest others could not rely on. That is: a ``license`` that is not an SPDX
identifier or expression, a ``taskkit`` range that is not a PEP 440 specifier or that the
running taskkit does not satisfy, or a ``requires`` entry whose name is not a pack name or
whose range is not a specifier. (The name and the SemVer ``version`` are checked by the
schema, TK103; whether ``requires`` resolves is TK603.)

Bad::

    license: Apache 2
    taskkit: "^0.1"
    requires: {core: "1.x"}
Good::

    license: Apache-2.0
    taskkit: ">=0.1,<1"
    requires: {core: ">=1.0,<2"}
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from ... import __version__
from ...diagnostics import Diagnostic, Severity
from ...models import Pack
from ...packs.versions import InvalidSpecifier, parse_specifiers
from ...rule_ids import PACK_MANIFEST
from ..context import LintContext
from ..scope import Scope

ID = PACK_MANIFEST
NAME = "pack-manifest"
SEVERITY = Severity.ERROR
READS: Scope = "index"

_SPDX_ID = r"(?:LicenseRef-[A-Za-z0-9.-]+|[A-Za-z0-9][A-Za-z0-9.-]*\+?)"
_SPDX = re.compile(
    rf"^\(*{_SPDX_ID}(?:\s+WITH\s+{_SPDX_ID})?\)*"
    rf"(?:\s+(?:AND|OR)\s+\(*{_SPDX_ID}(?:\s+WITH\s+{_SPDX_ID})?\)*)*$"
)
PACK_NAME = re.compile(r"^[a-z][a-z0-9_]*(?:[-.][a-z0-9_]+)*$")


def check(ctx: LintContext) -> Iterator[Diagnostic]:
    for ld in ctx.lib.docs:
        pack = ld.model
        if not isinstance(pack, Pack):
            continue
        license_ = pack.license.strip()
        if not _SPDX.match(license_) or license_.count("(") != license_.count(")"):
            yield ld.at(
                ("license",),
                ID,
                f"license {pack.license!r} is not an SPDX identifier or expression",
                hint="e.g. 'Apache-2.0', 'MIT', 'CC-BY-4.0', or 'LicenseRef-<name>'",
            )
        # A default `taskkit` range is not written in the file: point at the manifest.
        where = ("taskkit",) if "taskkit" in ld.doc.data else ()
        try:
            supported = parse_specifiers(pack.taskkit)
        except InvalidSpecifier as exc:
            yield ld.at(where, ID, f"taskkit: {exc}", hint="a PEP 440 range, e.g. '>=0.1,<1'")
        else:
            if not supported.contains(__version__):
                yield ld.at(
                    where,
                    ID,
                    f"pack {pack.name!r} needs taskkit {pack.taskkit}; this is taskkit "
                    f"{__version__}",
                    hint="upgrade taskkit, or widen the range if the pack works with this one",
                )
        for name, spec in pack.requires.items():
            if not PACK_NAME.match(name):
                yield ld.at(("requires", name), ID, f"{name!r} is not a pack name", key=True)
            try:
                parse_specifiers(spec)
            except InvalidSpecifier as exc:
                yield ld.at(
                    ("requires", name),
                    ID,
                    f"requires {name!r}: {exc}",
                    hint="a PEP 440 range, e.g. '>=1.0,<2'",
                )
