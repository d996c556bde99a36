"""The Python handlers a library's toolsets declare, with what reading their source found
(for the two handler rules)."""

from __future__ import annotations

from collections.abc import Iterator

from ..handlers.sources import HandlerSource, inspect_handler, pack_root
from ..library import Library, LoadedDoc
from ..models import Toolset

__all__ = ["handler_findings"]

Finding = tuple[LoadedDoc, tuple[str | int, ...], str, HandlerSource]


def handler_findings(lib: Library) -> Iterator[Finding]:
    """``(toolset document, location of the handler, reference, what reading it found)``."""
    for ld in lib.docs:
        if not isinstance(ld.model, Toolset):
            continue
        root = pack_root(lib, ld.pack)
        for i, tool in enumerate(ld.model.tools):
            ref = tool.behavior.handler if tool.behavior is not None else None
            if ref is not None:
                loc = ("tools", i, "behavior", "handler")
                yield ld, loc, ref, inspect_handler(ref, root)
