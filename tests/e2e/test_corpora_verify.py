"""Real function docs and gold calls from public benchmarks (../shared/corpora): imported
as tools, every gold call verifies clean and every mutated call fails with its error type."""

from __future__ import annotations

from pathlib import Path

import pytest

from taskkit.agents.mutant import MUTATIONS
from taskkit.compiler import compile_paths
from taskkit.importers import IMPORTERS, write_result
from taskkit.sim.verify import ToolCall, Verifier
from tests.conftest import shared_dir

SHARED = shared_dir()
pytestmark = pytest.mark.skipif(SHARED is None, reason="shared/corpora is not beside the checkout")
SYNTACTIC = {k: v for k, v in MUTATIONS.items() if k != "wrong_value"}


@pytest.fixture(scope="module")
def bfcl_tasks(tmp_path_factory):
    assert SHARED is not None
    tasks = []
    for name in ("BFCL_v4_simple_python.json", "BFCL_v4_multiple.json"):
        out = tmp_path_factory.mktemp(name.split(".")[0].lower())
        result = IMPORTERS["bfcl"].load(SHARED / "corpora" / "bfcl" / name)
        write_result(
            result, out, pack_name=out.name.replace("_", "-").rstrip("0123456789-") or "bfcl"
        )
        compiled = compile_paths([out])
        assert compiled.ok, [d.text() for d in compiled.diagnostics[:3]]
        tasks += compiled.tasks
    return tasks


def test_every_gold_call_verifies_clean(bfcl_tasks):
    assert len(bfcl_tasks) >= 590
    for task in bfcl_tasks:
        verifier = Verifier((e.name, e.parameters) for e in task.environment)
        for action in task.final.gold_actions:
            verdict = verifier.verify(ToolCall(action.tool, dict(action.args)))
            assert verdict.ok, (task.id, verdict.message)


def test_mutated_calls_fail_with_their_error_type(bfcl_tasks):
    caught: dict[str, int] = dict.fromkeys(SYNTACTIC, 0)
    for task in bfcl_tasks:
        envs = {e.name: e for e in task.environment}
        verifier = Verifier((e.name, e.parameters) for e in task.environment)
        for action in task.final.gold_actions:
            call = ToolCall(action.tool, dict(action.args))
            for name, (error_type, mutate) in SYNTACTIC.items():
                mutated = mutate(call, envs[action.tool])
                if mutated is None:
                    continue
                verdict = verifier.verify(mutated)
                assert not verdict.ok and verdict.error_type == error_type, (task.id, name, verdict)
                caught[name] += 1
    assert all(n > 50 for n in caught.values()), caught


def test_toolbench_tools_import_and_verify(tmp_path: Path):
    assert SHARED is not None
    result = IMPORTERS["toolbench"].load(SHARED / "corpora" / "toolbench" / "G1_query.json")
    tools = [t for ts in result.toolsets for t in ts["tools"]]
    verifier = Verifier((t["name"], t["parameters"]) for t in tools)
    for t in tools:
        required = t["parameters"].get("required", [])
        verdict = verifier.verify(ToolCall(t["name"], {}))
        assert verdict.ok == (not required)
        if required:
            assert verdict.error_type == "missing_required"
