"""``pytest --taskkit PATH``: one item per abstract task and property, failures shown with
their counterexamples, selection with ``-k``."""

from __future__ import annotations

from pathlib import Path

pytest_plugins = ["pytester"]

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
BROKEN = EXAMPLES / "broken_packs"


def test_one_item_per_task_and_property(pytester):
    result = pytester.runpytest(
        "--taskkit", str(EXAMPLES / "valid" / "home-starter-pack"), "--collect-only", "-q"
    )
    ids = [line for line in result.outlines if line.startswith("taskkit::")]
    assert len(ids) == 3 * 7  # tasks x properties
    assert "taskkit::home/book_cheapest_viewing::renders" in ids
    assert "taskkit::home/count_matching_homes::round_trip" in ids


def test_a_broken_pack_fails_its_item_with_the_counterexample(pytester):
    case = BROKEN / "template-breaks-for-some-entries"
    result = pytester.runpytest("--taskkit", str(case), "-p", "no:cacheprovider")
    result.assert_outcomes(failed=1, passed=5, skipped=1)  # no task has a user to ask
    result.stdout.fnmatch_lines(
        [
            "*taskkit shop/buy_in_boxes renders*",
            "*field 'per_box' (per_box: 0) breaks it*",
            "*per_box: 0*",
            "FAILED *taskkit::shop/buy_in_boxes::renders*",
        ]
    )


def test_items_are_selected_with_k_and_the_profile_is_an_option(pytester):
    case = BROKEN / "evaluator-misses-wrong-value"
    result = pytester.runpytest(
        "--taskkit",
        str(case),
        "--taskkit-profile",
        "ci",
        "--taskkit-examples",
        "2",
        "-k",
        "mutations_caught or renders",
    )
    result.assert_outcomes(failed=1, passed=1, deselected=5)
    result.stdout.fnmatch_lines(["*wrong_value at gold step 2 is not caught*"])


def test_lint_errors_are_one_failing_item(pytester):
    case = next(p for p in sorted((EXAMPLES / "invalid").iterdir()) if p.name.startswith("TK202"))
    result = pytester.runpytest("--taskkit", str(case))
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*lint errors*", "*TK202*"])


def test_without_the_option_the_plugin_adds_nothing(pytester):
    pytester.makepyfile("def test_ok():\n    pass\n")
    result = pytester.runpytest()
    result.assert_outcomes(passed=1)
