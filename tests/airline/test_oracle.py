"""The oracle harness itself: run as the differential test runs it, τ-bench must still give
τ-bench's verdicts and hashes (the gold scores 1 everywhere, doing nothing passes exactly the
19 tasks whose right outcome is no change, the remembered hash is τ-bench's)."""

from __future__ import annotations

import pytest
import tau
from oracle_fixture import oracle_fixture  # noqa: F401 - provides `oracle`

GOLD_PASS_NOOP = [12, 13, 15, 17, 18, 21, 24, 29, 35, 36, 37, 38, 39, 40, 41, 42, 47, 48, 49]


def gold(oracle: tau.Oracle, index: int) -> list[tuple[str, dict]]:
    task = oracle.tasks[index]
    answer = [(tau.RESPOND, {"content": "; ".join(task.outputs)})] if task.outputs else []
    return [(a.name, a.kwargs) for a in task.actions] + answer


def test_the_gold_of_every_task_scores_1(oracle):
    assert [oracle.run(i, gold(oracle, i)).reward for i in range(50)] == [1.0] * 50


def test_doing_nothing_passes_the_tasks_whose_right_outcome_is_no_change(oracle):
    passed = [i for i in range(50) if oracle.run(i, []).reward == 1]
    assert passed == GOLD_PASS_NOOP


@pytest.mark.parametrize("index", [0, 2, 3, 4, 8, 16, 43])  # every write tool at least once
def test_the_remembered_hash_is_tau_benchs_own(oracle, index):
    outcome = oracle.run(index, gold(oracle, index))
    assert outcome.hash == oracle.tau_hash(outcome.data)
    wrong = oracle.run(index, gold(oracle, index)[:-1])
    assert wrong.hash == oracle.tau_hash(wrong.data)


def test_fast_runs_leave_the_fresh_world_untouched(oracle):
    before = oracle.hash(oracle.fresh)
    for i in (0, 8, 16):
        oracle.run(i, gold(oracle, i))
    assert oracle.tau_hash(oracle.fresh) == before
