"""``taskkit import``."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..importers import IMPORTERS, ImportResult, SourceError, merge_results, write_result
from ..importers._names import DOC_NAME, doc_name
from .exit_codes import OK, USAGE


@click.command("import")
@click.argument("source", type=click.Choice(sorted(IMPORTERS)))
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "-o",
    "--output",
    "out_dir",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Pack folder to write (created if needed; files of the same name are replaced).",
)
@click.option("--pack", "pack_name", help="Pack name (default: the output folder's name).")
def import_(source: str, files: tuple[Path, ...], out_dir: Path, pack_name: str | None) -> None:
    """Import tool corpora (SOURCE: one of the importers, see docs/importers.md) as a pack.

    Every FILE becomes toolsets (and, where the source has gold calls, tasks and content;
    multi-turn sources, tasks with a scripted user); all of them are written into one pack
    folder. Renames and dropped keywords are listed
    as notes.
    """
    name = pack_name or doc_name(out_dir.resolve().name)
    if not DOC_NAME.match(name):
        raise click.BadParameter(
            f"{name!r} is not a pack name (lower-case letters, digits, '_', single '.' or '-')",
            param_hint="--pack",
        )
    importer = IMPORTERS[source]
    results: list[ImportResult] = []
    for path in files:
        try:
            result = importer.load(path)
        except SourceError as exc:
            click.echo(f"{path}: {exc}", err=True)
            sys.exit(USAGE)
        except RecursionError:  # a schema nested deeper than the checks can follow
            click.echo(f"{path}: nested too deeply to import", err=True)
            sys.exit(USAGE)
        results.append(result)
        click.echo(f"{path}: {result.summary()}")
        for note in result.notes:
            click.echo(f"  note: {note}")
    merged = merge_results(results)
    for note in merged.notes[sum(len(r.notes) for r in results) :]:
        click.echo(f"  note: {note}")
    try:
        written = write_result(merged, out_dir, pack_name=name)
    except OSError as exc:
        click.echo(f"{out_dir}: cannot write: {exc.strerror or exc}", err=True)
        sys.exit(USAGE)
    except RecursionError:
        click.echo(f"{out_dir}: a schema is nested too deeply to write", err=True)
        sys.exit(USAGE)
    click.echo(f"wrote pack {name!r} ({len(written)} files) to {out_dir}")
    sys.exit(OK)
