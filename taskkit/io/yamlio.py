"""The only place YAML is read.

Documents are composed with libyaml (when PyYAML was built with it) and turned into plain
JSON-like data by a small constructor of our own, so that:

* only JSON types come out (str, int, float, bool, None, list, dict); timestamps stay the
  strings the author wrote, and any other tag -- ``!!python/object`` included -- is a
  diagnostic, never a constructor call;
* anchors and aliases are shared, never expanded, and a document whose expanded size would
  explode (a "billion laughs" or merge bomb) or that refers to itself is refused before any
  later step walks it;
* duplicate keys, which PyYAML silently collapses, are reported;
* where the optional fast reader is installed, it reads the files it is known to read the
  same (see :mod:`taskkit.io.fastyaml`);
* every value can be located: :meth:`Document.locate` maps a key/index path (pydantic ``loc``
  or jsonschema ``absolute_path``) to a 1-based line and column. The source map is built
  lazily, on the first lookup, because clean files never need one.
"""

from __future__ import annotations

import codecs
import json
import math
import operator
import os
import re
import sys
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import orjson
import yaml

from ..diagnostics import Diagnostic
from ..rule_ids import (
    DUPLICATE_KEY,
    ENCODING,
    FILE_UNREADABLE,
    JSONL_SYNTAX,
    NON_JSON_VALUE,
    UNKNOWN_KIND,
    UNSAFE_TAG,
    YAML_BOMB,
    YAML_SYNTAX,
)
from . import fastyaml
from .regular_files import FileRefused, read_regular

__all__ = [
    "MAX_FILE_BYTES",
    "MAX_YAML_BYTES",
    "Document",
    "JsonlRecord",
    "LoadResult",
    "decode",
    "dump_yaml",
    "load_jsonl_file",
    "load_yaml_file",
    "load_yaml_text",
    "schema_comment",
]

MAX_FILE_BYTES = 16 * 1024 * 1024
MAX_YAML_BYTES = 2 * 1024 * 1024
"""YAML files above this size are refused (a diagnostic), not read. They are capped lower
than JSONL files (whatever ``max_bytes`` says): reading YAML costs tens of bytes of memory
per byte of text and grows with the file (the figures are in ``benchmarks/README.md``,
"Figures the code points to"). Large content belongs in a JSONL file (``entries_file``),
read a line at a time."""

MAX_DEPTH = 500
"""Deeper nesting is refused before parsing: libyaml's composer recurses on the C stack."""

MAX_EXPANDED_NODES = 1_000_000
"""A document whose aliases would expand past this many nodes is a YAML bomb."""

_T = "tag:yaml.org,2002:"
_STR, _INT, _FLOAT, _BOOL, _NULL = _T + "str", _T + "int", _T + "float", _T + "bool", _T + "null"
_MAP, _SEQ, _TIMESTAMP, _MERGE = _T + "map", _T + "seq", _T + "timestamp", _T + "merge"

# First characters of plain scalars that YAML 1.1 may resolve to something but a string
# (bool, null, int, float, timestamp, merge, value); every other plain scalar is a string.
_MAYBE_TYPED = frozenset("yYnNtTfFoO~-+0123456789.<=")


_SCALAR_NODE, _MAPPING_NODE, _SEQUENCE_NODE = yaml.ScalarNode, yaml.MappingNode, yaml.SequenceNode


class _FastResolve:
    """libyaml parses in C but calls back into Python to resolve every node's tag; most
    scalars in a pack are plain words, which need none of the resolver's regexes."""

    def resolve(self, kind: type[yaml.Node], value: Any, implicit: tuple[bool, bool]) -> str:
        if kind is _SCALAR_NODE:
            if not implicit[0]:
                return _STR  # quoted or block text: YAML resolves only plain scalars
            if value and value[0] not in _MAYBE_TYPED:
                return _STR
            if value.isdigit() and value.isascii() and (value[0] != "0" or len(value) == 1):
                return _INT  # a decimal; a leading 0 would make it octal, left to the regexes
        elif kind is _MAPPING_NODE:
            return _MAP
        elif kind is _SEQUENCE_NODE:
            return _SEQ
        return super().resolve(kind, value, implicit)  # type: ignore[misc, no-any-return]

    # The composer calls these around every node, for path resolvers, which a safe loader
    # never has; C built-ins that ignore their arguments cost a fraction of a method call.
    descend_resolver = staticmethod(operator.is_)
    ascend_resolver = staticmethod(tuple)


_Loader: type[Any] = type(
    "_Loader", (_FastResolve, getattr(yaml, "CSafeLoader", yaml.SafeLoader)), {}
)
_scalar_constructor = yaml.constructor.SafeConstructor()

PathItem = str | int


class _Refused(Exception):
    """Input we will not construct; carries the diagnostic."""

    def __init__(self, rule: str, message: str, node: yaml.Node | None, hint: str | None = None):
        super().__init__(message)
        self.rule, self.message, self.node, self.hint = rule, message, node, hint


@dataclass(slots=True)
class Document:
    """One YAML document: its data, and a way back from any value to its position."""

    path: str
    data: Any
    text: str
    index: int = 0
    _map: _SourceMap | None = field(default=None, repr=False)

    @property
    def start_line(self) -> int:
        """Line of the document's first content (cheap for the first document of a file)."""
        if self.index:
            return self.locate(())[0]
        for number, line in enumerate(self.text.splitlines(), start=1):
            stripped = line.strip()
            if stripped and not stripped.startswith(("#", "%", "---")):
                return number
        return 1

    def _source_map(self) -> _SourceMap:
        if self._map is None:
            nodes = _composed(self.text)
            self._map = _SourceMap(nodes[self.index] if self.index < len(nodes) else None)
        return self._map

    def locate(self, path: Sequence[PathItem]) -> tuple[int, int]:
        """Line and column (1-based) of the value at ``path``, or of its nearest ancestor."""
        return self._clamp(self._source_map().locate(tuple(path), key=False))

    def locate_key(self, path: Sequence[PathItem]) -> tuple[int, int]:
        """Like :meth:`locate`, but of the mapping key when the last item names one."""
        return self._clamp(self._source_map().locate(tuple(path), key=True))

    def _clamp(self, position: tuple[int, int]) -> tuple[int, int]:
        # An empty value at the end of the file starts on the line after the last one.
        last = max(1, len(self.text.splitlines()))
        return (last, 1) if position[0] > last else position

    def node(self, path: Sequence[PathItem]) -> yaml.Node | None:
        """The composed node at ``path``, if it exists."""
        return self._source_map().node(tuple(path))


@lru_cache(maxsize=4)
def _composed(text: str) -> tuple[yaml.Node, ...]:
    """Every document of ``text``, composed once for all of them: positions are asked of
    one document after another, and composing the whole file for each made a file of many
    documents cost quadratic time."""
    try:
        return tuple(yaml.compose_all(text, Loader=_Loader))
    except (yaml.YAMLError, RecursionError):  # read by the fast reader, not libyaml
        return ()


@dataclass(slots=True)
class LoadResult:
    documents: list[Document]
    diagnostics: list[Diagnostic]


class _SourceMap:
    """Key/index path -> (key node, value node), built from composed nodes."""

    def __init__(self, root: yaml.Node | None) -> None:
        self._root = root
        self._index: dict[tuple[PathItem, ...], tuple[yaml.Node | None, yaml.Node]] = {}
        if root is not None:
            self._walk(root, (), None, set())

    def _walk(
        self, node: yaml.Node, path: tuple[PathItem, ...], key: yaml.Node | None, seen: set[int]
    ) -> None:
        self._index.setdefault(path, (key, node))
        if id(node) in seen:  # an alias: its children are indexed under the anchor already
            return
        seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            for k, v in node.value:
                if isinstance(k, yaml.ScalarNode):
                    self._walk(v, (*path, _key_value(k)), k, seen)
        elif isinstance(node, yaml.SequenceNode):
            for i, v in enumerate(node.value):
                self._walk(v, (*path, i), None, seen)

    def node(self, path: tuple[PathItem, ...]) -> yaml.Node | None:
        hit = self._index.get(path)
        return hit[1] if hit else None

    def locate(self, path: tuple[PathItem, ...], *, key: bool) -> tuple[int, int]:
        for n in range(len(path), -1, -1):
            hit = self._index.get(path[:n])
            if hit is None:
                continue
            key_node, value_node = hit
            node = key_node if key and key_node is not None and n == len(path) else value_node
            return node.start_mark.line + 1, node.start_mark.column + 1
        return 1, 1


def _key_value(node: yaml.ScalarNode) -> PathItem:
    if node.tag == _INT:
        try:
            return int(_scalar_constructor.construct_yaml_int(node))
        except ValueError:
            return str(node.value)
    return str(node.value)


def load_yaml_file(
    path: str | os.PathLike[str],
    *,
    max_bytes: int = MAX_FILE_BYTES,
    on_read: Callable[[os.stat_result, bytes], None] | None = None,
) -> LoadResult:
    """Read and construct every document of a YAML file; problems become diagnostics.

    ``on_read`` is given the file's stat and bytes, as read (the lint cache keeps them)."""
    name = os.fspath(path)
    try:
        raw = read_regular(name, max_bytes=min(max_bytes, MAX_YAML_BYTES))
        st = os.stat(name)
    except FileRefused as exc:
        hint = "split large content into a JSONL file, or raise --max-file-size"
        return _fail(
            Diagnostic(
                name, 1, 1, FILE_UNREADABLE, str(exc), hint=hint if "limit" in str(exc) else None
            )
        )
    except OSError as exc:
        return _fail(
            Diagnostic(name, 1, 1, FILE_UNREADABLE, f"cannot read file: {exc.strerror or exc}")
        )
    if on_read is not None:
        on_read(st, raw)
    text = decode(name, raw)
    if isinstance(text, Diagnostic):
        return LoadResult([], [text])
    return load_yaml_text(text, name)


def decode(name: str, raw: bytes) -> str | Diagnostic:
    """The text of a YAML file's bytes (UTF-8, a byte order mark dropped), or why not."""
    if raw.startswith(codecs.BOM_UTF8):
        raw = raw[len(codecs.BOM_UTF8) :]
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = raw[: exc.start]
        line = before.count(b"\n") + 1
        col = len(before) - (before.rfind(b"\n") + 1) + 1
        return Diagnostic(
            name,
            line,
            col,
            ENCODING,
            f"invalid UTF-8: byte 0x{raw[exc.start]:02x} cannot start or continue a character",
            hint="save the file as UTF-8",
        )


def load_yaml_text(text: str, path: str = "<string>") -> LoadResult:
    """Construct every document of ``text``; problems become diagnostics."""
    if "\x00" in text:
        at = text.index("\x00")
        line = text.count("\n", 0, at) + 1
        col = at - (text.rfind("\n", 0, at) + 1) + 1
        return _fail(
            Diagnostic(
                path,
                line,
                col,
                YAML_SYNTAX,
                "NUL character in YAML text",
                hint="is this a binary file?",
            )
        )
    too_deep = _nesting_beyond(text, MAX_DEPTH)
    if too_deep is not None:
        line, col = too_deep
        return _fail(
            Diagnostic(
                path,
                line,
                col,
                YAML_BOMB,
                f"nesting deeper than {MAX_DEPTH} levels",
                hint="flatten the data, or move it to a JSONL content file",
            )
        )
    # A number longer than Python converts: the fast reader would build it (and a later
    # json.dumps fail); the reference reader refuses it at its line.
    fast = fastyaml.read(text) if _LONG_NUMBER_RUN.search(text) is None else None
    if fast is not None:
        return LoadResult([Document(path=path, data=fast, text=text)], [])
    try:
        roots = list(yaml.compose_all(text, Loader=_Loader))
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        problem = exc.problem or exc.context or "invalid YAML"
        return _fail(Diagnostic(path, line, col, YAML_SYNTAX, f"yaml syntax error: {problem}"))
    except yaml.YAMLError as exc:  # e.g. a reader error on a control character
        return _fail(Diagnostic(path, 1, 1, YAML_SYNTAX, f"yaml syntax error: {exc}"))
    except RecursionError:
        return _fail(Diagnostic(path, 1, 1, YAML_BOMB, "document nested too deeply to read"))
    docs: list[Document] = []
    diags: list[Diagnostic] = []
    if not roots:
        diags.append(
            Diagnostic(path, 1, 1, UNKNOWN_KIND, "no document in this file", hint="delete the file")
        )
    for index, root in enumerate(roots):
        try:
            # An alias (``*name``) needs an anchor (``&name``) before it: without both
            # characters, no node can be shared.
            constructor = _Constructor(path, diags, aliases="&" in text and "*" in text)
            data = constructor.build(root)
            if constructor.aliased:
                _check_size(root)
        except _Refused as r:
            line, col = _node_pos(r.node)
            diags.append(Diagnostic(path, line, col, r.rule, r.message, hint=r.hint))
            continue
        except RecursionError:
            diags.append(Diagnostic(path, 1, 1, YAML_BOMB, "document nested too deeply to read"))
            continue
        docs.append(Document(path=path, data=data, text=text, index=index))
    return LoadResult(docs, diags)


_LONG_NUMBER_RUN = re.compile(r"(?<![0-9])[0-9]{4000}")


def _nesting_beyond(text: str, limit: int) -> tuple[int, int] | None:
    """Where flow brackets or block indentation first nest past ``limit``, if they do.

    A conservative scan (brackets inside quoted strings count too): it only has to be exact
    for files that are nowhere near the limit, which the first test settles cheaply."""
    if text.count("[") + text.count("{") <= limit and len(text) < limit * 2 * 80:
        return None
    depth = 0
    line, col = 1, 0
    for ch in text:
        col += 1
        if ch == "\n":
            line, col = line + 1, 0
        elif ch in "[{":
            depth += 1
            if depth > limit:
                return line, col
        elif ch in "]}" and depth:
            depth -= 1
    for number, raw in enumerate(text.splitlines(), start=1):
        indent = len(raw) - len(raw.lstrip(" -"))
        if indent > 2 * limit:
            return number, 1
    return None


def _fail(diagnostic: Diagnostic) -> LoadResult:
    return LoadResult([], [diagnostic])


def _node_pos(node: yaml.Node | None) -> tuple[int, int]:
    if node is None:
        return 1, 1
    return node.start_mark.line + 1, node.start_mark.column + 1


def _check_size(root: yaml.Node) -> None:
    """Refuse documents whose aliases expand to too many nodes, or refer to themselves."""
    sizes: dict[int, int] = {}
    active: set[int] = set()

    def size(node: yaml.Node) -> int:
        key = id(node)
        known = sizes.get(key)
        if known is not None:
            return known
        if key in active:
            raise _Refused(YAML_BOMB, "an alias refers to the node that contains it", node)
        if isinstance(node, yaml.ScalarNode):
            return 1
        active.add(key)
        total = 1
        if isinstance(node, yaml.MappingNode):
            for k, v in node.value:
                total += size(k) + size(v)
        else:
            for v in node.value:
                total += size(v)
        active.discard(key)
        if total > MAX_EXPANDED_NODES:
            raise _Refused(
                YAML_BOMB,
                f"aliases expand this document past {MAX_EXPANDED_NODES:,} nodes (a YAML bomb?)",
                node,
                "repeat the data, or move large data to a JSONL content file",
            )
        sizes[key] = total
        return total

    size(root)


class _Constructor:
    """Nodes -> JSON-like data; shared (aliased) nodes become shared objects."""

    def __init__(self, path: str, diags: list[Diagnostic], *, aliases: bool = True) -> None:
        self._path = path
        self._diags = diags
        self._memo: dict[int, Any] = {}
        self._active: set[int] = set()
        self._aliases = aliases
        self.aliased = False
        # Without an alias (``*name``) in the text every node is met once, and the
        # bookkeeping that finds shared nodes can be skipped. Chosen once, not per node, so
        # that nesting costs the same stack depth either way.
        self.build: Callable[[yaml.Node], Any] = self._shared if aliases else self._tree

    def _shared(self, node: yaml.Node) -> Any:
        """Construct ``node``. Each node is built once; meeting one again means an alias,
        and then :func:`_check_size` must vet the document before anything walks it."""
        key = id(node)
        if key in self._memo:
            self.aliased = True
            return self._memo[key]
        tag = node.tag
        value: Any
        if type(node) is yaml.ScalarNode:
            value = self._scalar(node, tag)
            self._memo[key] = value
            return value
        if key in self._active:
            raise _Refused(YAML_BOMB, "an alias refers to the node that contains it", node)
        self._active.add(key)
        if isinstance(node, yaml.SequenceNode):
            if tag != _SEQ:
                raise _unsupported(node)
            value = [self.build(child) for child in node.value]
        elif isinstance(node, yaml.MappingNode):
            if tag != _MAP:
                raise _unsupported(node)
            value = self._mapping(node)
        else:  # pragma: no cover - composer yields only these three
            raise _unsupported(node)
        self._active.discard(key)
        self._memo[key] = value
        return value

    def _tree(self, node: yaml.Node) -> Any:
        """:meth:`build` for a document without aliases: a tree, each node built once."""
        tag = node.tag
        if type(node) is yaml.ScalarNode:
            return node.value if tag == _STR else self._scalar(node, tag)
        if type(node) is yaml.SequenceNode:
            if tag != _SEQ:
                raise _unsupported(node)
            return [
                child.value
                if type(child) is yaml.ScalarNode and child.tag == _STR
                else self.build(child)
                for child in node.value
            ]
        if type(node) is yaml.MappingNode:
            if tag != _MAP:
                raise _unsupported(node)
            return self._mapping(node)
        raise _unsupported(node)  # pragma: no cover - composer yields only these three

    def _scalar(self, node: yaml.ScalarNode, tag: str) -> Any:
        if tag in (_STR, _TIMESTAMP):
            return node.value
        try:
            return self._typed(node, tag)
        except (ValueError, TypeError, KeyError, IndexError, yaml.YAMLError):
            raise _Refused(
                UNSAFE_TAG,
                f"{_quoted(node.value)} is not a valid {tag.removeprefix(_T)}",
                node,
                "drop the explicit tag, or fix the value",
            ) from None

    def _typed(self, node: yaml.ScalarNode, tag: str) -> Any:
        if tag == _INT:
            return _scalar_constructor.construct_yaml_int(node)
        if tag == _FLOAT:
            value = _scalar_constructor.construct_yaml_float(node)
            if not math.isfinite(
                value
            ):  # JSON has no such number: compiled files could not hold it
                raise _Refused(
                    NON_JSON_VALUE,
                    f"{node.value!r} is not a finite number, which JSON cannot hold",
                    node,
                    "use a large finite number, or null",
                )
            return value
        if tag == _BOOL:
            return _scalar_constructor.construct_yaml_bool(node)
        if tag == _NULL:
            return None
        raise _unsupported(node)

    def _mapping(self, node: yaml.MappingNode) -> dict[str, Any]:
        out: dict[str, Any] = {}
        explicit: set[str] = set()
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE:
                for base in self._merge_sources(value_node):
                    for k, v in base.items():
                        if k not in explicit:
                            out[k] = v
                continue
            if not isinstance(key_node, yaml.ScalarNode):
                raise _Refused(UNSAFE_TAG, "mapping keys must be plain scalars", key_node)
            if not self._aliases and key_node.tag == _STR:
                key = key_node.value  # the common case, without a call per key
            else:
                key = self.build(key_node)
                if isinstance(key, bool) or key is None or isinstance(key, float):
                    key = key_node.value  # `yes:` or `null:` as a key: the text the author wrote
                key = str(key)
            # Datasets repeat the same few keys in every record: one string object each
            # saves memory here and in every process the data is sent to.
            key = sys.intern(key)
            if key in explicit:
                line, col = _node_pos(key_node)
                self._diags.append(
                    Diagnostic(
                        self._path,
                        line,
                        col,
                        DUPLICATE_KEY,
                        f"duplicate key {key!r}: the later value would silently win",
                        hint="remove or rename one of them",
                    )
                )
            explicit.add(key)
            if not self._aliases and value_node.tag == _STR and type(value_node) is yaml.ScalarNode:
                out[key] = value_node.value
            else:
                out[key] = self.build(value_node)
        return out

    def _merge_sources(self, node: yaml.Node) -> Iterator[dict[str, Any]]:
        sources = node.value if isinstance(node, yaml.SequenceNode) else [node]
        for src in sources:
            data = self.build(src)
            if not isinstance(data, dict):
                raise _Refused(UNSAFE_TAG, "a merge key (<<) must refer to a mapping", src)
            yield data


def _quoted(text: str, limit: int = 60) -> str:
    """``text`` quoted for a message, shortened when long (a 20,000-digit number)."""
    if len(text) <= limit:
        return repr(text)
    return f"{text[: limit - 20]!r}... ({len(text):,} characters)"


def _unsupported(node: yaml.Node) -> _Refused:
    tag = node.tag
    if tag.startswith(_T + "python/") or tag.startswith("!!python"):
        return _Refused(
            UNSAFE_TAG,
            f"python tag {tag.removeprefix(_T)!r} refused: task files are data, not code",
            node,
            "remove the tag; Python handlers are referenced by import path in trusted packs",
        )
    return _Refused(
        UNSAFE_TAG,
        f"unsupported YAML tag {tag.removeprefix(_T)!r}: only JSON types are allowed",
        node,
        "remove the tag",
    )


@dataclass(frozen=True, slots=True)
class JsonlRecord:
    line: int
    data: Any


def load_jsonl_file(
    path: str | os.PathLike[str], *, max_bytes: int = MAX_FILE_BYTES
) -> tuple[list[JsonlRecord], list[Diagnostic]]:
    """Read a JSON Lines file; each record keeps its own line number."""
    name = os.fspath(path)
    try:
        raw = read_regular(name, max_bytes=max_bytes)
    except FileRefused as exc:
        return [], [Diagnostic(name, 1, 1, FILE_UNREADABLE, str(exc))]
    except OSError as exc:
        return [], [
            Diagnostic(name, 1, 1, FILE_UNREADABLE, f"cannot read file: {exc.strerror or exc}")
        ]
    text = decode(name, raw)
    if isinstance(text, Diagnostic):
        return [], [text]
    records: list[JsonlRecord] = []
    diags: list[Diagnostic] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            data = _json_line(line)
        except json.JSONDecodeError as exc:
            diags.append(
                Diagnostic(name, number, exc.colno, JSONL_SYNTAX, f"invalid JSON line: {exc.msg}")
            )
            continue
        except _NotJson as exc:
            diags.append(Diagnostic(name, number, 1, NON_JSON_VALUE, str(exc), hint=exc.hint))
            continue
        except ValueError as exc:  # an integer of more digits than Python converts
            diags.append(Diagnostic(name, number, 1, JSONL_SYNTAX, f"invalid JSON line: {exc}"))
            continue
        except RecursionError:
            diags.append(Diagnostic(name, number, 1, YAML_BOMB, "JSON nested too deeply to read"))
            continue
        problem = _line_problem(line, data)
        if problem is not None:
            rule, message = problem
            diags.append(Diagnostic(name, number, 1, rule, message))
            continue
        records.append(JsonlRecord(number, data))
    return records, diags


class _NotJson(ValueError):
    """A value JSON parsers accept but JSON does not have (NaN, Infinity, 1e400)."""

    hint = "use a finite number, or null"


def _no_constant(name: str) -> Any:
    raise _NotJson(f"{name} is not a JSON number")


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise _NotJson(f"{text} is too large a number for JSON (it reads as {value})")
    return value


_KEY = re.compile(r'"\s*:')
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


def _line_problem(line: str, data: Any) -> tuple[str, str] | None:
    """A duplicate key (the later value would silently win, TK007 as in YAML) or a lone
    surrogate (no UTF-8 encoding: writing it out fails), cheaply ruled out first."""
    if len(_KEY.findall(line)) > _count_keys(data):  # some key text was folded away
        duplicate = _first_duplicate(line)
        if duplicate is not None:
            return DUPLICATE_KEY, f"duplicate key {duplicate!r}: the later value would silently win"
    if _SURROGATE_ESCAPE.search(line) is not None:
        try:
            json.dumps(data, ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError:
            return NON_JSON_VALUE, "a lone surrogate (\\ud800-\\udfff) is not text UTF-8 can hold"
    return None


def _count_keys(data: Any) -> int:
    if isinstance(data, dict):
        return len(data) + sum(_count_keys(v) for v in data.values())
    if isinstance(data, list):
        return sum(_count_keys(v) for v in data)
    return 0


def _first_duplicate(line: str) -> str | None:
    found: list[str] = []

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        seen: set[str] = set()
        for key, _ in items:
            if key in seen and not found:
                found.append(key)
            seen.add(key)
        return dict(items)

    json.loads(line, object_pairs_hook=pairs)
    return found[0] if found else None


_LONG_NUMBER = re.compile(r"[0-9]{19}")


def _json_line(line: str) -> Any:
    """One JSON value, read by orjson (several times faster) where it reads what json
    reads: not where a number may pass 64 bits (orjson makes it a float), nor where it
    refuses the line (NaN, 1e400, errors), so json's values and messages stay the reference."""
    if _LONG_NUMBER.search(line) is None:
        try:
            return orjson.loads(line)
        except orjson.JSONDecodeError:
            pass
    return json.loads(line, parse_constant=_no_constant, parse_float=_finite)


class _Dumper(yaml.SafeDumper):
    """Block style, keys in the order given, multi-line strings as literal blocks."""


def _str_representer(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    if any(c in value for c in "\x85\u2028\u2029"):
        # YAML line breaks outside a double-quoted scalar would be folded on reading
        return dumper.represent_scalar(_STR, value, style='"')
    style = "|" if "\n" in value else None
    return dumper.represent_scalar(_STR, value, style=style)


_Dumper.add_representer(str, _str_representer)


def schema_comment(kind: str, schema_base: str = "https://taskkit.dev/schemas/v1") -> str:
    """The first line of a written document, so yaml-language-server completes and checks."""
    return f"# yaml-language-server: $schema={schema_base}/{kind}.schema.json\n"


def dump_yaml(data: Any, *, kind: str | None = None, schema_base: str | None = None) -> str:
    """Write JSON-like data as YAML, with the schema comment line when ``kind`` is given."""
    body = yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)
    if kind is None:
        return body
    head = schema_comment(kind) if schema_base is None else schema_comment(kind, schema_base)
    return head + body
