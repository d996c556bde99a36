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
from ...library import LoadedDoc
from ...models import Content, Evaluator, Pack, Task, Toolset
from ..context import LintContext

ID = "TK201"
NAME = "duplicate-id"
SEVERITY = Severity.ERROR


def check(ctx: LintContext) -> Iterator[Diagnostic]:
    first: dict[tuple[str, ...], tuple[str, int]] = {}

    def seen(
        key: tuple[str, ...], ld: LoadedDoc, loc: tuple[str | int, ...], what: str
    ) -> Iterator[Diagnostic]:
        line, _ = ld.doc.locate(loc)
        if key in first:
            path, at = first[key]
            yield ld.at(
                loc, ID, f"duplicate {what} {key[-1]!r}", hint=f"first defined at {path}:{at}"
            )
        else:
            first[key] = (ld.path, line)

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
        elif isinstance(model, Task):
            yield from seen(("task", ld.pack, model.id), ld, ("id",), "task id")
        elif isinstance(model, Content):
            yield from seen(("content", ld.pack, model.name), ld, ("name",), "content dataset")
            ids: dict[str, tuple[str, int]] = {}
            for entry in ctx.lib.entries(ld):
                if entry.id in ids and entry.id:
                    path, at = ids[entry.id]
                    yield Diagnostic(
                        entry.path,
                        entry.line,
                        entry.col,
                        ID,
                        f"duplicate entry id {entry.id!r}",
                        hint=f"first defined at {path}:{at}",
                    )
                ids.setdefault(entry.id, (entry.path, entry.line))
        elif isinstance(model, Evaluator):
            yield from seen(("evaluator", ld.pack, model.name), ld, ("name",), "evaluator")
