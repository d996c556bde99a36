"""How hard ``taskkit test`` tries: examples per task, entries sampled, formats, budgets."""

from __future__ import annotations

from dataclasses import dataclass, replace

from ..sim.formats import FORMATS

__all__ = ["PROFILES", "Profile", "get_profile"]


@dataclass(frozen=True)
class Profile:
    name: str
    examples: int
    """Generated content entries per dataset, shared by its tasks (property ``renders``)."""
    sample: int | None
    """Real entries per task the mutation and determinism checks use (``None``: all)."""
    formats: tuple[str, ...]
    """Response formats the gold replay runs in."""
    shrink_seconds: float
    """Time allowed to shrink one counterexample before the smallest so far is reported."""
    seed: int = 0


PROFILES: dict[str, Profile] = {
    "ci": Profile("ci", examples=10, sample=1, formats=("openai",), shrink_seconds=5),
    "default": Profile("default", examples=50, sample=3, formats=("openai",), shrink_seconds=20),
    "thorough": Profile(
        "thorough", examples=200, sample=None, formats=tuple(sorted(FORMATS)), shrink_seconds=60
    ),
}


def get_profile(name: str, *, examples: int | None = None, seed: int | None = None) -> Profile:
    """The named profile, with ``examples`` and ``seed`` overridden when given."""
    profile = PROFILES[name]
    if examples is not None:
        profile = replace(profile, examples=examples)
    if seed is not None:
        profile = replace(profile, seed=seed)
    return profile
