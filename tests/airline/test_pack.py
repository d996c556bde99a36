"""The bundled ``airline`` pack is τ-bench's airline domain: its tasks are what the converter
writes from τ-bench's own task list, its world files are τ-bench's data, its tools are offered
to the agent exactly as τ-bench offers them, and it compiles to far less than a world a task."""

from __future__ import annotations

import convert
import tau
import yaml
from oracle_fixture import oracle_fixture  # noqa: F401 - provides `oracle`

from taskkit.compiler import compile_paths, write_compiled


def test_the_pack_is_what_the_converter_writes_from_tau_bench(oracle):
    root = tau.corpus()
    assert root is not None
    files = convert.conversion(oracle, root)
    stale = [str(p) for p, b in files.items() if not p.is_file() or p.read_bytes() != b]
    extra = set((convert.PACK / "tasks").glob("*.yaml")) - set(files)
    assert not stale and not extra, "run: python tests/airline/convert.py"
    # Left out: exactly the tasks that need a tool the pack does not declare.
    kept = {int(p.stem.removeprefix("test_")) for p in (convert.PACK / "tasks").glob("*.yaml")}
    assert kept == set(range(50)) - set(convert.missing(oracle))


def test_every_declared_tool_is_offered_as_tau_bench_offers_it(oracle):
    theirs = {t["function"]["name"]: t["function"] for t in oracle.env(0).tools_info}
    ours = yaml.safe_load((convert.PACK / "tools" / "airline.yaml").read_text(encoding="utf-8"))
    assert ours["tools"]
    for tool in ours["tools"]:
        offered = {k: tool[k] for k in ("name", "description", "parameters")}
        assert offered == theirs[tool["name"]]
        assert (tool["effect"] == "write") == (tool["name"] in tau.WRITE_TOOLS)


def test_the_compiled_pack_is_at_most_twice_its_world_files(tmp_path):
    result = compile_paths([convert.PACK])
    assert result.ok, [d.text() for d in result.diagnostics]
    write_compiled(result.tasks, tmp_path / "airline.jsonl")
    world = sum(p.stat().st_size for p in (convert.PACK / "world").glob("*.json"))
    assert (tmp_path / "airline.jsonl").stat().st_size <= 2 * world
    assert len(list((tmp_path / "worlds").iterdir())) == 1  # one world for every task


def test_an_answer_is_premature_only_while_a_write_or_an_answer_check_is_ahead():
    # test_27: cancel a reservation, then only reads (a lookup, two searches, a sum); no
    # answer is checked (τ-bench has no outputs for it). Answering after the cancellation
    # leaves the state as the gold leaves it: not a mistake, so the property suite does not
    # ask for it to fail; answering before it is.
    from taskkit.testing.strategies import mutation_cases

    result = compile_paths([convert.PACK.parent, convert.REPO / "content_datasets"])
    task = next(t for t in result.tasks if t.task == "test_27")
    steps = [c.step for c in mutation_cases(task) if c.mutation == "premature_answer"]
    assert steps == [0]
    with_answer = next(t for t in result.tasks if t.task == "test_02")  # has outputs
    assert with_answer.final.expect.answer is not None
    n = len(with_answer.final.gold_actions)
    premature = [c.step for c in mutation_cases(with_answer) if c.mutation == "premature_answer"]
    assert premature == list(range(n))
