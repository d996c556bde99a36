"""``taskkit new``."""

from __future__ import annotations

import click

from ..scaffold import ScaffoldError, new_content, new_pack, new_task, new_toolset

KINDS = ("pack", "toolset", "task", "content")


@click.command()
@click.argument("kind", type=click.Choice(KINDS))
@click.argument("name")
@click.option(
    "-d", "--dir", "directory", default=".", show_default=True, type=click.Path(file_okay=False)
)
@click.option("--toolset", default="shop", show_default=True, help="For tasks: the toolset to use.")
@click.option(
    "--content", default="orders", show_default=True, help="For tasks: the content dataset."
)
@click.option("--category", default="data", show_default=True, help="For tasks: the category.")
@click.option("--force", is_flag=True, help="Overwrite existing files.")
def new(
    kind: str, name: str, directory: str, toolset: str, content: str, category: str, force: bool
) -> None:
    """Scaffold a lint-clean pack, toolset, task or content dataset called NAME."""
    try:
        if kind == "pack":
            paths = new_pack(name, directory, force=force)
        elif kind == "toolset":
            paths = [new_toolset(name, directory, force=force)]
        elif kind == "content":
            paths = [new_content(name, directory, force=force)]
        else:
            paths = [
                new_task(
                    name,
                    directory,
                    toolset=toolset,
                    content=content,
                    category=category,
                    force=force,
                )
            ]
    except ScaffoldError as exc:
        raise click.UsageError(str(exc)) from None
    for path in paths:
        click.echo(str(path))
