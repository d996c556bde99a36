"""``taskkit packs``."""

from __future__ import annotations

import json
import sys

import click

from ..diagnostics import Severity, format_diagnostics
from ..packs.discovery import PATH_ENV, PackInfo, discover_packs
from ..packs.index import PackIndex
from .exit_codes import FINDINGS, OK


@click.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=str))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@click.option(
    "--no-cache", is_flag=True, help="Read every pack afresh (and do not write the cache)."
)
@click.option("--no-installed", is_flag=True, help="Leave out installed distributions' packs.")
def packs(paths: tuple[str, ...], fmt: str, no_cache: bool, no_installed: bool) -> None:
    """List the packs found: in PATHS, in the TASKKIT_PATH folders, and in installed
    distributions (entry point group ``taskkit.packs``), with version, task count and source.

    Unchanged packs come from a cache (TASKKIT_CACHE_DIR, default ~/.cache/taskkit). Exit
    status 1 when a pack cannot be read or two packs share a name.
    """
    found = discover_packs(
        paths, entry_points=not no_installed, index=PackIndex(enabled=not no_cache)
    )
    problems = found.all_diagnostics()
    if fmt == "json":
        doc = {
            "version": 1,
            "packs": [p.as_json() for p in found.packs],
            "diagnostics": [d.as_json() for d in problems],
        }
        sys.stdout.write(json.dumps(doc, indent=2, ensure_ascii=False) + "\n")
    else:
        sys.stdout.write(_table(found.packs, found.clashing))
        if problems:
            sys.stdout.write("\n" + format_diagnostics(problems, "text"))
        if not found.packs:
            click.echo(
                f"no packs found: give a folder, set {PATH_ENV}, or install a pack",
                err=True,
            )
    failed = any(d.severity is Severity.ERROR for d in problems)
    sys.exit(FINDINGS if failed else OK)


def _table(packs: list[PackInfo], clashing: set[str]) -> str:
    if not packs:
        return ""
    rows = [("NAME", "VERSION", "TASKS", "STATUS", "SOURCE")]
    for p in sorted(packs, key=lambda p: (p.name, str(p.source))):
        status = "ok"
        if p.name in clashing:
            status = "clash"
        elif p.errors:
            status = f"{p.errors} error" + ("s" if p.errors > 1 else "")
        rows.append((p.name, p.version or "?", str(p.tasks), status, str(p.source)))
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    lines = []
    for r in rows:
        cells = [r[0].ljust(widths[0]), r[1].ljust(widths[1]), r[2].rjust(widths[2])]
        lines.append("  ".join([*cells, r[3].ljust(widths[3]), r[4]]).rstrip())
    return "\n".join(lines) + "\n"
