"""JSON Lines, written and read: the data files (trajectories, SFT and DPO rows), the
corpora importers read, every ``.jsonl`` taskkit opens.

Writing: generation writes every sample of every step of every episode; with the standard
library's encoder that serialisation was a fifth of the whole run. orjson does the same in a
fraction of the time. Output is compact (``,`` and ``:``, no spaces) and never escapes
non-ASCII text, so the bytes are the same on every machine.

Reading (:class:`JsonLines`), one policy for every reader:

- a line is what ends with ``\n``; blank lines are skipped;
- **a torn last line** -- the file does not end with a newline and what follows the last one
  is not JSON: a writer killed mid-line, or one still writing -- is skipped and noted
  (:attr:`JsonLines.torn`, :meth:`JsonLines.torn_note`); it is never an error. A last line
  without its newline that is whole JSON is a line (files written by hand often end so);
- **a bad line** anywhere else -- not JSON, or not what the reader reads (its ``accept``
  says why) -- is a :class:`~taskkit.diagnostics.Diagnostic` at ``file:line:col``
  (:data:`~taskkit.rule_ids.JSONL_SYNTAX`, or the ``accept`` rule). A reader with
  ``strict`` stops at the first (:class:`JsonlError`: ``report``, ``view``, the importers);
  one without collects them (:attr:`JsonLines.bad`) and goes on: ``generate`` on resume,
  which owns its file, moves them aside (``trajectories.quarantine.jsonl``) and says where
  each one was.
"""

from __future__ import annotations

import io
import json
import os
import re
from collections.abc import Callable, Iterator
from typing import IO, Any

import orjson

from ..diagnostics import Diagnostic
from ..rule_ids import JSONL_SYNTAX

__all__ = ["JsonLines", "JsonlError", "dumps", "line", "loads", "loads_line"]

_OPTIONS = orjson.OPT_NON_STR_KEYS  # as json does: a number key becomes its text


def dumps(value: Any) -> str:
    """``value`` as compact JSON text."""
    try:
        return orjson.dumps(value, option=_OPTIONS).decode()
    except orjson.JSONEncodeError:
        # Integers beyond 64 bits and the like: the standard encoder takes them, the same shape.
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def line(value: Any) -> str:
    """``value`` as one line of a JSON Lines file, newline included."""
    return dumps(value) + "\n"


loads = orjson.loads
"""Parse JSON text (str or bytes); raises ``orjson.JSONDecodeError``, a ``ValueError``."""


_LONG_NUMBER = re.compile(rb"[0-9]{19}")


def loads_line(raw: bytes | str, *, exact: bool = False) -> Any:
    """One line's JSON value: orjson's (several times faster), or json's where orjson refuses
    the line (json's message says where; what taskkit wrote with json's escapes reads back).
    NaN and infinities are not JSON: refused. ``exact``: integers past 64 bits stay integers
    (orjson makes them floats), at the cost of a scan of the line for long digit runs (half
    as long again as parsing it: not for taskkit's own files, whose numbers it wrote)."""
    data = raw.encode() if isinstance(raw, str) else raw
    if not exact or _LONG_NUMBER.search(data) is None:
        try:
            return orjson.loads(data)
        except orjson.JSONDecodeError:
            pass
    return json.loads(data, parse_constant=_no_constant)


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


class JsonlError(Exception):
    """A bad line read by a ``strict`` reader; ``diagnostic`` says where and why."""

    def __init__(self, diagnostic: Diagnostic) -> None:
        super().__init__(diagnostic.text())
        self.diagnostic = diagnostic


Accept = Callable[[Any], tuple[str, str] | None]
"""What a reader reads, of a line's JSON value: ``None``, or why not: ``(rule, message)``."""


class JsonLines:
    """The ``(line number, value)`` of every line of one JSON Lines file, by the policy above.

    ``source``: a path, or the file's bytes (``name`` then says what to call it). Iterate
    once; :attr:`torn` and :attr:`bad` are complete when the iteration is."""

    def __init__(
        self,
        source: str | os.PathLike[str] | bytes,
        *,
        name: str | None = None,
        accept: Accept | None = None,
        strict: bool = True,
        hint: str | None = None,
        exact: bool = False,
    ) -> None:
        self.source = source
        self.name = name if name is not None or isinstance(source, bytes) else os.fspath(source)
        self.accept = accept
        self.strict = strict
        self.hint = hint
        """Said with every bad line's diagnostic (what the reader expected)."""
        self.exact = exact
        """Integers past 64 bits read exactly (see :func:`loads_line`): files from elsewhere."""
        self.torn = 0
        """The number of the torn last line, 0 when there is none."""
        self.bad: list[Diagnostic] = []
        """The bad lines met (only without ``strict``: with it, the first raises)."""

    def __iter__(self) -> Iterator[tuple[int, Any]]:
        if isinstance(self.source, bytes):
            yield from self._read(io.BytesIO(self.source))
        else:
            with open(self.source, "rb") as f:
                yield from self._read(f)

    def _read(self, f: IO[bytes]) -> Iterator[tuple[int, Any]]:
        number = 0
        for raw in f:
            number += 1
            if not raw.strip():
                continue
            try:
                value = loads_line(raw, exact=self.exact)
            except (ValueError, RecursionError) as exc:
                if not raw.endswith(b"\n"):
                    self.torn = number  # the last line, cut short
                    return
                self._bad(number, _column(exc), JSONL_SYNTAX, _why(number, exc))
                continue
            if self.accept is not None:
                refused = self.accept(value)
                if refused is not None:
                    self._bad(number, 1, *refused)
                    continue
            yield number, value

    def _bad(self, number: int, col: int, rule: str, message: str) -> None:
        diagnostic = Diagnostic(str(self.name), number, col, rule, message, hint=self.hint)
        if self.strict:
            raise JsonlError(diagnostic)
        self.bad.append(diagnostic)

    def torn_note(self, kept: int) -> str | None:
        """``FILE:LINE: what happened``, the warning a torn last line earns (``kept``: how
        many values were read before it), or ``None`` when there was none."""
        if not self.torn:
            return None
        return (
            f"{self.name}:{self.torn}: the last line is cut off (a run still writing, or one "
            f"that stopped mid-record); the {kept} complete lines before it are read"
        )


def _column(exc: BaseException) -> int:
    return exc.colno if isinstance(exc, json.JSONDecodeError) else 1


def _why(number: int, exc: BaseException) -> str:
    if isinstance(exc, RecursionError):
        return f"line {number} is not valid JSON: nested too deeply to read"
    if isinstance(exc, json.JSONDecodeError):
        return f"line {number} is not valid JSON: {exc.msg}"
    return f"line {number} is not valid JSON: {exc}"
