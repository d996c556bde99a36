"""Pass rates with their uncertainty: Wilson intervals, a bootstrap over tasks, and
τ-bench's pass^k reliability estimator.

Pure functions over counts, shared by ``taskkit report``, ``run --repeats``, ``compare`` and
the viewer, so every place that prints a rate prints the same interval.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from typing import NamedTuple

__all__ = ["Interval", "bootstrap_mean", "pass_hat_k", "task_pass_hat_k", "wilson"]

Z95 = 1.959963984540054
"""The standard normal quantile of a two-sided 95 % interval."""


class Interval(NamedTuple):
    """A point estimate and its 95 % interval, all in [0, 1]."""

    estimate: float
    low: float
    high: float

    def as_json(self, digits: int = 4) -> dict[str, float]:
        return {
            "estimate": round(self.estimate, digits),
            "low": round(self.low, digits),
            "high": round(self.high, digits),
        }


def wilson(successes: int, trials: int, *, z: float = Z95) -> Interval:
    """The Wilson score interval of a binomial rate (sound at 0 and at n, unlike Wald's).

    With no trials the rate is unknown: the interval is all of [0, 1] around 0.
    """
    if trials < 0 or not 0 <= successes <= trials:
        raise ValueError(f"need 0 <= successes <= trials, got {successes} of {trials}")
    if trials == 0:
        return Interval(0.0, 0.0, 1.0)
    p = successes / trials
    z2 = z * z
    denom = 1 + z2 / trials
    centre = (p + z2 / (2 * trials)) / denom
    half = z * math.sqrt(p * (1 - p) / trials + z2 / (4 * trials * trials)) / denom
    # Rounding can push an end a hair past the rate it must contain (e.g. p = 1).
    return Interval(p, max(0.0, min(p, centre - half)), min(1.0, max(p, centre + half)))


def bootstrap_mean(
    values: Sequence[float], *, resamples: int = 2000, seed: int = 0, level: float = 0.95
) -> Interval:
    """The mean of per-task values with a percentile bootstrap interval over tasks.

    Tasks, not episodes, are resampled: repeats of one task are not independent draws.
    Seeded, so the same values always give the same interval.
    """
    n = len(values)
    if n == 0:
        return Interval(0.0, 0.0, 1.0)
    mean = math.fsum(values) / n
    if n == 1 or resamples <= 0:
        return Interval(mean, mean, mean)
    rng = random.Random(seed)
    pick = rng.choices
    means = sorted(math.fsum(pick(values, k=n)) / n for _ in range(resamples))
    tail = (1 - level) / 2
    low = means[math.floor(tail * (resamples - 1))]
    high = means[math.ceil((1 - tail) * (resamples - 1))]
    return Interval(mean, min(low, mean), max(high, mean))


def task_pass_hat_k(successes: int, trials: int, k: int) -> float:
    """One task's pass^k: the chance that k trials drawn without replacement from its
    ``trials`` all passed, C(successes, k) / C(trials, k) (τ-bench's unbiased estimator)."""
    if not 1 <= k <= trials:
        raise ValueError(f"pass^{k} needs 1 <= k <= trials ({trials})")
    if not 0 <= successes <= trials:
        raise ValueError(f"need 0 <= successes <= trials, got {successes} of {trials}")
    return math.comb(successes, k) / math.comb(trials, k)


def pass_hat_k(outcomes: Sequence[tuple[int, int]], k: int) -> float:
    """pass^k over tasks: the mean of :func:`task_pass_hat_k` over ``(successes, trials)``
    pairs, one per task. pass^1 is the plain pass rate averaged by task."""
    if not outcomes:
        return 0.0
    return math.fsum(task_pass_hat_k(s, n, k) for s, n in outcomes) / len(outcomes)
