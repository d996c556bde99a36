"""``taskkit schema``."""

from __future__ import annotations

import sys

import click

from ..schema.documents import export_schemas, stale_schemas
from .exit_codes import FINDINGS, OK


@click.group()
def schema() -> None:
    """JSON Schemas of the document kinds (for editors and other tools)."""


@schema.command("export")
@click.option(
    "-o",
    "--output",
    "directory",
    default="schemas",
    show_default=True,
    type=click.Path(file_okay=False, path_type=str),
)
@click.option("--check", is_flag=True, help="Only report schemas that differ from the models.")
def export(directory: str, check: bool) -> None:
    """Write one JSON Schema per document kind and episode record into DIRECTORY."""
    if check:
        stale = stale_schemas(directory)
        for name in stale:
            click.echo(f"{directory}/{name}: out of date; run `taskkit schema export`")
        sys.exit(FINDINGS if stale else OK)
    for path in export_schemas(directory):
        click.echo(str(path))
