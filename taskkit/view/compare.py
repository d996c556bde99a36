"""Two runs over the same tasks, side by side: per episode pass/fail in each, the flips
(regressions: passed in A, failed in B; fixes: the other way), and the change in pass rate
with McNemar's paired test, overall and by pack and category."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..diagnostics import Diagnostic
from ..runs.intervals import wilson
from .reader import Run, ViewInputError, episode_key
from .summary import episode_errors, passed

if TYPE_CHECKING:  # the types of the records, not their module: no pydantic at run time
    from ..models.records import EpisodeRecord

__all__ = ["Comparison", "McNemar", "compare_runs", "format_text", "mcnemar"]


@dataclass(frozen=True)
class McNemar:
    """McNemar's test on the discordant pairs: ``regressions`` (A pass, B fail) against
    ``fixes``. ``p_exact`` is the two-sided exact binomial p-value; ``p_mid`` its mid-p
    version, less conservative and closer to nominal size for few flips."""

    regressions: int
    fixes: int
    p_exact: float
    p_mid: float

    def as_json(self) -> dict[str, Any]:
        return {
            "regressions": self.regressions,
            "fixes": self.fixes,
            "p_exact": float(f"{self.p_exact:.4g}"),
            "p_mid": float(f"{self.p_mid:.4g}"),
        }


def _binom_half_cdf(k: int, n: int) -> float:
    return math.fsum(math.comb(n, i) for i in range(k + 1)) / 2.0**n


def mcnemar(regressions: int, fixes: int) -> McNemar:
    """The exact and mid-p McNemar tests (no flips: p = 1)."""
    n = regressions + fixes
    if n == 0:
        return McNemar(0, 0, 1.0, 1.0)
    k = min(regressions, fixes)
    exact = min(1.0, 2.0 * _binom_half_cdf(k, n))
    mid = exact - math.comb(n, k) / 2.0**n
    return McNemar(regressions, fixes, exact, min(1.0, max(0.0, mid)))


@dataclass(frozen=True)
class Comparison:
    a: str
    b: str
    rows: list[dict[str, Any]]
    """One per episode: key, pack, category, task, a, b (passed), flip, errors in each."""

    def flips(self) -> list[dict[str, Any]]:
        """Regressions first, then fixes, each in key order."""
        order = {"regression": 0, "fix": 1}
        return sorted(
            (r for r in self.rows if r["flip"]), key=lambda r: (order[r["flip"]], r["key"])
        )

    def _group(self, rows: list[dict[str, Any]]) -> dict[str, Any]:
        n = len(rows)
        a_pass = sum(r["a"] for r in rows)
        b_pass = sum(r["b"] for r in rows)
        test = mcnemar(
            sum(r["flip"] == "regression" for r in rows), sum(r["flip"] == "fix" for r in rows)
        )
        return {
            "episodes": n,
            "a_passed": a_pass,
            "b_passed": b_pass,
            "a_rate": wilson(a_pass, n).as_json(),
            "b_rate": wilson(b_pass, n).as_json(),
            "delta": round((b_pass - a_pass) / n, 4) if n else 0.0,
            **test.as_json(),
        }

    def by(self, level: str) -> dict[str, dict[str, Any]]:
        groups: dict[str, list[dict[str, Any]]] = {}
        for r in self.rows:
            groups.setdefault(r[level], []).append(r)
        return {k: self._group(v) for k, v in sorted(groups.items())}

    def as_json(self) -> dict[str, Any]:
        return {
            "a": self.a,
            "b": self.b,
            "overall": self._group(self.rows),
            "by_pack": self.by("pack"),
            "by_category": self.by("category"),
            "flips": self.flips(),
        }


def _keyed(run: Run) -> dict[str, EpisodeRecord]:
    return {episode_key(r): r for r in run.records}


def compare_runs(a: Run, b: Run) -> Comparison:
    """Pair the episodes of two runs by task (and repeat); runs over different task sets are a
    :class:`ViewInputError` naming what only one of them has."""
    ka, kb = _keyed(a), _keyed(b)
    only_a, only_b = sorted(ka.keys() - kb.keys()), sorted(kb.keys() - ka.keys())
    if only_a or only_b:
        parts = []
        if only_a:
            parts.append(f"{len(only_a)} only in {a.name!r} (e.g. {only_a[0]!r})")
        if only_b:
            parts.append(f"{len(only_b)} only in {b.name!r} (e.g. {only_b[0]!r})")
        raise ViewInputError(
            Diagnostic(
                b.path,
                1,
                1,
                "compare-tasks",
                f"the two runs cover different tasks: {'; '.join(parts)}",
                hint="compare two runs over the same compiled tasks (and --repeats)",
            )
        )
    rows = []
    for key in sorted(ka):
        ra, rb = ka[key], kb[key]
        pa, pb = passed(ra), passed(rb)
        flip = "regression" if pa and not pb else "fix" if pb and not pa else None
        rows.append(
            {
                "key": key,
                "pack": ra["pack"],
                "category": ra["category"],
                "task": ra["task"],
                "a": pa,
                "b": pb,
                "flip": flip,
                "a_errors": episode_errors(ra),
                "b_errors": episode_errors(rb),
            }
        )
    return Comparison(a.name, b.name, rows)


def _p(x: float) -> str:
    return f"{x:.3g}" if x >= 0.001 else f"{x:.1e}"


def format_text(comparison: Comparison, *, limit: int = 50) -> str:
    """Flips first (regressions, then fixes), then the change by pack and by category."""
    doc = comparison.as_json()
    flips = doc["flips"]
    lines = [f"A = {comparison.a}", f"B = {comparison.b}", ""]
    for kind, title, mark in (
        ("regression", "regressions (A passed, B failed)", "-"),
        ("fix", "fixes (A failed, B passed)", "+"),
    ):
        chosen = [f for f in flips if f["flip"] == kind]
        lines.append(f"{title}: {len(chosen)}")
        for f in chosen[:limit]:
            errs = f["b_errors"] if kind == "regression" else f["a_errors"]
            lines.append(f"  {mark} {f['key']}" + (f"  [{', '.join(errs)}]" if errs else ""))
        if len(chosen) > limit:
            lines.append(f"  ... {len(chosen) - limit} more")
        lines.append("")
    head = (
        f"{'level':<9}{'name':<28}{'episodes':>9}{'A pass':>8}{'B pass':>8}{'delta':>8}"
        f"{'reg':>5}{'fix':>5}{'p exact':>9}{'p mid':>9}"
    )
    lines += [head, "-" * len(head)]
    groups = [("all", "", doc["overall"])]
    groups += [("pack", k, v) for k, v in doc["by_pack"].items()]
    groups += [("category", k, v) for k, v in doc["by_category"].items()]
    for level, name, g in groups:
        lines.append(
            f"{level:<9}{name:<28}{g['episodes']:>9}{g['a_rate']['estimate']:>8.3f}"
            f"{g['b_rate']['estimate']:>8.3f}{g['delta']:>+8.3f}{g['regressions']:>5}"
            f"{g['fixes']:>5}{_p(g['p_exact']):>9}{_p(g['p_mid']):>9}"
        )
    return "\n".join(lines)
