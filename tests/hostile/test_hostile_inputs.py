"""The hostile-input suite: every input of the corpus beside this file, through the CLI.

Each must end with exit 0, 1 or 2 (or the codes its case names), without a traceback,
within the time and memory budgets of :mod:`harness` (run ``python tests/hostile/harness.py``
for the per-class summary and the largest time and memory any input took)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from harness import Case, Outcome, build, classes, run_all, summary

CORPUS = [(klass, case) for klass, cases in classes().items() for case in cases]


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Outcome]:
    """Every input built and run once, in one runner process."""
    top = tmp_path_factory.mktemp("hostile")
    jobs = [build(case, top / klass / case.name) for klass, case in CORPUS]
    try:
        results = run_all(jobs)
    finally:
        for path in top.rglob("*"):  # cases take rights away; give them back for cleanup
            if not path.is_symlink():
                os.chmod(path, 0o700)
    where = os.environ.get("TASKKIT_HOSTILE_SUMMARY")
    if where:  # the closing note's figures, for CI logs and benchmarks/bench_hostile.py
        doc = summary(CORPUS, results)
        Path(where, "inputs.json").write_text(json.dumps(doc, indent=2) + "\n")
    return {f"{k}/{c.name}": o for (k, c), o in zip(CORPUS, results, strict=True)}


@pytest.mark.parametrize(("klass", "case"), CORPUS, ids=[f"{k}/{c.name}" for k, c in CORPUS])
def test_hostile_input(klass: str, case: Case, outcomes: dict[str, Outcome]) -> None:
    outcome = outcomes[f"{klass}/{case.name}"]
    problems = outcome.problems(case)
    assert not problems, f"{problems}\n--- stdout\n{outcome.stdout}\n--- stderr\n{outcome.stderr}"


def test_every_class_of_the_brief_has_inputs() -> None:
    found = {k for k, _ in CORPUS}
    assert {"packs", "templates", "compiled", "importers", "special_files"} <= found
    assert all(Path(__file__).parent.joinpath(k, "cases.py").is_file() for k in found)


def test_the_summary_gives_each_class_its_outcomes_and_names_the_largest_inputs() -> None:
    def outcome(exit: int | None, wall: float, rss_mib: int) -> Outcome:
        return Outcome(
            exit, None if exit is not None else 9, wall, wall / 2, rss_mib * 2**20, "", ""
        )

    named = [("packs", Case("a", lambda f: [])), ("packs", Case("b", lambda f: []))]
    named.append(("compiled", Case("c", lambda f: [], exits=frozenset({2}))))
    doc = summary(named, [outcome(0, 0.5, 80), outcome(1, 2.5, 40), outcome(0, 0.1, 10)])
    assert doc["classes"] == {
        "packs": {"inputs": 2, "outcomes": {"exit 0": 1, "exit 1": 1}},
        "compiled": {"inputs": 1, "outcomes": {"exit 0": 1}},
    }
    assert doc["inputs"] == 3 and doc["failing"] == ["compiled/c"]  # it had to exit 2
    assert doc["largest_wall_s"]["input"] == "packs/b" and doc["largest_wall_s"]["value"] == 2.5
    assert doc["largest_rss_mib"] == {"input": "packs/a", "value": 80.0, "load": 1.0}
