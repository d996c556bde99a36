"""Trust is the decision of the person running, per pack that declares the handler.

Pack ``alpha`` has a task offering pack ``beta``'s tool, whose Python handler leaves a
marker file when it runs: the marker says whether any handler code ran.
"""

from __future__ import annotations

import json
import os
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from taskkit.agents import ReplayAgent
from taskkit.cli.main import cli
from taskkit.compiler import compile_paths, load_compiled
from taskkit.handlers.trust import UntrustedHandlers, trust_file
from taskkit.runs.episodes import run_episode
from taskkit.sim.episode import Episode

HANDLER = """
import os

def stamp(args, state):
    with open(os.environ["TASKKIT_TEST_MARKER"], "a") as f:
        f.write(args["item_id"] + "\\n")
    state.setdefault("orders", []).append({"id": "o-1", "item_id": args["item_id"]})
    return {"ordered": args["item_id"]}
"""

FILES = {
    "alpha/pack.yaml": """
        kind: pack
        schema_version: 1
        name: alpha
        version: 1.0.0
        title: The pack of the task
        license: MIT
        requires: {beta: ">=1"}
    """,
    "alpha/content/items.yaml": """
        kind: content
        schema_version: 1
        name: items
        fields:
          type: object
          properties: {item_id: {type: string}}
          required: [item_id]
        entries:
          - {id: pen, item_id: i-1}
    """,
    "alpha/tasks/order.yaml": """
        kind: task
        schema_version: 1
        id: order
        version: 1
        category: data
        difficulty: easy
        tools: [beta/shop.order]
        content: items
        user_command: Order {{ item_id }}.
        initial_state: {orders: []}
        final:
          gold_actions:
            - {tool: beta/shop.order, args: {item_id: "{{ item_id }}"}}
    """,
    "beta/pack.yaml": """
        kind: pack
        schema_version: 1
        name: beta
        version: 1.0.0
        title: The pack of the handler
        license: MIT
        trusted: true
    """,
    "beta/tools/shop.yaml": """
        kind: toolset
        schema_version: 1
        name: shop
        tools:
          - name: order
            description: Order an item.
            effect: write
            parameters:
              type: object
              properties: {item_id: {type: string}}
              required: [item_id]
            behavior: {handler: "trust_marker_handlers:stamp"}
    """,
}


@pytest.fixture
def world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name, text in FILES.items():
        path = tmp_path / "lib" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    (tmp_path / "trust_marker_handlers.py").write_text(HANDLER, encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setenv("TASKKIT_TEST_MARKER", str(tmp_path / "ran"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))  # no trust file
    return tmp_path


def _ran(world: Path) -> bool:
    return (world / "ran").exists()


def _compiled(world: Path, *, forge: bool = False) -> Path:
    """The task compiled with beta trusted (so its gold replay runs), marker cleared."""
    result = compile_paths([world / "lib"], trust=["beta"])
    assert result.ok, result.diagnostics
    (world / "ran").unlink()
    lines = [t.model_dump(mode="json") for t in result.tasks]
    assert all("pack_trusted" not in line for line in lines)  # trust is never written
    if forge:
        lines = [{**line, "pack_trusted": True} for line in lines]
    out = world / "tasks.jsonl"
    out.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    return out


def _run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    assert not isinstance(result.exception, Exception) or isinstance(
        result.exception, SystemExit
    ), result.exception
    return result.exit_code, result.output


def test_the_compiled_file_names_the_declaring_pack(world: Path) -> None:
    (task,) = load_compiled(_compiled(world))
    assert [(e.name, e.pack) for e in task.environment] == [("order", "beta")]


@pytest.mark.parametrize("command", ["run", "generate"])
def test_a_forged_pack_trusted_runs_no_code(world: Path, command: str) -> None:
    path = _compiled(world, forge=True)
    extra = ["-o", str(world / "out")] if command == "generate" else []
    code, output = _run(command, str(path), *extra)
    assert code == 2
    assert "untrusted pack(s) beta" in output and "trust_marker_handlers:stamp" in output
    assert "--trust beta" in output and "Traceback" not in output
    assert not _ran(world)


@pytest.mark.parametrize("command", ["run", "generate"])
def test_trusting_the_task_pack_does_not_trust_the_tool_pack(world: Path, command: str) -> None:
    path = _compiled(world)
    extra = ["-o", str(world / "out")] if command == "generate" else []
    code, output = _run(command, str(path), "--trust", "alpha", *extra)
    assert code == 2 and "untrusted pack(s) beta" in output
    assert not _ran(world)


def test_trusting_the_declaring_pack_runs_its_handler(world: Path) -> None:
    code, output = _run("run", str(_compiled(world)), "--trust", "beta")
    assert code == 0, output
    assert (world / "ran").read_text() == "i-1\n"


def test_generate_passes_the_trust_to_its_episodes(world: Path) -> None:
    path = _compiled(world)
    out = world / "out"
    code, output = _run("generate", str(path), "--trust", "beta", "-o", str(out), "-k", "1")
    assert code == 0, output
    assert _ran(world)
    assert "trust" not in json.loads((out / "run.json").read_text())["config"]["explore"]


def test_compile_checks_the_declaring_pack(world: Path) -> None:
    code, output = _run("compile", str(world / "lib"), "--trust", "alpha", "-o", "x.jsonl")
    assert code == 1
    assert "TK704" in output and "of pack 'beta' refused" in output
    assert not _ran(world)


def test_the_api_refuses_unless_the_caller_trusts_the_pack(world: Path) -> None:
    (task,) = load_compiled(_compiled(world, forge=True))
    with pytest.raises(UntrustedHandlers, match="beta"):
        Episode(task)
    with pytest.raises(UntrustedHandlers, match="beta"):
        run_episode(task, ReplayAgent(), trust=["alpha"])
    assert not _ran(world)
    assert run_episode(task, ReplayAgent(), trust=["beta"]).final.score == 1
    assert _ran(world)


def test_a_trust_file_the_user_owns_trusts_its_packs(world: Path) -> None:
    path = _compiled(world)
    file = trust_file()
    file.parent.mkdir(parents=True)
    file.write_text("# read the handlers first\nbeta\n", encoding="utf-8")
    os.chmod(file, 0o600)
    (task,) = load_compiled(path)
    assert Episode(task).trust == {"beta"}
    code, output = _run("run", str(path))
    assert code == 0, output
    assert _ran(world)


def test_a_trust_file_others_may_write_is_refused(world: Path) -> None:
    path = _compiled(world)
    file = trust_file()
    file.parent.mkdir(parents=True)
    file.write_text("beta\n", encoding="utf-8")
    os.chmod(file, 0o666)
    code, output = _run("run", str(path))
    assert code == 2 and "writable by others" in output
    assert not _ran(world)


def test_old_files_with_pack_trusted_still_load_but_grant_nothing(world: Path) -> None:
    path = _compiled(world, forge=True)
    lines = [json.loads(line) for line in path.read_text().splitlines()]
    for line in lines:  # as written before ToolEnv.pack existed
        for env in line["environment"]:
            del env["pack"]
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))
    (task,) = load_compiled(path)
    assert task.environment[0].pack is None
    with pytest.raises(UntrustedHandlers, match="beta"):  # from the ref, beta/shop.order
        Episode(task, trust=["alpha"])
