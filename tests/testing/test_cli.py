"""``taskkit test``: the table, the counterexamples, the exit codes, and the bundled library."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from taskkit.cli.main import cli
from taskkit.schema.validate import compile_schema
from tests.conftest import LIBRARY

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
BROKEN = EXAMPLES / "broken_packs"
CASES = sorted(p for p in BROKEN.iterdir() if p.is_dir())
_FAILED = re.compile(r"^FAILED (\S+) (\S+) \(\d+ tried\)$", re.M)

KNOWN_FAILURES: set[tuple[str, str]] = set()
"""Bundled tasks known to fail a property; a fixed one must be removed from here."""


def taskkit_test(*args):
    return CliRunner().invoke(cli, ["test", *map(str, args)], catch_exceptions=False)


def expected(case: Path) -> set[tuple[str, str]]:
    lines = (case / "expected.txt").read_text(encoding="utf-8").splitlines()
    return {tuple(line.split()[:2]) for line in map(str.strip, lines) if line and line[0] != "#"}


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_each_broken_pack_fails_with_its_counterexample(case):
    result = taskkit_test(case, "--profile", "ci")
    assert result.exit_code == 1, result.output
    assert set(_FAILED.findall(result.output)) == expected(case)
    assert "counterexample" in result.output
    header = result.output.splitlines()[0].split()
    assert header == ["task", "property", "result", "tried", "note"]


def test_the_counterexample_is_yaml_an_author_can_paste():
    case = BROKEN / "template-breaks-for-some-entries"
    output = taskkit_test(case, "--profile", "ci").output
    block = output.split("bulk_orders.yaml:\n", 1)[1].split("\n\n", 1)[0]
    entries = yaml.safe_load("\n".join(line[6:] for line in block.splitlines()))
    assert entries == [
        {"id": "pens-counterexample", "item": "pen", "item_id": "i-1", "qty": 25, "per_box": 0}
    ]
    fields = yaml.safe_load(
        (case / "shop" / "content" / "bulk_orders.yaml").read_text(encoding="utf-8")
    )["fields"]
    data = {k: v for k, v in entries[0].items() if k != "id"}
    assert compile_schema(fields).is_valid(data)  # schema-valid: the template must cope
    assert "hint: narrow fields.properties.per_box" in output


def test_a_sound_pack_passes_and_exits_0():
    result = taskkit_test(EXAMPLES / "valid" / "home-starter-pack", "--profile", "ci")
    assert result.exit_code == 0, result.output
    assert "FAILED" not in result.output
    # never_asking_fails is skipped: no task of the pack has a simulated user
    assert re.search(r"21 checks on 3 tasks .*: 18 passed, 0 failed, 3 skipped", result.output)


def test_options_change_what_is_tried():
    case = BROKEN / "evaluator-misses-wrong-value"
    result = taskkit_test(case, "--examples", "3", "--seed", "5", "--task", "shop/*")
    assert result.exit_code == 1
    assert re.search(r"^shop/buy\s+renders\s+pass\s+3\b", result.output, re.M)
    assert "(default profile, 3 examples, seed 5)" in result.output


@pytest.mark.parametrize(
    "args",
    [
        ["no/such/dir"],
        [BROKEN / "noop-passes", "--task", "nothing_like_it"],
        [BROKEN / "noop-passes", "--profile", "exhaustive"],
        [BROKEN / "noop-passes", "--examples", "0"],
    ],
    ids=["missing-path", "no-task-matches", "unknown-profile", "zero-examples"],
)
def test_usage_errors_exit_2(args):
    assert taskkit_test(*args).exit_code == 2


def test_lint_errors_exit_1_before_any_property():
    case = next(p for p in sorted((EXAMPLES / "invalid").iterdir()) if p.name.startswith("TK202"))
    result = taskkit_test(case)
    assert result.exit_code == 1
    assert "TK202" in result.output and "renders" not in result.output


def test_the_command_is_listed():
    assert "test" in CliRunner().invoke(cli, ["--help"]).output


def test_the_bundled_library_passes_with_the_ci_profile():
    started = time.perf_counter()
    result = taskkit_test(*LIBRARY, "--profile", "ci")
    seconds = time.perf_counter() - started
    failed = set(_FAILED.findall(result.output))
    assert failed == (KNOWN_FAILURES if LIBRARY[0].name == "task_library" else set()), (
        result.output[-5000:]
    )
    assert result.exit_code == (1 if failed else 0)
    # A guard against a hang, not a performance test (those live in benchmarks/): the ci
    # profile took 107 s alone on a quiet 2-core machine before this session's limits,
    # trust and lint checks, 120 s after (see the closing note of that change); the airline
    # pack (50 tasks on a 2,800-record world) adds about 60 s.
    assert seconds < 360, f"the ci profile took {seconds:.0f} s"
