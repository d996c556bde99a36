"""Interval estimators against hand-computed values."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from taskkit.runs.intervals import bootstrap_mean, pass_hat_k, task_pass_hat_k, wilson


@pytest.mark.parametrize(
    ("k", "n", "low", "high"),
    [
        # Computed by hand from the score-interval formula with z = 1.96.
        (0, 10, 0.0, 0.2775),
        (10, 10, 0.7225, 1.0),
        (5, 10, 0.2366, 0.7634),
        (1, 4, 0.0456, 0.6994),
    ],
)
def test_wilson_matches_hand_computed_bounds(k: int, n: int, low: float, high: float) -> None:
    interval = wilson(k, n)
    assert interval.estimate == pytest.approx(k / n)
    assert interval.low == pytest.approx(low, abs=1e-4)
    assert interval.high == pytest.approx(high, abs=1e-4)


def test_wilson_of_no_trials_is_everything() -> None:
    assert wilson(0, 0) == (0.0, 0.0, 1.0)


def test_wilson_refuses_more_successes_than_trials() -> None:
    with pytest.raises(ValueError, match="successes"):
        wilson(3, 2)


@given(st.integers(0, 500).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))))
def test_wilson_contains_its_estimate(pair: tuple[int, int]) -> None:
    k, n = pair
    est, low, high = wilson(k, n)
    assert 0.0 <= low <= est <= high <= 1.0


@pytest.mark.parametrize(
    ("c", "n", "k", "want"),
    [
        (4, 4, 4, 1.0),
        (3, 4, 1, 0.75),
        (3, 4, 2, 3 / 6),  # C(3,2)/C(4,2)
        (3, 4, 3, 1 / 4),  # C(3,3)/C(4,3)
        (3, 4, 4, 0.0),
        (2, 5, 2, 1 / 10),  # C(2,2)/C(5,2)
    ],
)
def test_task_pass_hat_k_is_tau_bench_estimator(c: int, n: int, k: int, want: float) -> None:
    assert task_pass_hat_k(c, n, k) == pytest.approx(want)


def test_pass_hat_k_averages_over_tasks() -> None:
    # Task A passes 4/4, task B 2/4, task C 0/4.
    outcomes = [(4, 4), (2, 4), (0, 4)]
    assert pass_hat_k(outcomes, 1) == pytest.approx((1 + 0.5 + 0) / 3)
    assert pass_hat_k(outcomes, 2) == pytest.approx((1 + 1 / 6 + 0) / 3)
    assert pass_hat_k(outcomes, 4) == pytest.approx(1 / 3)


def test_pass_hat_k_refuses_k_beyond_trials() -> None:
    with pytest.raises(ValueError, match="pass\\^5"):
        pass_hat_k([(1, 4)], 5)


def test_bootstrap_is_seeded_and_brackets_the_mean() -> None:
    values = [1.0, 0.0, 1.0, 1.0, 0.0, 1.0, 0.5, 0.25]
    first = bootstrap_mean(values, seed=7)
    assert first == bootstrap_mean(values, seed=7)
    assert first.estimate == pytest.approx(math.fsum(values) / len(values))
    assert 0.0 <= first.low < first.estimate < first.high <= 1.0


def test_bootstrap_of_constant_values_has_no_width() -> None:
    assert bootstrap_mean([1.0] * 20) == (1.0, 1.0, 1.0)
