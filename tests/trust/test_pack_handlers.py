"""Python handlers that live in their pack (``handlers/`` inside it): lint reads them with
``ast`` and never imports them (TK705, TK706); an untrusted pack's handler is refused at
compile with TK704, never with an exception; a trusted one runs from the pack's folder, not
from the Python path; ``taskkit pack check --trust`` runs it too."""

from __future__ import annotations

import json
import shutil
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from taskkit.agents import ReplayAgent
from taskkit.cli.main import cli
from taskkit.compiler import compile_paths
from taskkit.runs.episodes import run_episode
from taskkit.sim.episode import Episode

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
BASE = EXAMPLES / "valid" / "terminal-tool-and-declared-answers"

TOOLSET = """\
kind: toolset
schema_version: 1
name: ledger
tools:
  - name: credit
    description: Credit an amount to an account.
    effect: write
    parameters:
      type: object
      properties:
        account_id: {type: string}
        amount: {type: integer}
      required: [account_id, amount]
      additionalProperties: false
    behavior:
      handler: "money.posting:credit"
"""

TASK = """\
kind: task
schema_version: 1
id: credit_account
version: 1
category: tools
difficulty: easy
tools: [ledger.credit]
content: refunds
user_command: Credit {{ refunded }} to account {{ account_id }}.
initial_state:
  accounts: [{id: "{{ account_id }}", owner: "{{ owner }}", balance: "{{ balance }}"}]
final:
  gold_actions:
    - {tool: ledger.credit, args: {account_id: "{{ account_id }}", amount: "{{ refunded }}"}}
"""

HANDLER = """\
import os

MARKER = os.environ["TASKKIT_HANDLER_MARKER"]
with open(MARKER, "a") as marker:
    marker.write("imported\\n")


def credit(args, state):
    for account in state["accounts"]:
        if account["id"] == args["account_id"]:
            account["balance"] += args["amount"]
            return {"balance": account["balance"]}
    return {"error": "no such account"}
"""


@pytest.fixture
def pack(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "lib"
    shutil.copytree(BASE, root)
    desk = root / "desk"
    (desk / "tools" / "ledger.yaml").write_text(TOOLSET, encoding="utf-8")
    (desk / "tasks" / "credit_account.yaml").write_text(TASK, encoding="utf-8")
    module = desk / "handlers" / "money" / "posting.py"
    module.parent.mkdir(parents=True)
    module.write_text(HANDLER, encoding="utf-8")
    monkeypatch.setenv("TASKKIT_HANDLER_MARKER", str(tmp_path / "imported"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))  # no trust file
    return root


def _imported(pack: Path) -> bool:
    return (pack.parent / "imported").exists()


def _invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.output


def test_lint_reads_the_pack_handler_without_importing_it(pack: Path) -> None:
    code, output = _invoke("lint", "--strict", str(pack))
    assert code == 0, output
    assert not _imported(pack)


def test_an_untrusted_pack_is_refused_at_compile_with_a_diagnostic(pack: Path) -> None:
    code, output = _invoke("compile", str(pack), "-o", str(pack.parent / "out.jsonl"))
    assert code == 1
    assert "TK704" in output and "Traceback" not in output
    assert not _imported(pack)


def test_a_trusted_pack_runs_its_handler_from_its_own_folder(pack: Path) -> None:
    result = compile_paths([pack], trust=["desk"])
    assert result.ok, [d.text() for d in result.diagnostics]
    task = next(t for t in result.tasks if t.task == "credit_account")
    (env,) = task.environment
    assert env.pack_root == str((pack / "desk").resolve())
    episode = run_episode(task, ReplayAgent(), trust=["desk"])
    assert episode.final is not None and episode.final.score == 1, episode.final.explain()
    before = task.initial_state["accounts"][0]["balance"]
    after = episode.state["accounts"][0]["balance"]
    assert after - before == task.final.gold_actions[0].args["amount"]
    assert _imported(pack)


def test_a_handler_gone_at_run_time_is_a_tool_error_not_an_exception(pack: Path) -> None:
    result = compile_paths([pack], trust=["desk"])
    task = next(t for t in result.tasks if t.task == "credit_account")
    shutil.rmtree(pack / "desk" / "handlers")
    moved = task.model_copy(
        update={
            "environment": [
                e.model_copy(
                    update={"behavior": e.behavior.model_copy(update={"handler": "gone:x"})}
                )  # type: ignore[union-attr]
                for e in task.environment
            ]
        }
    )
    episode = Episode(moved, "openai", trust=["desk"])
    call = {"type": "function", "function": {"name": "credit", "arguments": "{}"}}
    args = json.dumps({"account_id": "a-1", "amount": 1})
    call["function"]["arguments"] = args  # type: ignore[index]
    episode.step({"role": "assistant", "content": None, "tool_calls": [call]})
    (record,) = episode.steps[0].calls
    assert record.error_type == "behavior_error"
    assert "cannot be loaded" in record.observation


def test_an_untrusted_task_is_refused_before_the_episode_starts(pack: Path) -> None:
    result = compile_paths([pack], trust=["desk"])
    task = next(t for t in result.tasks if t.task == "credit_account")
    (pack.parent / "imported").unlink()
    with pytest.raises(Exception, match="untrusted pack"):
        Episode(task, "openai", trust=[])
    assert not _imported(pack)


def test_pack_check_trust_runs_the_handler_in_the_property_tests(pack: Path) -> None:
    _, output = _invoke("pack", "check", str(pack / "desk"), "--format", "json")
    report = json.loads(output)
    checks = {c["name"]: c for c in report["packs"][0]["checks"]}
    assert checks["lint"]["status"] == "fail"  # TK704: not trusted
    assert not _imported(pack)
    _, output = _invoke("pack", "check", str(pack / "desk"), "--trust", "desk", "--format", "json")
    report = json.loads(output)
    checks = {c["name"]: c for c in report["packs"][0]["checks"]}
    assert checks["lint"]["status"] == "ok", checks["lint"]
    assert checks["properties"]["status"] == "ok", checks["properties"]
    assert _imported(pack)


@pytest.mark.parametrize(
    ("source", "problem"),
    [
        ("def credit(args, state): ...", None),
        ("def credit(state, args, extra=1): ...", None),
        ("def credit(**kwargs): ...", None),
        ("def credit(*, args, state): ...", None),
        ("credit = make_handler()", None),
        ("def credit(args): ...", "does not accept 'state'"),
        ("def credit(args, state, ledger): ...", "needs 'ledger'"),
        ("async def credit(args, state): ...", "is async"),
        ("def debit(args, state): ...", "has no function 'credit'"),
        ("def credit(args, state):\n  return (", "cannot be read"),
    ],
)
def test_what_lint_reads_of_a_handler(tmp_path: Path, source: str, problem: str | None) -> None:
    from taskkit.handlers.sources import inspect_handler

    (tmp_path / "handlers").mkdir()
    (tmp_path / "handlers" / "bank.py").write_text(textwrap.dedent(source), encoding="utf-8")
    found = inspect_handler("bank:credit", str(tmp_path))
    assert found.path == str(tmp_path / "handlers" / "bank.py")
    if problem is None:
        assert found.problem is None
    else:
        assert found.problem is not None and problem in found.problem


def test_a_finished_run_is_not_resumed_without_trust_in_its_handlers(pack: Path) -> None:
    """A rerun with nothing left to play is answered from the run's indexes (see
    tests/e2e/test_noop_resume.py), but not past the trust check: the same command without
    ``--trust`` is refused, as a first run would be."""
    compiled, out = pack.parent / "tasks.jsonl", pack.parent / "run"
    code, output = _invoke("compile", str(pack), "--trust", "desk", "-o", str(compiled))
    assert code == 0, output
    command = ("generate", str(compiled), "-o", str(out), "-k", "1", "--agent", "replay")
    code, output = _invoke(*command, "--trust", "desk")
    assert code == 0, output
    code, output = _invoke(*command, "--trust", "desk")
    assert code == 0 and "0 to go" in output, output  # nothing left: the no-op resume
    code, output = _invoke(*command)
    assert code == 2
    assert "untrusted pack" in output and "desk" in output
