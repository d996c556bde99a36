"""Name sanitising shared by the importers.

Source corpora name things freely (``math.factorial``, ``Investors Exchange (IEX) Trading``,
``/v4/sports/{sport}/odds``), while taskkit names follow three patterns:

* tool names: ``^[A-Za-z_][A-Za-z0-9_-]{0,63}$`` (what OpenAI-compatible APIs accept);
* toolset names: ``^[a-z][a-z0-9_-]*$``, at most 64 characters (no dots: ``toolset.tool``);
* task ids and content names: ``^[a-z][a-z0-9_]*(?:[-.][a-z0-9_]+)*$``, at most 80.

Every function here is deterministic, and a :class:`Namer` hands out each name once, adding
``_2``, ``_3``... on a collision, so one run over the same input always yields the same names.
Every change to a name is reported as a note, so nothing is renamed silently.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

__all__ = [
    "DOC_NAME",
    "TOOLSET_NAME",
    "TOOL_NAME",
    "Namer",
    "doc_name",
    "tool_name",
    "toolset_name",
]

TOOL_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]{0,63}$")
TOOLSET_NAME = re.compile(r"^[a-z][a-z0-9_-]*$")
DOC_NAME = re.compile(r"^[a-z][a-z0-9_]*(?:[-.][a-z0-9_]+)*$")

TOOL_MAX, TOOLSET_MAX, DOC_MAX = 64, 64, 80


def tool_name(raw: str) -> str:
    """``raw`` with every character a tool name cannot hold replaced by ``_``.

    Case is kept (``getMonarchOfYear`` stays readable); a name that would start with a digit
    or ``-`` gets a leading ``_``; names longer than 64 characters are cut.
    """
    name = re.sub(r"[^A-Za-z0-9_-]", "_", raw)
    if not name:
        name = "tool"
    if not re.match(r"[A-Za-z_]", name):
        name = "_" + name
    return name[:TOOL_MAX]


def toolset_name(raw: str) -> str:
    """Lower-case; runs of other characters become one ``_``; starts with a letter."""
    name = re.sub(r"[^a-z0-9_-]+", "_", raw.lower())
    name = re.sub(r"_+", "_", name).strip("_-")
    if not name:
        name = "tools"
    if not name[0].isalpha():
        name = "t_" + name
    return name[:TOOLSET_MAX].rstrip("_-") or "tools"


def doc_name(raw: str) -> str:
    """Lower-case task id or content name; ``.`` and ``-`` survive only as single separators."""
    name = re.sub(r"[^a-z0-9_.-]+", "_", raw.lower())
    name = re.sub(r"_+", "_", name)
    # A separator must sit between two word characters: collapse runs, trim the ends.
    name = re.sub(r"[.-]+(?=[.-])", "", name).strip(".-")
    if not name:
        name = "item"
    if not name[0].isalpha():
        name = "n_" + name
    name = name[:DOC_MAX].rstrip(".-")
    return name


_SHAPES: dict[str, tuple[Callable[[str], str], re.Pattern[str], int, str]] = {
    "tool": (
        tool_name,
        TOOL_NAME,
        TOOL_MAX,
        "tool names hold letters, digits, '_' and '-' (at most 64, not starting with a digit)",
    ),
    "toolset": (
        toolset_name,
        TOOLSET_NAME,
        TOOLSET_MAX,
        "toolset names hold lower-case letters, digits, '_' and '-'",
    ),
    "doc": (
        doc_name,
        DOC_NAME,
        DOC_MAX,
        "names hold lower-case letters, digits and '_', with single '.' or '-' between words",
    ),
}


class Namer:
    """Hands out unique names of one shape (``tool``, ``toolset`` or ``doc``).

    ``claim(raw)`` sanitises ``raw``, makes it unique among the names claimed so far with a
    numeric suffix, and records a note when the result differs from ``raw``.
    """

    def __init__(
        self, shape: str, notes: list[str], *, what: str, taken: Iterable[str] = ()
    ) -> None:
        self._sanitise, self._pattern, self._max, self._rule = _SHAPES[shape]
        self._notes = notes
        self._what = what
        self._used: set[str] = set(taken)

    def __contains__(self, name: str) -> bool:
        return name in self._used

    def claim(self, raw: str, *, base: str | None = None, why: str = "") -> str:
        """A fresh name for ``raw`` (``base``: an already-derived candidate, e.g. ToolBench's
        ``api_for_tool`` convention). ``why`` explains a deliberate rename in the note."""
        candidate = self._sanitise(raw if base is None else base)
        name = candidate
        n = 2
        while name in self._used:
            suffix = f"_{n}"
            name = candidate[: self._max - len(suffix)].rstrip(".-") + suffix
            n += 1
        assert self._pattern.match(name), name  # the sanitisers guarantee it
        self._used.add(name)
        if name != raw:
            if why:
                reason = why
            elif candidate != name:
                reason = f"another {self._what} is already named {candidate!r}"
            else:
                reason = self._rule
            self._notes.append(f"{self._what} {raw!r} renamed {name!r}: {reason}")
        return name
