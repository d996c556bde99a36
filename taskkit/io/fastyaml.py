"""The optional fast YAML reader, and when it may stand in for the reference reader.

The reference reader (:mod:`taskkit.io.yamlio`: libyaml, our constructor) is most of a large
library's lint (a figure per node in ``benchmarks/README.md``, "Figures the code points
to"). With the ``fast`` extra installed, `yaml-rs <https://pypi.org/project/yaml-rs/>`_
(Rust) reads a file several times faster -- but it
reads YAML 1.2, accepts some text libyaml refuses, and we promise YAML 1.1 as PyYAML reads
it, duplicate keys and bombs reported, tags refused. So it reads only the subset of YAML
where the two are known to agree, and :func:`read` returns None, sending the file to the
reference reader, whenever:

* the text has anything but plain block and flow YAML: tabs, carriage returns, Unicode line
  separators, characters libyaml refuses, anchors, aliases, tags, merge keys, directives,
  several documents, a flow collection spread over lines (where yaml-rs accepts a
  multi-line key or a block scalar inside brackets);
* it has a number whose reading changed between YAML 1.1 and 1.2 (``010``, ``0o7``,
  ``1e3``, ``-.5``, ``1_000``, ``_00``); the scan is of the whole text, so a false alarm costs only
  speed;
* yaml-rs refuses it (a syntax error, a duplicate key): the reference reader says why;
* the result is not a mapping with string keys, or holds a string that YAML 1.1 reads as
  something else when it is written plain (``yes``, ``12:30``), which yaml-rs leaves a
  string -- so it may have been written plain -- or an empty block scalar, which yaml-rs
  reads as a line break.

``tests/unit/test_fastyaml.py`` compares the two readers on generated and hand-written
YAML; the last two exceptions above are what it found.

``TASKKIT_YAML=pyyaml`` in the environment turns the fast reader off.
"""

from __future__ import annotations

import os
import re
import sys
from functools import lru_cache
from types import ModuleType
from typing import Any

import yaml

__all__ = ["available", "read", "reader"]


def _import() -> ModuleType | None:
    if os.environ.get("TASKKIT_YAML", "").lower() == "pyyaml":
        return None
    try:
        import yaml_rs  # noqa: PLC0415 - an optional extra
    except ImportError:
        return None
    return yaml_rs


_yaml_rs = _import()

# One pass each, at regex speed or better (together about yaml-rs's own time): characters
# that YAML 1.1 and 1.2 treat apart (tabs, carriage returns, Unicode line breaks) or that
# libyaml refuses (control characters, surrogates, a BOM inside the text); ...
_UNREADABLE = re.compile(
    r"[^\n\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]"
)
_READABLE_ASCII = b"\n" + bytes(range(0x20, 0x7F))
# ... anchors, aliases and tags, and numbers that YAML 1.1 and 1.2 read differently
# (leading zeros and radix prefixes, exponents, digit separators, a sign before the point;
# yaml-rs also drops underscores before any digit, reading ``_00`` as 0 and ``._5`` as 0.5,
# which YAML 1.1 reads as text), after a space, a bracket, a comma or a line break. That is
#     [ \[{,\n](?:[&*!]|[-+]?(?:0[0-9bBoOxX]|\.[0-9_]|[0-9][0-9.]*[eE_]|_[0-9_.]))
# (tests/unit/test_fastyaml.py holds the two equal), written to start with the character
# after the separator: the regex engine then skips ahead to such characters, instead of
# trying at every space. Twice as fast.
_INDICATOR_OR_NUMBER = re.compile(
    r"[-+._0-9&*!](?<=[ \[{,\n][-+._0-9&*!])"
    r"(?:(?<=[&*!])"
    r"|(?<=[-+])(?:0[0-9bBoOxX]|\.[0-9_]|[0-9][0-9.]*[eE_]|_[0-9_.])"
    r"|(?<=0)[0-9bBoOxX]"
    r"|(?<=\.)[0-9_]"
    r"|(?<=[0-9])[0-9.]*[eE_]"
    r"|(?<=_)[0-9_.])"
)
# ... and merge keys (``<<``), document markers and directives (``---``, ``...``, ``%`` at
# the start of a line), infinities and NaNs (``.inf``, ``.NaN``, ...): a regex each that
# starts with one character, which the regex engine skips ahead to.
_LINE_MARKER = re.compile(r"\n(?:---|\.\.\.|%)")
_INF_OR_NAN = re.compile(r"\.(?:inf|Inf|INF|nan|NaN|NAN)")
_OPENERS = ("---", "...", "%", "&", "*", "!")


# Flow collections spread over lines: yaml-rs reads some that libyaml refuses (a
# multi-line key, a block scalar indicator inside brackets). Found by keeping only the
# brackets and line breaks, then taking out the pairs closed on their own line.
_ALL_BUT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}\n")


def _flow_spans_lines(text: str) -> bool:
    shape = text.encode().translate(None, _ALL_BUT_BRACKETS)
    while True:
        inner = shape.replace(b"[]", b"").replace(b"{}", b"")
        if inner == shape:
            return b"[" in shape or b"{" in shape
        shape = inner


def _unreadable(text: str) -> bool:
    # Most text is ASCII (which Python knows without a scan): deleting the readable bytes
    # in C is five times faster than the regex.
    if text.isascii():
        return bool(text.encode().translate(None, _READABLE_ASCII))
    return _UNREADABLE.search(text) is not None


def _outside_subset(text: str) -> bool:
    return (
        text.startswith(_OPENERS)
        or "<<" in text
        or _LINE_MARKER.search(text) is not None
        or _INF_OR_NAN.search(text) is not None
        or _unreadable(text)
        or _INDICATOR_OR_NUMBER.search(text) is not None
        or _flow_spans_lines(text)
    )


# First characters of the strings yaml-rs returns that YAML 1.1 may read as something else
# when written plain: `yes`/`no`/`on`/`off` (`true`, `false` and `null` come back typed from
# yaml-rs too), numbers and times, `~`, `<<`, `=`; and a line break, which starts the text
# of an empty block scalar (``k: |``) as yaml-rs reads it ("\n"; libyaml reads "").
_MAYBE_TYPED = frozenset("yYnNoO~-+0123456789.<=\n")
# ... and of keys: YAML 1.1 bools, nulls and floats as keys keep the text written (see
# yamlio's constructor), so only integers (`12:30` is 750) and `=` can differ.
_KEY_MAYBE_TYPED = frozenset("-+0123456789=")
_STR = "tag:yaml.org,2002:str"
_TIMESTAMP = "tag:yaml.org,2002:timestamp"  # kept as the text written, by both readers
_resolver = yaml.resolver.Resolver()


def available() -> bool:
    """Whether the fast reader is installed (and not turned off)."""
    return _yaml_rs is not None


def reader() -> str:
    """Which reader reads the subset: ``yaml-rs <version>``, or ``pyyaml`` (the reference
    reader reads everything else either way)."""
    if _yaml_rs is None:
        return "pyyaml"
    return f"yaml-rs {getattr(_yaml_rs, '__version__', '?')}"


def read(text: str) -> dict[str, Any] | None:
    """The data of ``text``, a single mapping document, or None when the reference reader
    must read it (see the module's docstring)."""
    if _yaml_rs is None or _outside_subset(text):
        return None
    try:
        data = _yaml_rs.loads(text, parse_datetime=False)
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException:  # any refusal, a Rust panic too: the reference reader reports it
        return None
    if type(data) is not dict:
        return None
    return _checked(data)


def _checked(data: dict[Any, Any]) -> dict[str, Any] | None:
    """``data`` with every mapping key interned (a dataset repeats the same few keys in
    every record: one string object each saves memory here and wherever the data is sent),
    or None if a key is not a string, or YAML 1.1 may read the text it came from otherwise."""
    try:
        root = _interned(data)
        stack: list[Any] = [root]
        pop, push = stack.pop, stack.append
        while stack:
            node = pop()
            # The two branches are one loop written twice: this is most of the reader's
            # own time, and a shared helper would cost a call per value.
            if type(node) is dict:
                for key, item in node.items():
                    if key and key[0] in _KEY_MAYBE_TYPED and _typed_11(key):
                        return None
                    if type(item) is str:
                        if item and item[0] in _MAYBE_TYPED and _typed_11(item):
                            return None
                    elif type(item) is dict:
                        # same size, same keys: assigning while iterating is allowed
                        node[key] = copy = _interned(item)
                        push(copy)
                    elif type(item) is list:
                        push(item)
            else:
                for i, item in enumerate(node):
                    if type(item) is str:
                        if item and item[0] in _MAYBE_TYPED and _typed_11(item):
                            return None
                    elif type(item) is dict:
                        node[i] = copy = _interned(item)
                        push(copy)
                    elif type(item) is list:
                        push(item)
    except TypeError:  # sys.intern: a key that is not a string (1: or true: or ? [a])
        return None
    return root


def _interned(mapping: dict[Any, Any]) -> dict[str, Any]:
    return dict(zip(map(sys.intern, mapping), mapping.values(), strict=True))


@lru_cache(maxsize=4096)
def _typed_11(text: str) -> bool:
    """Whether ``text``, written plain, is a string to yaml-rs but not to YAML 1.1 (the
    string came back from yaml-rs, so it was quoted or that is how yaml-rs reads it), or
    may be an empty block scalar."""
    if not text.strip("\n"):
        return True
    tag = _resolver.resolve(yaml.ScalarNode, text, (True, False))  # type: ignore[no-untyped-call]
    if tag in (_STR, _TIMESTAMP):
        return False
    assert _yaml_rs is not None
    try:
        plain = _yaml_rs.loads("x: " + text, parse_datetime=False)
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException:  # cannot tell: assume the worst
        return True
    return type(plain) is not dict or type(plain.get("x")) is str
