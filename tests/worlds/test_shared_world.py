"""Shared world files: declared once in pack.yaml, started from by every task of the pack,
stored once (by content hash) beside a compiled file, and read back whole."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from taskkit.cli.main import cli
from taskkit.compiler import CompiledFileError, compile_paths, load_compiled, write_compiled
from taskkit.sim.patch import PatchError, apply_patch, final_state, make_patch
from taskkit.worlds import member_lines, strict_equal, world_hash

EXAMPLE = Path(__file__).parents[1] / "examples" / "valid" / "shared-world"


@pytest.fixture
def pack(tmp_path: Path) -> Path:
    shutil.copytree(EXAMPLE, tmp_path / "lib")
    return tmp_path / "lib"


def _world_items(pack: Path) -> list[dict]:
    lines = (pack / "mini" / "world" / "items.jsonl").read_text().splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def test_every_task_starts_from_the_world_plus_its_own_collections(pack):
    result = compile_paths([pack])
    assert result.ok, result.diagnostics
    for task in result.tasks:
        assert task.initial_state == {"items": _world_items(pack), "orders": []}
        assert task.world == world_hash({"items": _world_items(pack)})


def test_compiled_file_stores_the_world_once_and_loads_back_the_same_tasks(pack, tmp_path):
    tasks = compile_paths([pack]).tasks
    out = tmp_path / "out" / "tasks.jsonl"
    manifest = write_compiled(tasks, out)
    worlds = list((out.parent / "worlds").iterdir())
    assert [w.name for w in worlds] == [f"{tasks[0].world}.json"]
    assert manifest["worlds"] == [tasks[0].world]
    for line in out.read_text().splitlines():
        stored = json.loads(line)
        assert stored["initial_state"] == {"orders": []}  # the world is not repeated
        assert stored["final"]["gold_state"] == {}
        assert stored["final"]["gold_state_patch"][0]["op"] == "add"
    loaded = load_compiled(out)
    assert [t.model_dump() for t in loaded] == [t.model_dump() for t in tasks]
    # The tasks share the world's collections rather than holding a copy each.
    assert loaded[0].initial_state["items"] is loaded[1].initial_state["items"]


def test_a_task_can_replace_or_remove_a_world_collection(pack):
    task_file = pack / "mini" / "tasks" / "buy.yaml"
    text = task_file.read_text().replace(
        "initial_state:\n  orders: []",
        'initial_state:\n  orders: []\n  items: [{id: "{{ item_id }}", name: "{{ item }}", price: 1}]',
    )
    task_file.write_text(text)
    tasks = compile_paths([pack]).tasks
    assert tasks[0].initial_state["items"] == [{"id": "i-1", "name": "pen", "price": 1}]


def test_a_missing_or_altered_world_is_an_error_not_other_tasks(pack, tmp_path):
    out = tmp_path / "tasks.jsonl"
    write_compiled(compile_paths([pack]).tasks, out)
    (world,) = (tmp_path / "worlds").iterdir()
    world.write_text(world.read_text().replace("pen", "pan"))
    with pytest.raises(CompiledFileError, match="does not hold the world"):
        load_compiled(out)
    world.unlink()
    with pytest.raises(CompiledFileError, match="cannot be read"):
        load_compiled(out)


def test_run_keeps_the_final_state_as_a_patch_unless_asked(pack, tmp_path):
    compiled = tmp_path / "tasks.jsonl"
    runner = CliRunner()
    result = runner.invoke(cli, ["compile", str(pack), "-o", str(compiled)])
    assert result.exit_code == 0, result.output
    tasks = {t.id: t for t in load_compiled(compiled)}
    for flags, key in (([], "final_state_patch"), (["--full-state"], "final_state")):
        out = tmp_path / f"run{len(flags)}.jsonl"
        args = ["run", str(compiled), "--agent", "replay", "-o", str(out), *flags]
        result = runner.invoke(cli, args)
        assert result.exit_code == 0, result.output
        for line in out.read_text().splitlines():
            record = json.loads(line)
            other = {"final_state", "final_state_patch"} - {key}
            assert key in record and not other & set(record)
            task = tasks[record["task_id"]]
            assert final_state(record, task.initial_state) == task.final.gold_state


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=3),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=3), inner),
    max_leaves=20,
)


@given(JSON, JSON)
def test_a_patch_turns_one_state_into_the_other_types_and_all(before, after):
    snapshot = json.dumps(before)
    patched = apply_patch(before, make_patch(before, after))
    assert strict_equal(patched, after)
    assert json.dumps(before) == snapshot  # the input is never mutated


def test_numbers_of_another_type_are_a_change():
    assert make_patch({"a": 100}, {"a": 100.0}) == [{"op": "replace", "path": "/a", "value": 100.0}]
    assert make_patch({"a": 1}, {"a": True}) != []


@pytest.mark.parametrize(
    "patch",
    [
        [{"op": "move", "path": "/a"}],
        [{"op": "remove", "path": "/nope"}],
        [{"op": "replace", "path": "/a/0", "value": 1}],
        [{"op": "add", "path": "/l/9", "value": 1}],
        [{"op": "add", "path": "a", "value": 1}],
    ],
)
def test_a_patch_that_does_not_fit_is_refused(patch):
    with pytest.raises(PatchError):
        apply_patch({"a": 1, "l": []}, patch)


def test_member_lines_finds_each_record_of_a_json_file():
    text = '{\n  "a": {"x": "}{,"},\n  "b": [1,\n 2],\n\n  "c": 3\n}'
    assert member_lines(text) == [2, 3, 6]
    assert member_lines("[1, [2, 3],\n 4]") == [1, 1, 2]


def test_lint_replays_the_gold_on_the_world_and_sees_it_change(pack):
    runner = CliRunner()
    assert runner.invoke(cli, ["lint", "--strict", str(pack)]).exit_code == 0
    items = pack / "mini" / "world" / "items.jsonl"
    items.write_text(items.read_text().replace('"i-1"', '"i-9"'))  # the pen is gone
    result = runner.invoke(cli, ["lint", "--strict", str(pack)])  # not the cached verdict
    assert result.exit_code == 1
    assert "TK406" in result.output and "no item i-1" in result.output


def test_lint_replays_each_task_on_the_world_as_shipped_whatever_the_others_wrote(pack):
    # A multi-step tool that removes an item, and two tasks whose gold removes the pen: the
    # second task's replay must start from the world as shipped, not as the first left it.
    (pack / "mini" / "tools" / "stock.yaml").write_text(
        """kind: toolset
schema_version: 1
name: stock
tools:
  - name: retire_item
    description: Take an item off sale.
    effect: write
    parameters:
      type: object
      properties:
        item_id: {type: string}
      required: [item_id]
    behavior:
      steps:
        - get: items
          id: "{{ args.item_id }}"
          as: item
          error: "no item {{ args.item_id }}"
        - delete: items
          id: "{{ item.id }}"
      respond: "retired {{ item.name }}"
"""
    )
    for name in ("retire_a", "retire_b"):
        (pack / "mini" / "tasks" / f"{name}.yaml").write_text(
            f"""kind: task
schema_version: 1
id: {name}
version: 1
category: data
difficulty: easy
tools: [stock.retire_item]
content: purchases
user_command: Take the {{{{ item }}}} off sale.
final:
  gold_actions:
    - {{tool: stock.retire_item, args: {{item_id: "{{{{ item_id }}}}"}}}}
"""
        )
    result = CliRunner().invoke(cli, ["lint", str(pack)])
    assert "TK406" not in result.output, result.output
    assert result.exit_code == 0, result.output
