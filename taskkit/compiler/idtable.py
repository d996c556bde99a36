"""Many short strings kept as two buffers: :class:`IdTable`.

A run of 20,000 tasks held each task id as a Python string (about 100 bytes apiece with
its object header) in a list (8 more), and a sorted copy of that list: memory that grows
with the run. An :class:`IdTable` keeps the ids as one UTF-8 buffer and where each one
ends (8 bytes an id), and makes a string only when one is asked for.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable, Iterator, Sequence
from typing import overload

__all__ = ["IdTable"]

_CODEC = ("utf-8", "surrogatepass")
"""Ids come from JSON, which can spell lone surrogates: they round-trip too."""


class IdTable(Sequence[str]):
    """An immutable sequence of strings, stored as one buffer and their end offsets."""

    __slots__ = ("_blob", "_ends")

    def __init__(self, blob: bytes | bytearray, ends: array[int]) -> None:
        # A bytearray is kept as it is, not copied (a copy doubled the table while the
        # run's tasks were read); the table owns it and never changes it.
        self._blob = blob
        self._ends = ends

    @classmethod
    def of(cls, ids: Iterable[str]) -> IdTable:
        blob = bytearray()
        ends = array("q")
        for text in ids:
            blob += text.encode(*_CODEC)
            ends.append(len(blob))
        return cls(blob, ends)

    @classmethod
    def checked(cls, blob: bytes, ends: array[int]) -> IdTable | None:
        """The table of ``blob`` cut at ``ends`` (read from a file), or ``None`` when the
        two do not make a table of text."""
        start = 0
        try:
            for end in ends:
                if not start <= end <= len(blob):
                    return None
                blob[start:end].decode(*_CODEC)
                start = end
        except UnicodeDecodeError:
            return None
        return cls(blob, ends) if start == len(blob) else None

    @property
    def blob(self) -> bytes | bytearray:
        return self._blob

    @property
    def ends(self) -> array[int]:
        return self._ends

    def nbytes(self) -> int:
        """What the table's two buffers hold, in bytes."""
        return len(self._blob) + self._ends.itemsize * len(self._ends)

    def __len__(self) -> int:
        return len(self._ends)

    @overload
    def __getitem__(self, index: int) -> str: ...

    @overload
    def __getitem__(self, index: slice) -> IdTable: ...

    def __getitem__(self, index: int | slice) -> str | IdTable:
        if isinstance(index, slice):
            return IdTable.of(self[i] for i in range(len(self))[index])
        i = range(len(self))[index]  # negative indices, and IndexError past the end
        start = self._ends[i - 1] if i else 0
        return self._blob[start : self._ends[i]].decode(*_CODEC)

    def __iter__(self) -> Iterator[str]:
        for i in range(len(self)):
            yield self[i]

    def __eq__(self, other: object) -> bool:
        if isinstance(other, IdTable):
            return self._blob == other._blob and self._ends == other._ends
        if isinstance(other, Sequence) and not isinstance(other, str | bytes):
            return len(self) == len(other) and all(a == b for a, b in zip(self, other, strict=True))
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"IdTable({list(self)!r})"
