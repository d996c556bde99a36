"""Memo tables are bounded: a long run meets tasks one after another, each freshly loaded,
and a table that kept an entry per task grew with the run (issue 16: generate's RSS)."""

from __future__ import annotations

import ast
import gc
import importlib
import weakref
from pathlib import Path

import pytest

import taskkit
from taskkit.runtime.memo import IdentityMemo, Memo

PACKAGE = Path(taskkit.__file__).parent

# Module-level tables that are not memos of the kind above, and why each cannot grow.
NOT_MEMOS = {
    ("sim/pertask.py", "_BY_TASK"): "each entry lives as long as its task (a weak reference)",
    ("sim/collections.py", "_INDEXES"): "bounded by count and by records (_MAX_INDEXED*)",
}


def test_a_memo_keeps_its_most_recently_used_entries() -> None:
    memo: Memo[int, str] = Memo(3)
    for i in range(3):
        memo.put(i, str(i))
    assert memo.get(0) == "0"  # used: now the newest
    memo.put(3, "3")
    assert len(memo) == 3
    assert memo.get(1) is None  # the least recently used went first
    assert [memo.get(k) for k in (0, 2, 3)] == ["0", "2", "3"]


def test_an_identity_memo_knows_objects_not_equal_values() -> None:
    memo: IdentityMemo[str] = IdentityMemo(8)
    schema = {"type": "object"}
    memo.put(schema, "compiled")
    assert memo.get(schema) == "compiled"
    assert memo.get({"type": "object"}) is None  # equal, but another object
    assert memo.get(schema, "other tag") is None


def test_an_identity_memo_can_hold_none() -> None:
    memo: IdentityMemo[str | None] = IdentityMemo(8)
    model, missing = object(), object()
    assert memo.get(model, "kind", missing) is missing
    memo.put(model, None, "kind")
    assert memo.get(model, "kind", missing) is None


def test_an_identity_memo_forgets_the_oldest_objects() -> None:
    memo: IdentityMemo[int] = IdentityMemo(4)
    objects = [object() for _ in range(10)]
    for i, obj in enumerate(objects):
        memo.put(obj, i)
    assert len(memo) == 4
    assert [memo.get(o) for o in objects] == [None] * 6 + [6, 7, 8, 9]


def test_an_identity_memo_keeps_no_model_alive() -> None:
    """A long run's tasks die one after another: an entry keyed by a task's model (which
    takes weak references) must not keep it, or the run holds every task it met."""

    class Model:  # like a pydantic model: it takes weak references
        pass

    memo: IdentityMemo[str] = IdentityMemo(8)
    model = Model()
    memo.put(model, "derived", "kind")
    assert memo.get(model, "kind") == "derived"
    gone = weakref.ref(model)
    del model
    gc.collect()
    assert gone() is None
    assert memo.get(Model(), "kind") is None  # a new object, even at the same address


def _module_of(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _module_level(tree: ast.Module) -> list[tuple[str, ast.expr]]:
    found = []
    for node in tree.body:
        if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.value:
            found.append((node.target.id, node.value))
        elif isinstance(node, ast.Assign) and len(node.targets) == 1:
            target = node.targets[0]
            if isinstance(target, ast.Name):
                found.append((target.id, node.value))
    return found


def _called(value: ast.expr) -> str | None:
    if isinstance(value, ast.Call):
        func = value.func
        return func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
    return None


def _sources() -> list[tuple[Path, ast.Module]]:
    return [(p, ast.parse(p.read_text(encoding="utf-8"))) for p in sorted(PACKAGE.rglob("*.py"))]


def _memo_tables() -> list[tuple[str, str]]:
    return [
        (_module_of(path), name)
        for path, tree in _sources()
        for name, value in _module_level(tree)
        if _called(value) in ("Memo", "IdentityMemo")
    ]


def test_the_memo_tables_are_found() -> None:
    tables = set(_memo_tables())
    assert {
        ("taskkit.sim.verify", "_BY_ID"),
        ("taskkit.sim.verify", "_BY_TEXT"),
        ("taskkit.templates.environment", "_RENDERERS"),
    } <= tables


@pytest.mark.parametrize(("module", "name"), _memo_tables())
def test_every_memo_table_stays_within_its_bound(module: str, name: str) -> None:
    table = getattr(importlib.import_module(module), name)
    assert isinstance(table, (Memo, IdentityMemo))
    assert 0 < table.size <= 65536
    try:
        for i in range(table.size + 10):  # fresh keys, as freshly loaded tasks bring
            if isinstance(table, IdentityMemo):
                table.put(object(), i)
            else:
                table.put(("probe", i), i)
        assert len(table) == table.size
    finally:
        table.clear()  # a memo only: the package works it out again


def test_no_other_module_level_table_grows() -> None:
    """A module-level dict (or set, or OrderedDict) that starts empty is filled at run
    time: a memo in disguise, unless listed in NOT_MEMOS with why it cannot grow."""
    found = set()
    for path, tree in _sources():
        for name, value in _module_level(tree):
            empty = (isinstance(value, ast.Dict) and not value.keys) or (
                _called(value) in ("dict", "OrderedDict", "defaultdict")
                and not getattr(value, "args", None)
            )
            if empty:
                found.add((path.relative_to(PACKAGE).as_posix(), name))
    assert found == set(NOT_MEMOS)


def _keeps_every_argument(decorator: ast.expr) -> bool:
    name = _called(decorator) or getattr(decorator, "attr", getattr(decorator, "id", None))
    if name == "cache":
        return True
    return (
        name == "lru_cache"
        and isinstance(decorator, ast.Call)
        and any(
            k.arg == "maxsize" and isinstance(k.value, ast.Constant) and k.value.value is None
            for k in decorator.keywords
        )
    )


def test_cached_functions_are_bounded() -> None:
    """``functools.cache`` (and ``lru_cache(maxsize=None)``) keeps every argument it met:
    allowed only on functions that take none."""
    unbounded = []
    for path, tree in _sources():
        for node in ast.walk(tree):
            if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            a = node.args
            takes = a.args or a.posonlyargs or a.kwonlyargs or a.vararg or a.kwarg
            if takes and any(_keeps_every_argument(d) for d in node.decorator_list):
                unbounded.append(f"{path.relative_to(PACKAGE)}:{node.lineno} {node.name}")
    assert unbounded == []
