"""taskkit's packages depend on each other one way only.

Every module belongs to one layer of ``LAYERS``; a module may import from its own layer or
from layers below it, never from a layer above (that is how cycles start). Imports inside
functions count too: deferring an import hides a cycle from Python, not from the design.
Only ``if TYPE_CHECKING:`` blocks are exempt, as they never run, and ``taskkit/__init__.py``,
the public API re-exporting from every layer (``from .. import __version__`` reads it).

The order is issue 14's, with one change: ``sim`` sits below ``lint``. Lint replays gold
actions and gold answers through the simulator (TK501, TK502, TK5xx) so that lint and a run
judge by one implementation of a behaviour; the simulator needs nothing from lint.

A new module is placed by adding it here (the test says which one is missing).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

import taskkit

PACKAGE = Path(taskkit.__file__).parent

LAYERS: list[tuple[str, list[str]]] = [
    (
        "models",
        [
            "models",
            "diagnostics",
            "rule_ids",
            "runs.intervals",
            "runtime",
            "scaffold._license_texts",
            "text",
        ],
    ),
    (
        "io/schema/templates",
        [
            "worlds",
            "handlers",
            "io",
            "runtime.parallel",
            "schema",
            "templates",
            "text.nearest",
            "text.patterns",
        ],
    ),
    ("library", ["library", "stats", "packs.versions", "packs.lockfile", "scaffold._fit"]),
    ("sim", ["sim", "handlers.trust"]),
    ("lint", ["lint"]),
    ("compiler", ["compiler"]),
    ("agents", ["agents"]),
    ("runner/datagen/testing", ["executors", "datagen", "testing", "view", "runs"]),
    ("packs gate", ["packs", "importers", "scaffold"]),
    ("cli", ["cli", "integrations", "docs_gen", "__main__"]),
]


def unit_of(module: str) -> str | None:
    """The most specific ``LAYERS`` entry naming ``module`` (``taskkit.a.b``), if any."""
    parts = module.split(".")[1:]
    names = {name for _, names in LAYERS for name in names}
    for n in range(len(parts), 0, -1):
        candidate = ".".join(parts[:n])
        if candidate in names:
            return candidate
    return None


def layer_of(unit: str) -> int:
    return next(i for i, (_, names) in enumerate(LAYERS) if unit in names)


def modules() -> Iterator[tuple[str, Path]]:
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = ("taskkit", *path.relative_to(PACKAGE).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        yield ".".join(parts), path


def imported(module: str, path: Path) -> Iterator[tuple[str, int]]:
    """``(module imported, line)`` for every taskkit import in ``path``."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skipped = {
        id(inner)
        for node in ast.walk(tree)
        if isinstance(node, ast.If) and ast.unparse(node.test).endswith("TYPE_CHECKING")
        for stmt in node.body
        for inner in ast.walk(stmt)
    }
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, node.lineno
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                stem = ".".join(base + ([node.module] if node.module else []))
            else:
                stem = node.module or ""
            if node.module:
                yield stem, node.lineno
            # `from . import x` and `from .pkg import submodule` import x itself
            for alias in node.names:
                yield f"{stem}.{alias.name}", node.lineno


def edges() -> Iterator[tuple[str, str, str, str, int]]:
    """``(unit, imported unit, module, file, line)`` for imports between units."""
    for module, path in modules():
        unit = unit_of(module)
        for target, line in imported(module, path):
            if target.split(".")[0] != "taskkit":
                continue
            other = unit_of(target)
            if unit is not None and other is not None and other != unit:
                yield unit, other, module, str(path.relative_to(PACKAGE)), line


def test_every_module_has_a_layer() -> None:
    unplaced = [m for m, _ in modules() if m != "taskkit" and unit_of(m) is None]
    assert unplaced == [], "add these to LAYERS in tests/test_layers.py"


def test_no_module_imports_from_a_layer_above_its_own() -> None:
    upward = sorted(
        {
            f"{path}:{line}: {unit} ({LAYERS[layer_of(unit)][0]}) imports {other} "
            f"({LAYERS[layer_of(other)][0]})"
            for unit, other, _, path, line in edges()
            if layer_of(other) > layer_of(unit)
        }
    )
    assert upward == []


def test_units_of_one_layer_do_not_import_each_other_in_a_cycle() -> None:
    graph: dict[str, set[str]] = {}
    for unit, other, *_ in edges():
        graph.setdefault(unit, set()).add(other)
    assert _cycles(graph) == []


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    found: list[list[str]] = []
    state: dict[str, int] = {}  # 1: on the current path, 2: done

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                found.append([*path[path.index(nxt) :], nxt])
            elif nxt not in state:
                visit(nxt, [*path, nxt])
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node, [node])
    return found


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("from ..cli import main\n", [("taskkit.cli", 1), ("taskkit.cli.main", 1)]),
        ("import taskkit.lint\n", [("taskkit.lint", 1)]),
        ("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from ..cli import main\n", []),
        ("def f():\n    from .. import lint\n", [("taskkit.lint", 2)]),
    ],
)
def test_the_check_sees_relative_deferred_and_absolute_imports(
    tmp_path: Path, source: str, expected: list[tuple[str, int]]
) -> None:
    path = tmp_path / "mod.py"
    path.write_text(source, encoding="utf-8")
    found = [(m, line) for m, line in imported("taskkit.sim.mod", path) if m.startswith("taskkit")]
    assert found == expected


def test_an_upward_import_is_reported() -> None:
    assert layer_of(unit_of("taskkit.cli.main") or "") > layer_of(unit_of("taskkit.models") or "")
    assert unit_of("taskkit.packs.versions") == "packs.versions"
    assert unit_of("taskkit.packs.gate") == "packs"
