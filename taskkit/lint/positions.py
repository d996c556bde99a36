"""Positions inside templated scalars: Jinja counts lines from the scalar, we report the file's."""

from __future__ import annotations

from ..library import LoadedDoc

__all__ = ["template_position"]


def template_position(
    owner: LoadedDoc, loc: tuple[str | int, ...], *, lineno: int = 1, needle: str | None = None
) -> tuple[int, int]:
    """Line and column in the file of template line ``lineno`` (or of ``needle``) of a scalar."""
    node = owner.doc.node(loc)
    if node is None:
        return owner.doc.locate(loc)
    lines = owner.doc.text.splitlines()
    first, last = node.start_mark.line, min(node.end_mark.line, len(lines) - 1)
    if needle:
        for i in range(first, last + 1):
            start = node.start_mark.column if i == first else 0
            at = lines[i].find(needle, start)
            if at >= 0:
                return i + 1, at + 1
    if getattr(node, "style", None) in ("|", ">"):
        i = min(first + lineno, last)
        text = lines[i] if i < len(lines) else ""
        return i + 1, len(text) - len(text.lstrip()) + 1
    i = min(first + lineno - 1, last)
    return i + 1, (node.start_mark.column if i == first else 0) + 1
