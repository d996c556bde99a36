"""``taskkit new``."""

from __future__ import annotations

import click

from ..scaffold.documents import ScaffoldError, new_content, new_pack, new_task, new_toolset
from ..scaffold.pack_repo import INDEX

KINDS = ("pack", "toolset", "task", "content")


@click.command()
@click.argument("kind", type=click.Choice(KINDS))
@click.argument("name")
@click.option(
    "-d", "--dir", "directory", default=".", show_default=True, type=click.Path(file_okay=False)
)
@click.option(
    "--toolset",
    default=None,
    help="For tasks and content: the pack's toolset to use (outside a pack, tasks name it; "
    "default shop).",
)
@click.option(
    "--tool", default=None, help="For tasks inside a pack: the tool the gold action calls."
)
@click.option(
    "--content",
    default=None,
    help="For tasks: the content dataset (inside a pack, one of its own; default orders).",
)
@click.option("--category", default="data", show_default=True, help="For tasks: the category.")
@click.option(
    "--taskkit-source",
    default=None,
    metavar="PATH|URL|index",
    help="For packs: where the pack installs taskkit from: a checkout, a wheel, a URL pip "
    f"understands (git+https://...@TAG), or {INDEX!r} for the package index. Default: this "
    "taskkit's checkout, or the index when taskkit was installed from a wheel.",
)
@click.option("--force", is_flag=True, help="Overwrite existing files.")
def new(
    kind: str,
    name: str,
    directory: str,
    toolset: str | None,
    tool: str | None,
    content: str | None,
    category: str,
    taskkit_source: str | None,
    force: bool,
) -> None:
    """Scaffold a lint-clean pack, toolset, task or content dataset called NAME.

    Inside a pack (DIR at or below a pack.yaml), a task uses the pack's own tools and
    datasets, and a content dataset takes its fields from a toolset's parameters."""
    try:
        if kind == "pack":
            paths = new_pack(name, directory, force=force, taskkit_source=taskkit_source)
        elif kind == "toolset":
            paths = [new_toolset(name, directory, force=force)]
        elif kind == "content":
            paths = [new_content(name, directory, toolset=toolset, force=force)]
        else:
            paths = [
                new_task(
                    name,
                    directory,
                    toolset=toolset,
                    content=content,
                    tool=tool,
                    category=category,
                    force=force,
                )
            ]
    except ScaffoldError as exc:
        raise click.UsageError(str(exc)) from None
    for path in paths:
        click.echo(str(path))
