"""Two things with the same name in one namespace: packs, toolsets, tools of a toolset,
tasks of a pack, content datasets, evaluators, or entries of a dataset. The later one is
reported, with where the first is.

Bad (two files of pack ``home``)::

    id: book_viewing
    ...
    id: book_viewing
Good: give each task its own id.
"""

from __future__ import annotations

from collections.abc import Iterator

from ...diagnostics import Diagnostic, Severity
from ...library import Entry, LoadedDoc
from ...models import Content, Evaluator, Pack, Toolset
from ...rule_ids import DUPLICATE_ID
from ..context import LintContext
from ..scope import Scope

ID = DUPLICATE_ID
NAME = "duplicate-id"
SEVERITY = Severity.ERROR
READS: Scope = "library"


def check(ctx: LintContext) -> Iterator[Diagnostic]:
    # Where each name was first seen; its line is looked up only for a duplicate.
    first: dict[tuple[str, ...], tuple[LoadedDoc, tuple[str | int, ...]]] = {}

    def seen(
        key: tuple[str, ...], ld: LoadedDoc, loc: tuple[str | int, ...], what: str
    ) -> Iterator[Diagnostic]:
        if key in first:
            other, other_loc = first[key]
            at = f"{other.path}:{other.doc.locate(other_loc)[0]}"
            yield ld.at(loc, ID, f"duplicate {what} {key[-1]!r}", hint=f"first defined at {at}")
        else:
            first[key] = (ld, loc)

    for ld in ctx.lib.docs:
        model = ld.model
        if isinstance(model, Pack):
            yield from seen(("pack", model.name), ld, ("name",), "pack")
        elif isinstance(model, Toolset):
            yield from seen(("toolset", ld.pack, model.name), ld, ("name",), "toolset")
            for i, tool in enumerate(model.tools):
                yield from seen(
                    ("tool", ld.pack, model.name, tool.name), ld, ("tools", i, "name"), "tool"
                )
        elif isinstance(model, Content):
            yield from seen(("content", ld.pack, model.name), ld, ("name",), "content dataset")
        elif isinstance(model, Evaluator):
            yield from seen(("evaluator", ld.pack, model.name), ld, ("name",), "evaluator")
    # Task ids clash only with task ids, so tasks can come after the other documents.
    for task in ctx.names_of_tasks():
        yield from seen(("task", task.owner.pack, task.id), task.owner, ("id",), "task id")


def check_document(ctx: LintContext, ld: LoadedDoc) -> Iterator[Diagnostic]:
    """Entries of one dataset with the id of an earlier one. The part of the rule that reads
    nothing but the dataset (and its entries file): it runs wherever the dataset is read."""
    if not isinstance(ld.model, Content):
        return
    ids: dict[str, Entry] = {}
    for entry in ctx.lib.entries(ld):
        if entry.id in ids and entry.id:
            earlier = ids[entry.id]
            yield Diagnostic(
                entry.path,
                entry.line,
                entry.col,
                ID,
                f"duplicate entry id {entry.id!r}",
                hint=f"first defined at {earlier.path}:{earlier.line}",
            )
        ids.setdefault(entry.id, entry)
