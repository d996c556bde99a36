"""Regular expressions from packs, run on text the model wrote, in bounded time.

An author's answer ``regex`` or a schema's ``pattern`` is matched against agent text. With
Python's backtracking engine a pattern such as ``^(a+)+$`` takes exponential time on
``"aaaa...b"``, so a model (by accident or not) could stall a run. Patterns run on
`RE2 <https://github.com/google/re2>`_ (the ``google-re2`` package), whose matching time is
linear in the text, whenever RE2 accepts the pattern. RE2 refuses backreferences and
lookaround; such patterns fall back to Python's ``re`` on text of at most
:data:`FALLBACK_MAX_CHARS` characters, and longer text is reported as too long to check
(lint warns about them: TK rule ``invalid_regex`` / :func:`is_linear`).

RE2's classes ``\\d``, ``\\w``, ``\\s`` are ASCII, as in the ECMA-262 regexes that JSON
Schema's ``pattern`` is defined by.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache

__all__ = ["FALLBACK_MAX_CHARS", "SafePattern", "TooLong", "compile_safe", "is_linear"]

try:  # a wheel on every common platform; without it, every pattern takes the fallback
    import re2 as _re2  # type: ignore[import-not-found,import-untyped,unused-ignore]
except ImportError:  # pragma: no cover - the package is a core dependency
    _re2 = None

FALLBACK_MAX_CHARS = 1_000
"""The longest text a pattern that RE2 refuses is run on (with Python's engine)."""

_SURROGATES = re.compile("[\ud800-\udfff]")


class TooLong(ValueError):
    """The text is too long to match with a pattern RE2 refuses."""


class SafePattern:
    """A compiled pattern with ``search(text) -> bool`` in bounded time."""

    __slots__ = ("_search", "linear", "pattern")

    def __init__(self, pattern: str, search: Callable[[str], object], *, linear: bool) -> None:
        self.pattern = pattern
        self._search = search
        self.linear = linear

    def search(self, text: str) -> bool:
        """Whether the pattern matches anywhere in ``text``; raises :class:`TooLong` when
        the pattern is not linear-time and the text is over :data:`FALLBACK_MAX_CHARS`."""
        if self.linear:
            if not text.isascii() and _SURROGATES.search(text):  # RE2 reads UTF-8
                text = _SURROGATES.sub("\ufffd", text)
            return self._search(text) is not None
        if len(text) > FALLBACK_MAX_CHARS:
            raise TooLong(
                f"text of {len(text):,} characters is too long to match against "
                f"/{self.pattern}/ (a pattern RE2 cannot run is used on at most "
                f"{FALLBACK_MAX_CHARS:,} characters)"
            )
        return self._search(text) is not None


@lru_cache(maxsize=4096)
def compile_safe(pattern: str, *, ignore_case: bool = False) -> SafePattern:
    """``pattern`` compiled for bounded-time matching. Raises :class:`re.error` if Python's
    engine refuses it too (lint reports that as an invalid regex)."""
    python = re.compile(pattern, re.IGNORECASE if ignore_case else 0)
    if _re2 is not None:
        options = _re2.Options()
        options.case_sensitive = not ignore_case
        options.log_errors = False
        try:
            compiled = _re2.compile(pattern, options)
        except Exception:  # RE2's error type differs by version; any refusal means fallback
            pass
        else:
            return SafePattern(pattern, compiled.search, linear=True)
    return SafePattern(pattern, python.search, linear=False)


def is_linear(pattern: str) -> bool:
    """Whether ``pattern`` runs on RE2 (linear time); False for an invalid pattern."""
    try:
        return compile_safe(pattern).linear
    except re.error:
        return False
