"""The bundled multi-turn tasks (a simulated user, issue 19), and what the property tests
ask of every task with a user: the gold conversation passes, an agent that never asks
fails where facts are hidden, and the mutant's conversation mistakes are caught with their
error types."""

from __future__ import annotations

from collections import Counter

import pytest

from taskkit.agents import MutantAgent, ReplayAgent
from taskkit.agents.mutant import (
    ANSWERS_WITHOUT_ASKING,
    CONVERSATION,
    WRITES_WITHOUT_CONFIRMATION,
    caught_by,
    conversation_classes,
)
from taskkit.models import CompiledTask
from taskkit.runs.episodes import run_episode
from taskkit.testing._agents import NeverAsksAgent, OneMistakeAgent
from taskkit.testing.strategies import mutation_cases


@pytest.fixture(scope="module")
def conversations(compiled_library) -> list[CompiledTask]:
    """One entry of every bundled task with a simulated user."""
    first: dict[tuple[str, str], CompiledTask] = {}
    for task in compiled_library:
        if task.user is not None:
            first.setdefault((task.pack, task.task), task)
    return list(first.values())


def _errors(episode) -> set[str]:
    found = {t for s in episode.steps for t in s.error_types}
    return found | ({f.type for f in episode.final.findings} if episode.final else set())


def test_the_library_has_eight_multi_turn_tasks_across_three_packs(conversations):
    per_pack = Counter(t.pack for t in conversations)
    assert sum(per_pack.values()) >= 8
    assert len(per_pack) >= 3


def test_the_gold_conversation_scores_1(conversations):
    for task in conversations:
        episode = run_episode(task, ReplayAgent(), faults=False)
        assert episode.final is not None and episode.final.score == 1, task.id
        assert set(episode.action_scores) <= {1}, task.id


def test_an_agent_that_never_asks_fails_every_task_whose_gold_needs_hidden_facts(conversations):
    needing = [t for t in conversations if t.user is not None and t.user.needs]
    assert needing
    for task in needing:
        episode = run_episode(task, NeverAsksAgent(), faults=False)
        assert episode.final is not None and episode.final.score == 0, task.id
        assert "hidden_not_asked" in _errors(episode), task.id


@pytest.mark.parametrize("mutation", sorted(CONVERSATION))
def test_the_mutants_conversation_mistakes_are_caught_with_their_error_types(
    conversations, mutation
):
    applies = [t for t in conversations if mutation in conversation_classes(t)]
    assert applies  # every class is exercised by some bundled task
    for task in applies:
        episode = run_episode(task, MutantAgent(force=mutation), faults=False)
        assert _errors(episode) & caught_by(mutation), (task.id, _errors(episode))
        # not asking fails the task; writing unconfirmed fails the step of the write
        assert 0 in [*episode.action_scores, episode.final.score if episode.final else 0]


def test_every_conversation_mistake_of_the_property_tests_is_caught(conversations):
    for task in conversations:
        for case in mutation_cases(task):
            if case.mutation not in CONVERSATION:
                continue
            episode = run_episode(task, OneMistakeAgent(case.mutation, case.step), faults=False)
            assert _errors(episode) & case.expected, (task.id, case, _errors(episode))


def test_conversation_mistakes_apply_only_where_an_evaluator_can_catch_them(compiled_library):
    for task in compiled_library:
        classes = conversation_classes(task)
        if task.user is None:
            assert classes == [], task.id
            continue
        assert (ANSWERS_WITHOUT_ASKING in classes) == bool(task.user.needs), task.id
        checks = {getattr(c, "check", None) for c in task.action_checks}
        if WRITES_WITHOUT_CONFIRMATION in classes:
            assert "confirm_before_write" in checks, task.id


def test_the_random_mutant_plays_the_gold_conversation_when_it_makes_no_mistake(
    conversations,
):
    calm = MutantAgent(base=0.0, slope=0.0)
    for task in conversations:
        episode = run_episode(task, calm, faults=False)
        assert episode.final is not None and episode.final.score == 1, task.id
