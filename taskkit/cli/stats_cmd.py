"""``taskkit stats``."""

from __future__ import annotations

import json

import click

from ..library import load_library
from ..stats import library_stats


@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=str))
@click.option("--json", "as_json", is_flag=True, help="Print the counts as JSON.")
def stats(paths: tuple[str, ...], as_json: bool) -> None:
    """Count a library's tasks by pack, category, difficulty, steps, read/write and tool kind."""
    counts = library_stats(load_library(paths))
    click.echo(json.dumps(counts.as_json(), indent=2) if as_json else counts.table())
