"""The id table (:mod:`taskkit.rule_ids`) is the one place a finding id is written, and every
id in it is one ``taskkit rules`` lists."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from click.testing import CliRunner

import taskkit
from taskkit import rule_ids
from taskkit.cli.main import cli
from taskkit.lint.registry import RULES

PACKAGE = Path(taskkit.__file__).parent
ID = re.compile(r"TK\d{3}")
TABLE = {
    value: name
    for name, value in vars(rule_ids).items()
    if name.isupper() and isinstance(value, str) and ID.fullmatch(value)
}


def _docstrings(tree: ast.AST) -> set[int]:
    """The ids of the nodes that are docstrings (of modules, classes, functions, and the
    attribute docstrings under an assignment): prose, which may name an id for the reader."""
    found: set[int] = set()
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if not isinstance(body, list):
            continue
        for stmt in body:
            if (
                isinstance(stmt, ast.Expr)
                and isinstance(stmt.value, ast.Constant)
                and isinstance(stmt.value.value, str)
            ):
                found.add(id(stmt.value))
    return found


def id_literals(source: str) -> list[tuple[int, str]]:
    """Each string literal of ``source`` (docstrings aside) that holds a finding id."""
    tree = ast.parse(source)
    prose = _docstrings(tree)
    return sorted(
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in prose
        and ID.search(node.value)
    )


def test_no_finding_id_is_written_outside_the_table() -> None:
    offenders = [
        f"{path.relative_to(PACKAGE.parent)}:{line}: {text!r}"
        for path in sorted(PACKAGE.rglob("*.py"))
        if path != PACKAGE / "rule_ids.py"
        for line, text in id_literals(path.read_text(encoding="utf-8"))
    ]
    assert offenders == [], "name the id by its constant in taskkit/rule_ids.py"


def test_the_check_finds_a_retyped_id() -> None:
    source = '"""Docs may say TK201."""\nRULE = "TK201"\nmsg = f"see {x} (TK604)"\n'
    assert id_literals(source) == [(2, "TK201"), (3, " (TK604)")]


def test_every_id_is_a_rule_or_a_gate_check_and_each_once() -> None:
    assert len(TABLE) == len([n for n in vars(rule_ids) if n in TABLE.values()])
    assert set(TABLE) == set(RULES) | set(rule_ids.PACK_GATE)
    assert not set(RULES) & set(rule_ids.PACK_GATE)
    for rule_id, rule in RULES.items():
        assert rule_id == rule.ID


def test_taskkit_rules_lists_every_id() -> None:
    out = CliRunner().invoke(cli, ["rules"], catch_exceptions=False).output
    listed = [line.split()[0] for line in out.splitlines() if line.strip()]
    assert listed == sorted(TABLE)
    shown = CliRunner().invoke(cli, ["rules", "tk691"], catch_exceptions=False)
    assert shown.exit_code == 0
    assert shown.output.startswith("TK691 readme-missing (error")
