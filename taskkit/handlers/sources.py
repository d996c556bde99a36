"""Python handlers (``behavior: {handler: "module:function"}``): where their code is, what
lint can tell of it without running it, and loading it for a trusted pack.

A handler's module is looked for first in the ``handlers/`` folder of the pack that declares
the tool (``handlers/refunds.py`` for ``refunds:issue``, ``handlers/a/b.py`` for
``a.b:fn``), then on the Python path. Lint reads the module file with :mod:`ast` only:
a pack's code is never imported, let alone run, unless the person running trusts the pack.
A handler is called as ``function(args=..., state=...)``.
"""

from __future__ import annotations

import ast
import contextvars
import hashlib
import importlib
import importlib.util
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..runtime.memo import Memo

if TYPE_CHECKING:
    from ..library import Library

__all__ = [
    "HANDLERS_DIR",
    "HandlerSource",
    "find_module",
    "handler_root",
    "inspect_handler",
    "load_handler",
    "pack_root",
    "split_ref",
    "using_handlers",
]

HANDLERS_DIR = "handlers"
"""The folder, inside a pack, that holds its handler modules."""

MAX_SOURCE_BYTES = 1_000_000
"""A handler module longer than this is not read (pack content is untrusted)."""

PARAMETERS = ("args", "state")
"""The keyword arguments every handler is called with."""


def pack_root(lib: Library, pack: str) -> str | None:
    """The folder of ``pack`` (where its ``pack.yaml`` is), or ``None`` without a manifest."""
    manifest = lib.packs.get(pack)
    return os.path.dirname(os.path.abspath(manifest.path)) if manifest is not None else None


def split_ref(ref: str) -> tuple[str, str]:
    """``module:function`` as its two parts (either may be empty when ``ref`` is malformed)."""
    module, _, function = ref.partition(":")
    return module.strip(), function.strip()


def _relative_files(module: str) -> list[str]:
    parts = module.split(".")
    if not module or not all(p.isidentifier() for p in parts):
        return []
    return [os.path.join(*parts) + ".py", os.path.join(*parts, "__init__.py")]


def find_module(module: str, pack_root: str | None) -> tuple[str, bool] | None:
    """The file of ``module`` and whether it is the pack's own (in its ``handlers/``), or
    ``None``. Only looks at files: nothing is imported."""
    rels = _relative_files(module)
    if pack_root is not None:
        base = os.path.join(pack_root, HANDLERS_DIR)
        for rel in rels:
            if os.path.isfile(os.path.join(base, rel)):
                return os.path.join(base, rel), True
    for entry in sys.path:
        for rel in rels:
            path = os.path.join(entry or os.getcwd(), rel)
            if os.path.isfile(path):
                return path, False
    return None


@dataclass(frozen=True)
class HandlerSource:
    """What reading a handler's module file found."""

    path: str | None
    """The module file (``None``: not found)."""
    problem: str | None = None
    """Why the handler cannot be used: no such module or function (``missing``), or a
    signature that does not take ``args`` and ``state``."""
    missing: bool = False
    """``problem`` is a missing module or function (else a bad signature)."""


def inspect_handler(ref: str, pack_root: str | None) -> HandlerSource:
    """Check ``ref`` by reading its module's source: the module file and the function exist,
    and the function accepts ``args`` and ``state`` as keywords."""
    module, function = split_ref(ref)
    if not module or not function:
        return HandlerSource(None, f"handler {ref!r} is not 'module:function'", missing=True)
    found = find_module(module, pack_root)
    where = f"{HANDLERS_DIR}/ in the pack" if pack_root is not None else "the pack"
    if found is None:
        return HandlerSource(
            None,
            f"handler module {module!r} not found (looked in {where} and on the Python path)",
            missing=True,
        )
    path, _ = found
    try:
        with open(path, "rb") as f:
            source = f.read(MAX_SOURCE_BYTES + 1)
        if len(source) > MAX_SOURCE_BYTES:
            raise ValueError(f"over {MAX_SOURCE_BYTES:,} bytes")
        tree = ast.parse(source, filename=path)
    except (OSError, SyntaxError, ValueError, RecursionError, MemoryError) as exc:
        return HandlerSource(path, f"handler module {module!r} cannot be read: {exc}", missing=True)
    node = _top_level(tree, function)
    if node is None:
        return HandlerSource(
            path, f"handler module {module!r} has no function {function!r}", missing=True
        )
    if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
        return HandlerSource(path)  # bound another way (an alias, a decorator's result)
    return HandlerSource(path, _signature_problem(node, ref))


def _top_level(tree: ast.Module, name: str) -> ast.AST | None:
    found: ast.AST | None = None
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            if node.name == name:
                found = node
        elif isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if any(isinstance(t, ast.Name) and t.id == name for t in targets):
                found = node
        elif isinstance(node, ast.ImportFrom | ast.Import) and any(
            (a.asname or a.name.split(".")[0]) == name for a in node.names
        ):
            found = node
    return found


def _signature_problem(fn: ast.FunctionDef | ast.AsyncFunctionDef, ref: str) -> str | None:
    if isinstance(fn, ast.AsyncFunctionDef):
        return f"handler {ref!r} is async; a handler is a plain function"
    a = fn.args
    keywords = [p.arg for p in [*a.args, *a.kwonlyargs]]
    missing = [p for p in PARAMETERS if p not in keywords and a.kwarg is None]
    if missing:
        return (
            f"handler {ref!r} does not accept {' and '.join(repr(m) for m in missing)}: "
            "a handler is called as function(args=..., state=...)"
        )
    positional = a.posonlyargs + a.args
    required = positional[: len(positional) - len(a.defaults)]
    required += [p for p, d in zip(a.kwonlyargs, a.kw_defaults, strict=True) if d is None]
    extra = [p.arg for p in required if p.arg not in PARAMETERS]
    if extra:
        return (
            f"handler {ref!r} needs {', '.join(repr(x) for x in extra)} besides args and "
            "state: give it a default"
        )
    return None


# --- running (trusted packs only) -----------------------------------------------------------

_ROOT: contextvars.ContextVar[str | None] = contextvars.ContextVar("handler_root", default=None)


def handler_root() -> str | None:
    """The pack folder the handler about to run belongs to (see :func:`using_handlers`)."""
    return _ROOT.get()


@contextmanager
def using_handlers(pack_root: str | None) -> Iterator[None]:
    """Run the code inside with handlers resolved in ``pack_root``'s ``handlers/``."""
    token = _ROOT.set(pack_root)
    try:
        yield
    finally:
        _ROOT.reset(token)


_LOADED: Memo[tuple[str, str], Callable[..., Any]] = Memo(1024)


def load_handler(ref: str, pack_root: str | None) -> Callable[..., Any]:
    """Import (once) and return a trusted pack's handler: from its ``handlers/`` folder,
    else from the Python path. Raises ``ImportError`` or ``AttributeError``."""
    key = (ref, pack_root or "")
    hit = _LOADED.get(key)
    if hit is not None:
        return hit
    module, function = split_ref(ref)
    found = find_module(module, pack_root)
    if found is not None and found[1]:
        # the pack's own module, under a name of its own: two packs' handlers/x.py differ
        digest = hashlib.sha256(os.path.abspath(found[0]).encode()).hexdigest()[:12]
        name = f"_taskkit_handlers_{digest}.{module}"
        loaded = sys.modules.get(name)
        if loaded is None:
            spec = importlib.util.spec_from_file_location(name, found[0])
            if spec is None or spec.loader is None:
                raise ImportError(f"cannot load {found[0]!r}")
            loaded = importlib.util.module_from_spec(spec)
            sys.modules[name] = loaded
            try:
                spec.loader.exec_module(loaded)
            except BaseException:
                del sys.modules[name]
                raise
    else:
        loaded = importlib.import_module(module)
    fn: Callable[..., Any] = getattr(loaded, function)
    return _LOADED.put(key, fn)
