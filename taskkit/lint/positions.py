"""Positions inside templated scalars: Jinja counts lines from the scalar, we report the file's."""

from __future__ import annotations

import re

from ..library import LoadedDoc

_TAG = re.compile(r"\{\{.*?\}\}|\{%.*?%\}")


def _in_tag(line: str, at: int) -> bool:
    return any(m.start() < at < m.end() for m in _TAG.finditer(line))


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
        word = re.compile(rf"(?<![\w.]){re.escape(needle)}(?!\w)")
        for inside_tags in (True, False):  # a variable is in a tag; plain text may repeat it
            for i in range(first, last + 1):
                start = node.start_mark.column if i == first else 0
                for m in word.finditer(lines[i], start):
                    if not inside_tags or _in_tag(lines[i], m.start()):
                        return i + 1, m.start() + 1
    if getattr(node, "style", None) in ("|", ">"):
        i = min(first + lineno, last)
        text = lines[i] if i < len(lines) else ""
        return i + 1, len(text) - len(text.lstrip()) + 1
    i = min(first + lineno - 1, last)
    return i + 1, (node.start_mark.column if i == first else 0) + 1
