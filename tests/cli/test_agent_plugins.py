"""Agents are an extension point: a distribution declares one in the entry point group
``taskkit.agents`` and ``taskkit run --agent NAME`` plays it, with the same options every
agent gets; the command's help lists the registry's agents."""

from __future__ import annotations

import asyncio
import json
import sys
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from taskkit.agents import AGENTS, AgentOptions, PooledAgent, ReplayAgent, installed_agents
from taskkit.agents.guard import guarded
from taskkit.cli.main import cli

REPO = Path(__file__).resolve().parents[2]
HOME = [str(REPO / "task_library" / "home"), str(REPO / "content_datasets" / "home")]

MODULE = '''
"""A third party's agent: the gold path, under its own name."""

from taskkit.agents import ReplayAgent

MADE = []


class TinyAgent(ReplayAgent):
    name = "tiny"


def create(options):
    MADE.append(options)
    return TinyAgent()


def not_an_agent(options):
    return "hello"
'''


@pytest.fixture
def installed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A tiny distribution installed as pip leaves one: its module and a ``.dist-info``
    folder declaring the entry points, both in a folder on ``sys.path``."""
    site = tmp_path / "site"
    info = site / "tiny_agent-0.1.dist-info"
    info.mkdir(parents=True)
    (site / "tiny_agent.py").write_text(textwrap.dedent(MODULE), encoding="utf-8")
    (info / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: tiny-agent\nVersion: 0.1\n", encoding="utf-8"
    )
    (info / "entry_points.txt").write_text(
        "[taskkit.agents]\ntiny = tiny_agent:create\nbroken = tiny_agent:not_an_agent\n",
        encoding="utf-8",
    )
    monkeypatch.syspath_prepend(str(site))
    monkeypatch.delitem(sys.modules, "tiny_agent", raising=False)
    return site


def test_an_installed_agent_is_listed_not_loaded(installed: Path) -> None:
    assert sorted(installed_agents()) == ["broken", "tiny"]
    assert "tiny_agent" not in sys.modules


def test_run_plays_an_installed_agent_with_the_command_lines_options(
    installed: Path, tmp_path: Path
) -> None:
    out = tmp_path / "run.jsonl"
    argv = ["run", *HOME, "--agent", "tiny", "--model", "m-1", "--timeout", "7", "-o", str(out)]
    result = CliRunner().invoke(cli, argv, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert records and all(r["settings"]["agent"] == "tiny" for r in records)
    assert all(r["task_score"] == 1 for r in records)  # it replays the gold path
    made = sys.modules["tiny_agent"].MADE
    assert made and made[0] == AgentOptions(model="m-1", timeout=7.0, max_retries=4)


def test_an_unknown_agent_is_a_usage_error_naming_the_installed_ones(installed: Path) -> None:
    result = CliRunner().invoke(cli, ["run", *HOME, "--agent", "nosuch"])
    assert result.exit_code == 2
    assert "unknown agent 'nosuch'" in result.stderr
    assert "tiny" in result.stderr and "replay" in result.stderr


def test_an_entry_point_that_makes_no_agent_is_a_usage_error(installed: Path) -> None:
    result = CliRunner().invoke(cli, ["run", *HOME, "--agent", "broken"])
    assert result.exit_code == 2
    assert "not an agent" in result.stderr


@pytest.mark.parametrize("command", ["run", "generate"])
def test_the_agent_help_lists_the_registry(command: str) -> None:
    result = CliRunner().invoke(cli, [command, "--help"], terminal_width=400)
    line = next(x for x in result.output.splitlines() if x.strip().startswith("--agent"))
    assert all(name in line for name in AGENTS)
    assert "taskkit.agents" in line


class Pooled(ReplayAgent):
    """A third party's server agent holding its own connections."""

    def __init__(self) -> None:
        self.calls: list[object] = []

    async def act_async(self, view: object) -> object:
        raise NotImplementedError

    def limit_in_flight(self, n: int) -> None:
        self.calls.append(n)

    async def aclose(self) -> None:
        self.calls.append("closed")


def test_a_guarded_agent_keeps_its_contract() -> None:
    """The deadline wrapped around an agent taskkit did not write hides none of what the
    executors ask of it: a pooled agent's pool is still sized and closed."""
    agent = Pooled()
    wrapped = guarded(agent, timeout=1.0)
    assert wrapped is not agent
    assert isinstance(wrapped, PooledAgent)
    wrapped.limit_in_flight(3)
    asyncio.run(wrapped.aclose())
    assert agent.calls == [3, "closed"]
    assert not isinstance(guarded(ReplayAgent(), 1.0), PooledAgent)
