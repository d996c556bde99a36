"""Each registry is complete: what it lists is tested and documented, and a line removed from
a registry (or a line added without its test and docs) fails a test here or in the tests
named below.

========== ============================================ ==========================================
registry   what fails when a line is removed             besides
========== ============================================ ==========================================
RULES      tests/test_examples.py (an example folder     the rules table (docs drift, below); the
           names an unknown rule)                        id table test (tests/unit/lint)
OPERATIONS tests/unit/sim/test_operations.py (the        the operations table (docs_gen raises)
           simulator implements an unlisted one)
FORMATS    the format's section in docs/formats.md       the formats table (docs drift)
IMPORTERS  IMPORTER_TESTS below                          the importers table (docs drift)
AGENTS     AGENT_CHECKS below                            the agents table (docs drift)
answers    docs_gen.ANSWER_CHECKS (docs_gen raises)      the answers table (docs drift)
USERS      USER_TESTS below                              docs/authoring.md's simulated user
========== ============================================ ==========================================
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from taskkit import docs_gen
from taskkit.agents import AGENTS, USERS, make_agent
from taskkit.importers import IMPORTERS
from taskkit.models.checks import AnswerCheck
from taskkit.runs.episodes import run_episode
from taskkit.sim.formats import FORMATS
from taskkit.sim.verify import ToolCall

REPO = Path(__file__).resolve().parents[1]

# -- formats ---------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(FORMATS))
def test_every_format_round_trips_a_call_and_an_answer(name: str) -> None:
    fmt = FORMATS[name]
    assert fmt.name == name
    call = ToolCall("orders.get_order", {"order_id": "A-1", "items": [1, 2.5, None]})
    parsed = fmt.parse(fmt.write(calls=[call]))
    assert parsed.error is None
    # arguments pass through as written: native tool calls carry them as a JSON string
    args = [
        c.arguments if isinstance(c.arguments, dict) else json.loads(c.arguments)
        for c in parsed.calls
    ]
    assert [c.name for c in parsed.calls] == [call.name]
    assert args == [call.arguments]
    answered = fmt.parse(fmt.write(answer="It is 42."))
    assert (answered.error, answered.calls, answered.answer) == (None, [], "It is 42.")


def test_every_format_has_its_section_in_the_docs() -> None:
    text = (REPO / "docs" / "formats.md").read_text(encoding="utf-8")
    assert set(re.findall(r"^## `([a-z0-9_]+)`$", text, re.M)) == set(FORMATS)


# -- importers -------------------------------------------------------------------------------

IMPORTER_TESTS = {
    "toolbench": "test_toolbench_types_and_defaults",
    "bfcl": "test_bfcl_names_types_and_tasks",
    "bfcl_multi_turn": "test_bfcl_multi_turn_questions_become_conversations",
    "tooltalk": "test_tooltalk_dialogues_become_conversations",
    "openai": "test_openai_tools_round_trip_exactly",
    "mcp": "test_mcp_tools_list",
}
"""Each importer's test in ``tests/importers/test_importers.py``."""


def test_every_importer_has_a_test() -> None:
    tests = (REPO / "tests" / "importers" / "test_importers.py").read_text(encoding="utf-8")
    assert set(IMPORTER_TESTS) == set(IMPORTERS)
    for name, test in IMPORTER_TESTS.items():
        assert f"def {test}(" in tests, f"{name}: {test} is gone"
        body = tests.split(f"def {test}(", 1)[1].split("\ndef ", 1)[0]
        assert f'"{name}"' in body, f"{test} does not use the {name!r} importer"


# -- agents ----------------------------------------------------------------------------------

AGENT_CHECKS = {
    "replay": 1,  # the gold path passes
    "noop": 0,  # doing nothing fails a task that asks for work
    "mutant": None,  # seeded mistakes: an episode that ends (tests/e2e check the mistakes)
    "openai": "tests/e2e/test_openai_agent.py",  # needs a server: tested against a fake one
}
"""Each agent: the final score it gets on a bundled task, or the test that covers it."""


def test_every_agent_is_checked() -> None:
    assert set(AGENT_CHECKS) == set(AGENTS)


@pytest.mark.parametrize("name", sorted(AGENTS))
def test_every_agent_runs_an_episode(name: str, compiled_library: list) -> None:  # type: ignore[type-arg]
    expected = AGENT_CHECKS[name]
    if isinstance(expected, str):
        assert (REPO / expected).is_file()
        return
    # the starter pack: none of its tasks is a declared no-op exception
    task = next(t for t in compiled_library if t.pack == "home" and t.final.gold_actions)
    episode = run_episode(task, make_agent(name), "openai", seed=3)
    assert episode.done and episode.final is not None
    if expected is not None:
        assert episode.final.score == expected


def test_the_cli_knows_the_names_without_importing_what_they_name() -> None:
    """``taskkit.cli.names`` lets a command be declared (and a no-op resume answered)
    without loading the agents and the formats: it lists the same names, in order."""
    from taskkit.agents import ENTRY_POINT_GROUP, ServerAgent
    from taskkit.cli import names

    assert tuple(FORMATS) == names.FORMATS
    assert tuple(AGENTS) == names.AGENTS
    assert tuple(USERS) == names.USERS
    assert names.ENTRY_POINT_GROUP == ENTRY_POINT_GROUP
    assert set(AGENTS) > names.OFFLINE_AGENTS
    for name in names.OFFLINE_AGENTS:  # their runs record no model: none is a server's
        assert not isinstance(make_agent(name), ServerAgent)


# -- simulated users ------------------------------------------------------------------------

USER_TESTS = {
    "scripted": "tests/users/test_scripted_user.py",
    "model": "tests/users/test_model_user_cli.py",
}
"""Each kind of simulated user: the test that drives it through episodes."""


def test_every_simulated_user_has_a_test() -> None:
    assert set(USER_TESTS) == set(USERS)
    for kind, test in USER_TESTS.items():
        text = (REPO / test).read_text(encoding="utf-8")
        assert f'"{kind}"' in text, f"{test} does not name the {kind!r} user"


# -- answer checks and the docs --------------------------------------------------------------


def test_every_answer_check_is_described() -> None:
    checks = set(AnswerCheck.model_fields)
    assert set(docs_gen.ANSWER_CHECKS) == checks
    docs_gen.answers_table()  # raises when the two disagree


def test_every_generated_table_is_in_the_docs() -> None:
    assert {"rules", "operations", "where", "answers", "formats", "importers", "agents"} <= set(
        docs_gen.SECTIONS
    )
    assert docs_gen.regenerate(REPO, check=True) == []
