"""The properties of ``taskkit.testing`` on deliberately broken packs: each fails exactly the
properties its ``expected.txt`` names, with a counterexample an author can act on.

``tests/examples/broken_packs/<case>/expected.txt`` lists, one a line, ``pack/task
property [field ...]``: every property that must fail (and the content fields it must
blame); every other property of every task must pass.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from taskkit.testing import PROPERTIES, TestSession, get_profile, run_library
from taskkit.testing.results import PropertyResult

BROKEN = Path(__file__).resolve().parents[1] / "examples" / "broken_packs"
CASES = sorted(p for p in BROKEN.iterdir() if p.is_dir())
CI = get_profile("ci")


def expected(case: Path) -> dict[tuple[str, str], tuple[str, ...]]:
    out = {}
    for raw in (case / "expected.txt").read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if line and not line.startswith("#"):
            task, prop, *fields = line.split()
            out[(task, prop)] = tuple(fields)
    return out


def failures(case: Path) -> dict[tuple[str, str], PropertyResult]:
    result = run_library([case], CI)
    assert not result.lint_errors, [d.text() for d in result.lint_errors]
    return {(r.task, r.name): r for r in result.results if r.failed}


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_broken_pack_fails_exactly_its_properties(case):
    want = expected(case)
    found = failures(case)
    assert set(found) == set(want)
    for key, fields in want.items():
        finding = found[key].findings[0]
        assert finding.example is not None, key  # a counterexample,
        assert finding.path and finding.line > 0, key  # and where to look
        assert set(finding.fields) == set(fields), key


def test_template_counterexample_is_a_real_entry_with_the_smallest_breaking_value():
    case = BROKEN / "template-breaks-for-some-entries"
    finding = failures(case)[("shop/buy_in_boxes", "renders")].findings[0]
    assert finding.fields == ("per_box",)
    assert finding.change == {"per_box": 0}  # shrunk to the boundary the schema allows
    assert finding.example == [
        {"id": "pens-counterexample", "item": "pen", "item_id": "i-1", "qty": 25, "per_box": 0}
    ]
    assert "user_command does not render" in finding.message
    assert "ZeroDivisionError" in finding.message
    assert finding.path.endswith("buy_in_boxes.yaml") and finding.line == 9


def test_gold_answer_counterexample_is_the_failing_entry():
    case = BROKEN / "gold-answer-fails"
    result = failures(case)[("shop/buy_and_total", "gold_replay")]
    assert result.tried == 2
    (finding,) = result.findings  # only the entry whose answer key is wrong
    assert finding.example[0]["id"] == "mugs"
    assert "TK703" in finding.message and "within tolerance of 8" in finding.message


def test_noop_counterexample_says_why_doing_nothing_passes():
    case = BROKEN / "noop-passes"
    (finding,) = failures(case)[("shop/price_lookup", "noop_fails")].findings
    assert "scores 1 on every entry" in finding.message
    assert "no answer is checked" in finding.message
    assert "expect.answer" in finding.hint


def test_missed_mutation_counterexample_is_the_mistake_let_through():
    case = BROKEN / "evaluator-misses-wrong-value"
    result = failures(case)[("shop/buy", "mutations_caught")]
    (finding,) = result.findings
    assert finding.example == {
        "entry": "pens",
        "gold_step": 2,
        "mutation": "wrong_value",
        "call": {"tool": "buy_item", "arguments": {"item_id": "i-1-x", "qty": 2}},
    }
    assert "reported nothing" in finding.message
    # every other class of mistake is caught, so only wrong_value is reported
    assert "wrong_type" in result.note and "missing_argument" in result.note


def test_runs_repeat_with_a_seed_and_differ_across_seeds_only_in_what_they_draw():
    case = BROKEN / "template-breaks-for-some-entries"
    first = run_library([case], CI, properties=["renders"]).results
    again = run_library([case], CI, properties=["renders"]).results
    assert [r.findings for r in first] == [r.findings for r in again]
    other = run_library([case], get_profile("ci", seed=7), properties=["renders"]).results
    assert other[0].failed and other[0].findings[0].change == {"per_box": 0}


def test_each_property_is_a_plain_function_of_a_case_and_a_profile():
    session = TestSession([BROKEN / "evaluator-misses-wrong-value"])
    (case,) = session.cases
    results = {name: prop(case, CI) for name, prop in PROPERTIES.items()}
    assert {n for n, r in results.items() if r.failed} == {"mutations_caught"}
    assert all(r.task == "shop/buy" and r.name == n for n, r in results.items())


def test_a_crashing_check_is_a_failure_not_an_exception(monkeypatch):
    def boom(case, profile):
        raise RuntimeError("kaput")

    monkeypatch.setitem(PROPERTIES, "round_trip", boom)
    result = run_library([BROKEN / "noop-passes"], CI, properties=["round_trip"])
    (only,) = result.results
    assert only.failed and "kaput" in only.findings[0].message


def test_lint_errors_stop_the_run_before_any_property():
    invalid = Path(__file__).resolve().parents[1] / "examples" / "invalid"
    case = next(p for p in sorted(invalid.iterdir()) if p.name.startswith("TK202"))
    result = run_library([case], CI)
    assert result.lint_errors and not result.results and result.failed


def test_task_selection_by_glob():
    session = TestSession([BROKEN / "noop-passes"], tasks=["shop/nothing*"])
    assert session.cases == []
    assert len(TestSession([BROKEN / "noop-passes"], tasks=["price_*"]).cases) == 1


def test_a_task_that_asks_for_no_work_skips_the_noop_check(tmp_path):
    pack = tmp_path / "quiet"
    (pack / "tasks").mkdir(parents=True)
    (pack / "pack.yaml").write_text(
        "kind: pack\nschema_version: 1\nname: quiet\nversion: 1.0.0\ntitle: Q\nlicense: MIT\n"
    )
    (pack / "tools.yaml").write_text(
        "kind: toolset\nschema_version: 1\nname: t\ntools:\n"
        "  - {name: ping, description: Ping., behavior: {respond: pong}}\n"
    )
    (pack / "greetings.yaml").write_text(
        "kind: content\nschema_version: 1\nname: greetings\n"
        "fields: {type: object, properties: {name: {type: string}}, required: [name]}\n"
        "entries: [{id: a, name: Ada}]\n"
    )
    (pack / "tasks" / "hello.yaml").write_text(
        "kind: task\nschema_version: 1\nid: hello\nversion: 1\ncategory: data\n"
        "difficulty: easy\ntools: [t.ping]\ncontent: greetings\n"
        "user_command: Say hello to {{ name }}.\nfinal: {expect: {state: ignore}}\n"
    )
    result = run_library([pack], CI, properties=["noop_fails", "mutations_caught"])
    by_name = {r.name: r for r in result.results}
    assert by_name["noop_fails"].status == "skip"
    assert by_name["mutations_caught"].status == "pass"
    assert by_name["mutations_caught"].tried == 0
