"""Shared world files: the state a pack's tasks start from, read once per pack.

A pack declares ``world: {collection: file}`` in ``pack.yaml``; each file is a ``.json``
document (an object keyed by id, or a list of records) or a ``.jsonl`` file (one record a
line). ``world_schema: {collection: schema}`` gives the JSON Schema of one record, inline or
as a ``.json`` file, and every record is checked against it. Problems are diagnostics at the
file and line they concern: an unreadable or malformed file (TK421), a record that breaks its
schema (TK420, at the record's line).

The world's identity is the SHA-256 of its canonical JSON text (:func:`world_hash`): compiled
output stores it once under that name (:mod:`taskkit.compiler.output`) instead of in every task.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import orjson

from .diagnostics import Diagnostic
from .io.regular_files import FileRefused, read_regular
from .io.yamlio import decode, load_jsonl_file
from .rule_ids import WORLD_FILE, WORLD_SCHEMA
from .schema.validate import SchemaError, compile_schema

__all__ = [
    "MAX_WORLD_BYTES",
    "World",
    "canonical_json",
    "load_world",
    "own_collections",
    "strict_equal",
    "with_world",
    "world_hash",
]

MAX_WORLD_BYTES = 256 * 1024 * 1024
"""A world file larger than this is refused (TK421) rather than read into memory."""


@dataclass
class World:
    """A pack's shared world: collections by name, and the content hash naming it."""

    data: dict[str, Any]
    sha256: str
    files: dict[str, str] = field(default_factory=dict)
    """Each collection's file, as found."""


def with_world(world: Mapping[str, Any], own: Mapping[str, Any]) -> dict[str, Any]:
    """A task's initial state: the world's collections, replaced or added to by the task's
    own (``None`` removes a world collection). The world's values are shared, not copied:
    the initial state of a compiled task is never mutated."""
    state = dict(world)
    for name, value in own.items():
        if value is None and name in world:
            del state[name]
        else:
            state[name] = value
    return state


def own_collections(world: Mapping[str, Any], state: Mapping[str, Any]) -> dict[str, Any]:
    """The inverse of :func:`with_world`: what a task adds to or changes in ``world``."""
    own: dict[str, Any] = {name: None for name in world if name not in state}
    for name, value in state.items():
        if name not in world or (value is not world[name] and not strict_equal(value, world[name])):
            own[name] = value
    return own


def strict_equal(a: Any, b: Any) -> bool:
    """Equal as JSON values *and* types: ``1``, ``1.0`` and ``True`` all differ. Python's
    ``==`` settles most cases at C speed; the JSON text (which tells the types apart) only
    confirms an equality."""
    if a is b:
        return True
    if type(a) is not type(b) or a != b:
        return False
    if not isinstance(a, dict | list | float):
        return True
    return _typed_text(a) == _typed_text(b)


def _typed_text(value: Any) -> bytes:
    try:
        return orjson.dumps(value, option=orjson.OPT_SORT_KEYS)
    except (TypeError, orjson.JSONEncodeError):  # an int beyond 64 bits, a non-str key
        return json.dumps(value, sort_keys=True, default=repr).encode()


def canonical_json(value: Any) -> str:
    """The one text a world hashes and is stored as: sorted keys, no spaces, UTF-8."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def world_hash(data: Mapping[str, Any]) -> str:
    return hashlib.sha256(canonical_json(data).encode()).hexdigest()


def load_world(
    pack_dir: str | os.PathLike[str],
    files: Mapping[str, str],
    schemas: Mapping[str, Any],
    *,
    manifest: str,
    locate: Any = None,
) -> tuple[World | None, list[Diagnostic]]:
    """Read and check the world files of the pack in ``pack_dir``.

    ``manifest`` is the ``pack.yaml`` path, ``locate(loc) -> (line, col)`` finds a key in it
    (for diagnostics about the declaration itself). Returns ``None`` when a file cannot be
    used at all; schema violations leave the world usable but are reported."""
    folder = Path(pack_dir)
    diags: list[Diagnostic] = []
    data: dict[str, Any] = {}
    found: dict[str, str] = {}

    def at_manifest(loc: tuple[str, ...], message: str, hint: str | None = None) -> Diagnostic:
        line, col = locate(loc) if locate is not None else (1, 1)
        return Diagnostic(manifest, line, col, WORLD_FILE, message, hint=hint)

    for name, rel in files.items():
        read = _read_collection(folder, name, rel, at_manifest, diags)
        if read is None:
            continue
        loaded, text, path = read
        data[name] = loaded
        found[name] = str(path)
        schema = schemas.get(name)
        if schema is not None:
            diags.extend(_check(name, loaded, text, path, schema, folder, at_manifest))
    for name in schemas:
        if name not in files:
            diags.append(
                at_manifest(
                    ("world_schema", name),
                    f"world_schema names {name!r}, which is not a world collection",
                    hint=f"world collections: {', '.join(files) or 'none'}",
                )
            )
    if len(data) != len(files):
        return None, diags
    # The world in its canonical key order (sorted, as it is stored and hashed): a task
    # compiled here and one read back from a compiled file then start from the same dicts,
    # so their observations (tool results serialised in key order) are the same text.
    text = canonical_json(data)
    return World(json.loads(text), hashlib.sha256(text.encode()).hexdigest(), found), diags


def _read_collection(
    folder: Path,
    name: str,
    rel: str,
    at_manifest: Any,
    diags: list[Diagnostic],
) -> tuple[dict[str, Any] | list[Any], str | list[int] | None, Path] | None:
    """One declared world file: its data, its text and where it is; None (the reasons
    added to ``diags``) when it is outside the pack, missing, unreadable or not records."""
    path = _inside(folder, rel)
    if path is None:
        diags.append(
            at_manifest(
                ("world", name),
                f"world file {rel!r} is outside the pack folder",
                hint="packs are data: they may only read files inside their folder",
            )
        )
        return None
    if not path.is_file():
        diags.append(at_manifest(("world", name), f"world file {rel!r} not found"))
        return None
    loaded, text, file_diags = _read(path)
    diags.extend(file_diags)
    if loaded is _MISSING:
        return None
    if not isinstance(loaded, dict | list):
        diags.append(
            Diagnostic(
                str(path),
                1,
                1,
                WORLD_FILE,
                f"a world file holds an object keyed by id or a list of records, "
                f"not {type(loaded).__name__}",
            )
        )
        return None
    return loaded, text, path


_MISSING: Any = object()


def _inside(folder: Path, rel: str) -> Path | None:
    if "\0" in rel or Path(rel).is_absolute():
        return None
    path = folder / rel
    try:
        if not os.path.realpath(path).startswith(os.path.realpath(folder) + os.sep):
            return None
    except OSError:
        return None
    return path


def _read(path: Path) -> tuple[Any, str | list[int] | None, list[Diagnostic]]:
    """The file's value (a JSONL file: the list of its records) and where its records are:
    a JSONL file's record lines, or a JSON file's text (scanned only if a record is bad)."""
    name = str(path)
    if path.suffix == ".jsonl":
        records, diags = load_jsonl_file(path, max_bytes=MAX_WORLD_BYTES)
        relabelled = [replace(d, rule=WORLD_FILE) for d in diags]
        if diags:
            return _MISSING, None, relabelled
        return [r.data for r in records], [r.line for r in records], []
    try:
        raw = read_regular(name, max_bytes=MAX_WORLD_BYTES)
    except (FileRefused, OSError) as exc:
        msg = str(exc) if isinstance(exc, FileRefused) else f"cannot read: {exc.strerror or exc}"
        return _MISSING, None, [Diagnostic(name, 1, 1, WORLD_FILE, msg)]
    text = decode(name, raw)
    if isinstance(text, Diagnostic):
        return _MISSING, None, [replace(text, rule=WORLD_FILE)]
    try:
        return json.loads(text, parse_constant=_refuse), text, []
    except json.JSONDecodeError as exc:
        return _MISSING, None, [Diagnostic(name, exc.lineno, exc.colno, WORLD_FILE, exc.msg)]
    except (ValueError, RecursionError) as exc:
        return _MISSING, None, [Diagnostic(name, 1, 1, WORLD_FILE, f"not usable JSON: {exc}")]


def _refuse(constant: str) -> Any:
    raise ValueError(f"{constant} is not a JSON number")


def _check(  # noqa: PLR0917 - private, called once
    name: str,
    value: dict[str, Any] | list[Any],
    text: str | list[int] | None,
    path: Path,
    schema: Any,
    folder: Path,
    at_manifest: Any,
) -> Iterator[Diagnostic]:
    if isinstance(schema, str):
        schema_path = _inside(folder, schema)
        try:
            if schema_path is None:
                raise OSError("outside the pack folder")
            schema = json.loads(schema_path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            yield at_manifest(("world_schema", name), f"world schema {schema!r}: {exc}")
            return
    try:
        validator = compile_schema(schema)
    except SchemaError as exc:
        yield at_manifest(("world_schema", name), f"world schema of {name!r} is invalid: {exc}")
        return
    items = list(value.items()) if isinstance(value, dict) else list(enumerate(value))
    lines: list[int] | None = None
    for i, (key, record) in enumerate(items):
        error = validator.first_error(record)
        if error is None:
            continue
        if lines is None:
            lines = member_lines(text) if isinstance(text, str) else (text or [])
        line = lines[i] if i < len(lines) else 1
        named = record["id"] if isinstance(record, dict) and "id" in record else key
        where = "/".join(str(p) for p in error.path)
        yield Diagnostic(
            str(path),
            line,
            1,
            WORLD_SCHEMA,
            f"{name} record {named!r} breaks the world schema"
            + (f" at {where}" if where else "")
            + f": {error.message}",
        )


def member_lines(text: str) -> list[int]:
    """The 1-based line where each member of the top-level object or array in ``text``
    starts (for an object, the line of its key), in order: JSON parsers keep no positions."""
    out: list[int] = []
    depth = 0
    line = 1
    in_string = escape = False
    expect_member = False
    for ch in text:
        if ch == "\n":
            line += 1
        if in_string:
            if escape:
                escape = False
            elif ch == "\\":
                escape = True
            elif ch == '"':
                in_string = False
            continue
        if expect_member and not ch.isspace() and ch not in "]}":
            out.append(line)
            expect_member = False
        if ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
            if depth == 1:
                expect_member = True
        elif ch in "]}":
            depth -= 1
            expect_member = False
        elif ch == "," and depth == 1:
            expect_member = True
    return out
