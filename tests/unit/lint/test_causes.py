"""Root causes first: findings that follow from another are folded under it, in every format.

Three libraries, each one mistake that used to bury itself in noise:

* a typo in a toolset: every task offering its tools got "unknown tool" (15 here), and the
  toolset's own error came last;
* one gold action whose argument has the wrong type: 24 entries fail it, and "... and 21
  more" sorted first;
* under ``--deep``, a gold action that fails and an expectation the gold run misses, on
  every one of 24 entries: 24 identical lines each.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from taskkit.cli.main import cli
from taskkit.diagnostics import Diagnostic, fold
from taskkit.lint import lint

PACK = "kind: pack\nschema_version: 1\nname: mini\nversion: 1.0.0\ntitle: A shop\nlicense: MIT\n"

TOOLSET = """\
kind: toolset
schema_version: 1
name: shop
tools:
  - name: find_item
    description: Find items by name.
    parameters:
      type: object
      properties:
        name: {type: string}
      required: [name]
    behavior:
      select: items
      where: {name: "{{ args.name }}"}
  - name: buy_item
    description: Buy some of an item.
    effect: write
    parameters:
      type: object
      properties:
        item_id: {type: string}
        qty: {type: integer, minimum: 1}
      required: [item_id, qty]
    BEHAVIOR
  - name: list_orders
    description: List the orders.
    parameters: {type: object, properties: {}}
    behavior:
      select: orders
"""
BUY = """\
      require:
        - exists: {collection: items, id: "{{ args.item_id }}"}
          error: no item {{ args.item_id }}
      insert: orders
      record: {item_id: "{{ args.item_id }}", qty: "{{ args.qty }}"}
"""

TASK = """\
kind: task
schema_version: 1
id: buy{n}
version: 1
category: data
difficulty: easy
tools: [shop.find_item, shop.buy_item, shop.list_orders]
content: purchases
user_command: Buy {{{{ qty }}}} of the {{{{ item }}}}.
initial_state:
  items: [{{id: "{{{{ item_id }}}}", name: "{{{{ item }}}}"}}]
  orders: []
final:
  gold_actions:
    - {{tool: shop.find_item, args: {{name: "{{{{ item }}}}"}}}}
    - {{tool: shop.buy_item, args: {{item_id: "{item_id}", qty: {qty}}}}}
    - {{tool: shop.list_orders, args: {{}}}}
  expect:
    diff: [{{collection: orders, added: {added}}}]
"""


def content(n: int) -> str:
    entries = "".join(
        f'  - {{id: e{i:02}, item: "item {i}", item_id: i-{i}, qty: {i}, price: "{i}.5"}}\n'
        for i in range(1, n + 1)
    )
    return (
        "kind: content\nschema_version: 1\nname: purchases\nfields:\n  type: object\n"
        "  properties:\n    item: {type: string}\n    item_id: {type: string}\n"
        "    qty: {type: integer}\n    price: {type: string}\n"
        "  required: [item, item_id, qty, price]\nentries:\n" + entries
    )


def library(
    root: Path,
    *,
    behavior: str = "behavior:\n" + BUY,
    tasks: int = 1,
    entries: int = 24,
    item_id: str = "{{ item_id }}",
    qty: str = '"{{ qty }}"',
    added: int = 1,
) -> Path:
    lib = root / "lib"
    for sub in ("tools", "tasks", "content"):
        (lib / sub).mkdir(parents=True)
    (lib / "pack.yaml").write_text(PACK)
    (lib / "tools" / "shop.yaml").write_text(TOOLSET.replace("BEHAVIOR\n", behavior))
    (lib / "content" / "purchases.yaml").write_text(content(entries))
    for n in range(1, tasks + 1):
        text = TASK.format(n=n, item_id=item_id, qty=qty, added=added)
        (lib / "tasks" / f"buy{n}.yaml").write_text(text)
    return lib


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["lint", "--no-cache", *args], catch_exceptions=False)
    return result.exit_code, result.stdout


@pytest.fixture
def toolset_typo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """``behaviour:`` for ``behavior:`` in one tool: the toolset does not load, and the
    three tools of five tasks are unknown."""
    monkeypatch.chdir(tmp_path)
    library(tmp_path, behavior="behaviour:\n" + BUY, tasks=5)
    return Path("lib")


TYPO_CAUSE = (
    "lib/tools/shop.yaml:24:5: TK103 error unknown key 'behaviour' (did you mean 'behavior'?)"
)


def test_a_toolset_typo_is_one_line_with_the_count_of_unknown_tools(toolset_typo: Path) -> None:
    code, out = run(str(toolset_typo))
    assert code == 1
    assert out == TYPO_CAUSE + " [15 more follow from it: TK202 x15; --verbose lists them]\n"


def test_verbose_lists_the_unknown_tools_under_the_toolset_error(toolset_typo: Path) -> None:
    code, out = run("--verbose", str(toolset_typo))
    assert code == 1
    lines = out.splitlines()
    assert lines[0] == TYPO_CAUSE
    assert lines[1:4] == [
        "  lib/tasks/buy1.yaml:7:9: TK202 error unknown tool 'shop.find_item'",
        "  lib/tasks/buy1.yaml:7:25: TK202 error unknown tool 'shop.buy_item'",
        "  lib/tasks/buy1.yaml:7:40: TK202 error unknown tool 'shop.list_orders'",
    ]
    assert len(lines) == 16
    assert all(" TK202 error unknown tool 'shop." in line for line in lines[1:])


def test_the_cause_comes_first_in_every_format(toolset_typo: Path) -> None:
    _, parsable = run("--format", "parsable", str(toolset_typo))
    assert parsable == (
        "lib/tools/shop.yaml:24:5: [error] unknown key 'behaviour' [15 more follow from it: "
        "TK202 x15; --verbose lists them] (TK103)\n"
    )
    _, github = run("--format", "github", str(toolset_typo))
    assert github == (
        "::error file=lib/tools/shop.yaml,line=24,col=5,title=TK103::unknown key 'behaviour' "
        "(did you mean 'behavior'?) [15 more follow from it: TK202 x15; --verbose lists them]\n"
    )
    _, verbose = run("--format", "parsable", "--verbose", str(toolset_typo))
    lines = verbose.splitlines()
    assert lines[0] == "lib/tools/shop.yaml:24:5: [error] unknown key 'behaviour' (TK103)"
    assert lines[1] == (
        "lib/tasks/buy1.yaml:7:9: [error] unknown tool 'shop.find_item' "
        "[follows from lib/tools/shop.yaml:24:5 TK103] (TK202)"
    )
    assert len(lines) == 16


def test_json_nests_the_consequences_under_their_cause(toolset_typo: Path) -> None:
    code, out = run("--format", "json", str(toolset_typo))
    assert code == 1
    doc = json.loads(out)
    assert doc["version"] == 2
    assert doc["summary"] == {"errors": 16, "warnings": 0, "folded": 15}
    (cause,) = doc["diagnostics"]
    assert (cause["path"], cause["line"], cause["col"], cause["rule"]) == (
        "lib/tools/shop.yaml",
        24,
        5,
        "TK103",
    )
    assert [c["rule"] for c in cause["consequences"]] == ["TK202"] * 15
    assert cause["consequences"][0]["path"] == "lib/tasks/buy1.yaml"
    assert all(c["consequences"] == [] for c in cause["consequences"])


def test_the_summary_counts_what_was_folded(toolset_typo: Path) -> None:
    result = CliRunner().invoke(cli, ["lint", "--no-cache", str(toolset_typo)])
    assert result.stderr == (
        "8 files: 16 errors, 0 warnings (15 follow from another; --verbose lists them)\n"
    )


def test_the_lint_cache_keeps_what_follows_from_what(toolset_typo: Path, tmp_path: Path) -> None:
    cache = str(tmp_path / "cache")
    runs = [
        CliRunner().invoke(cli, ["lint", "--cache-dir", cache, str(toolset_typo)]).stdout
        for _ in range(2)
    ]
    assert runs[0] == runs[1] == run(str(toolset_typo))[1]


def test_an_unknown_tool_with_no_broken_toolset_is_its_own_cause(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    lib = library(tmp_path)
    task = lib / "tasks" / "buy1.yaml"
    task.write_text(task.read_text().replace("tools: [shop.find_item,", "tools: [shop.find_itme,"))
    code, out = run("--select", "TK202", "lib")
    assert (code, out) == (
        1,
        "lib/tasks/buy1.yaml:7:9: TK202 error unknown tool 'shop.find_itme' "
        "(did you mean 'shop.find_item'?)\n"
        "lib/tasks/buy1.yaml:15:14: TK202 error gold action calls 'shop.find_item', which the "
        "task does not offer (add it to 'tools')\n",
    )


def test_a_mistyped_gold_argument_is_one_line_for_all_its_entries(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    library(tmp_path, qty='"{{ price }}"')  # a string where the tool wants an integer
    code, out = run("lib")
    assert code == 1
    assert out == (
        "lib/tasks/buy1.yaml:16:67: TK403 error gold action 2 (shop.buy_item) for entry 'e01': "
        'expected integer, got string "1.5" (at qty) (entry at lib/content/purchases.yaml:13) '
        "[23 more like it; --verbose lists them]\n"
    )
    code, out = run("--verbose", "lib")
    lines = out.splitlines()
    assert len(lines) == 24
    assert lines[1].startswith("  lib/tasks/buy1.yaml:16:67: TK403 error gold action 2 ")
    assert "for entry 'e02'" in lines[1]
    assert "for entry 'e24'" in lines[23]


def test_deep_per_entry_failures_are_one_line_each(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Task 1's purchase names an item no entry stocks (TK702 on all 24 entries); with the
    item fixed, task 2's ``expect`` wants two orders where the gold run adds one (TK703)."""
    monkeypatch.chdir(tmp_path)
    lib = library(tmp_path, tasks=2, added=2)
    first = lib / "tasks" / "buy1.yaml"
    first.write_text(first.read_text().replace('item_id: "{{ item_id }}"', 'item_id: "x"'))
    code, out = run("--deep", "--select", "TK7", "lib")
    assert code == 1
    assert out == (
        "lib/tasks/buy1.yaml:16:7: TK702 error entry 'e01': gold action 2 (buy_item) fails: "
        "no item x (entry at lib/content/purchases.yaml:13) "
        "[23 more like it; --verbose lists them]\n"
        "lib/tasks/buy2.yaml:19:12: TK703 error entry 'e01': the gold run does not meet the "
        "expectation: orders: 1 records added, expected 2 "
        "(entry at lib/content/purchases.yaml:13) [23 more like it; --verbose lists them]\n"
    )
    _, verbose = run("--deep", "--select", "TK7", "--verbose", "lib")
    assert len(verbose.splitlines()) == 48


def test_fold_keeps_a_consequence_whose_cause_is_not_there() -> None:
    cause = Diagnostic("a.yaml", 3, 1, "TK103", "bad key")
    follows = Diagnostic("b.yaml", 1, 1, "TK202", "unknown tool", cause="a.yaml")
    orphan = Diagnostic("b.yaml", 2, 1, "TK202", "unknown tool", cause="c.yaml")
    repeat = Diagnostic("b.yaml", 5, 1, "TK403", "entry e2", cause="b.yaml:4:1 TK403")
    first = Diagnostic("b.yaml", 4, 1, "TK403", "entry e1")
    folded = fold([repeat, orphan, follows, first, cause])
    assert folded == [cause, orphan, first]
    assert [f.consequences for f in folded] == [(follows,), (), (repeat,)]
    assert fold(folded) == folded  # folding what is folded changes nothing
    assert [f.consequences for f in fold(folded)] == [(follows,), (), (repeat,)]


def test_lint_returns_every_finding_with_its_cause(toolset_typo: Path) -> None:
    result = lint([toolset_typo])
    assert len(result.diagnostics) == 16
    causes = {d.cause for d in result.diagnostics}
    assert causes == {None, "lib/tools/shop.yaml"}
