"""The text of an index document the lint cache stands in for, read only if a finding needs
its positions.

The cache keeps an index document's data, not its text (most of what it would hold). A run
that takes the document from the cache needs the text only to place a finding in it, which
most runs never do: reading and hashing every cached toolset and dataset again (a sixth of
a re-lint of a large library) is put off until then (:class:`FileText`).

The file was found unchanged when the run began (:meth:`.cache.LintCache.fresh`); if it
changed since, by the time its text is asked for, the text is not the document's: it is
then empty, and positions fall back to the top of the file (as for a task whose file
changed while it was linted, see :mod:`.shards`).
"""

from __future__ import annotations

from typing import Any, cast

from ..io.digests import digest
from ..io.yamlio import Document, decode

__all__ = ["FileText", "text_of"]

_TEXT: Any = Document.__dict__["text"]
"""The slot a Document keeps its text in (it is a slotted dataclass)."""
_UNREAD = cast(str, object())


class FileText(Document):
    """A document whose text is read from its file when first asked for, if the file still
    has ``digest``."""

    __slots__ = ("digest",)
    digest: bytes

    @classmethod
    def unread(cls, path: str, data: Any, index: int, file_digest: bytes) -> FileText:
        doc = cls(path=path, data=data, text=_UNREAD, index=index)
        doc.digest = file_digest
        return doc

    @property
    def text(self) -> str:
        value: str = _TEXT.__get__(self, Document)
        if value is _UNREAD:
            value = text_of(self.path, self.digest) or ""
            _TEXT.__set__(self, value)
        return value

    @text.setter
    def text(self, value: str) -> None:
        _TEXT.__set__(self, value)


def text_of(path: str, expected: bytes) -> str | None:
    """The text of a file, if it still has the digest ``expected``."""
    try:
        with open(path, "rb") as f:
            raw = f.read()
    except OSError:
        return None
    if digest(raw) != expected:
        return None
    text = decode(path, raw)
    return text if isinstance(text, str) else None
