"""``taskkit compile``."""

from __future__ import annotations

import sys
from dataclasses import replace
from typing import Any

import click

from ..compiler import compile_library, write_compiled
from ..diagnostics import format_diagnostics
from ..library import load_library
from ..packs.discovery import resolve_targets
from .exit_codes import FINDINGS, OK
from .options import selection_from, selection_options
from .progress import progress


@click.command("compile")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=str))
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(dir_okay=False, path_type=str),
    help="JSONL file to write (a .manifest.json is written beside it).",
)
@selection_options(split_seed=False)
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--trust", multiple=True, metavar="PACK", help="Allow this pack's Python handlers.")
@click.option(
    "--format", "fmt", type=click.Choice(["text", "parsable", "json", "github"]), default="text"
)
def compile_(
    paths: tuple[str, ...],
    output: str,
    seed: int,
    trust: tuple[str, ...],
    fmt: str,
    **options: Any,
) -> None:
    """Render every abstract task x content entry into runnable tasks, replaying the gold actions.

    PATHS are files and folders, or names of discovered packs (see `taskkit packs`). A pack
    named brings the packs it requires; only the named packs are compiled unless --pack says
    otherwise. Lints first and refuses a library with errors. Output is byte-identical for
    identical input, and written atomically.
    """
    targets = resolve_targets(paths)
    if not targets.ok:
        sys.stdout.write(format_diagnostics(targets.diagnostics, fmt))
        click.echo("compile failed: a pack name does not resolve; nothing written", err=True)
        sys.exit(FINDINGS)
    selection = selection_from(options, seed=seed)
    if targets.only_names and not selection.packs:
        # not the packs they require, which come as context
        selection = replace(selection, packs=tuple(targets.named))
    lib = load_library(targets.paths)
    with progress("compile", total=len(lib.tasks), unit="tasks") as bar:
        result = compile_library(lib, selection=selection, trust=trust, on_task=bar.advance)
    if result.diagnostics:
        sys.stdout.write(format_diagnostics(result.diagnostics, fmt))
    if not result.ok:
        click.echo(f"compile failed: {len(result.diagnostics)} errors; nothing written", err=True)
        sys.exit(FINDINGS)
    manifest = write_compiled(result.tasks, output)
    click.echo(
        f"compiled {manifest['count']} tasks from {len(manifest['by_task'])} abstract tasks -> {output}",
        err=True,
    )
    sys.exit(OK)
