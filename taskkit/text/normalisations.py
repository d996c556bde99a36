"""The declared answer normalisations: what ``normalize:`` in an answer check may list.

Each step is a pure function of the text, applied in the order listed, to the agent's answer
and to every expected string alike. ``strip`` is the one step with an argument (the
substrings it deletes) and is written ``{strip: [",", ...]}``; the others are names. This is
the one registry of them: the models validate against it, the simulator runs it, and
``docs_gen`` renders its table in docs/authoring.md.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass

__all__ = [
    "NORMALISATIONS",
    "STRIP",
    "STRIP_DOES",
    "Normalisation",
    "apply_steps",
    "delete_substrings",
]

_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class Normalisation:
    """One named step: the function and what it does, for the docs."""

    run: Callable[[str], str]
    does: str


NORMALISATIONS: dict[str, Normalisation] = {
    "raw": Normalisation(lambda text: text, "nothing: the text is compared as written"),
    "lower": Normalisation(str.lower, "lower-cases the text (Python's `str.lower`)"),
    "nfkc": Normalisation(
        lambda text: unicodedata.normalize("NFKC", text),
        "Unicode NFKC: compatibility forms folded (`ﬁ` → `fi`, full-width digits → digits)",
    ),
    "collapse_whitespace": Normalisation(
        lambda text: _SPACES.sub(" ", text).strip(),
        "runs of whitespace become one space; leading and trailing whitespace is removed",
    ),
}
"""Named steps, in the order of the docs table."""

STRIP = "strip"
"""The step with an argument: ``{strip: [substrings]}`` deletes every occurrence of each."""

STRIP_DOES = 'deletes every occurrence of each listed substring, e.g. `{strip: [","]}`'


def delete_substrings(text: str, substrings: Sequence[str]) -> str:
    for sub in substrings:
        if sub:
            text = text.replace(sub, "")
    return text


def apply_steps(text: str, steps: Sequence[str | Sequence[str]]) -> str:
    """``text`` through ``steps``: a name of :data:`NORMALISATIONS`, or the substrings of a
    ``strip`` step."""
    for step in steps:
        if isinstance(step, str):
            text = NORMALISATIONS[step].run(text)
        else:
            text = delete_substrings(text, step)
    return text
