"""Summaries equal `taskkit report`'s numbers; compare pairs episodes and tests flips with
McNemar; the charts are well-formed SVG."""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET

import pytest
from view_records import record, write

from taskkit.runs.intervals import wilson
from taskkit.runs.pass_rates import build_report
from taskkit.view import ViewInputError, compare_runs, format_text, mcnemar, read_run, summarise
from taskkit.view.plots import charts
from taskkit.view.summary import episode_row


def _exact_two_sided(b: int, c: int) -> float:
    # Straight from the definition: the probability, under p = 1/2, of outcomes as or less
    # likely than the one seen.
    n = b + c
    probs = [math.comb(n, i) / 2**n for i in range(n + 1)]
    return min(1.0, sum(p for p in probs if p <= probs[b] * (1 + 1e-12)))


@pytest.mark.parametrize(("b", "c"), [(0, 0), (1, 0), (3, 2), (1, 9), (0, 117), (10, 25), (7, 7)])
def test_mcnemar_exact_matches_the_definition(b, c):
    test = mcnemar(b, c)
    assert test.p_exact == pytest.approx(_exact_two_sided(b, c) if b + c else 1.0)
    assert 0 <= test.p_mid <= test.p_exact <= 1


def test_mcnemar_known_values():
    # 1 regression, 9 fixes: P(X <= 1) = (1 + 10) / 2^10, doubled; mid-p halves P(X = 1) twice
    assert mcnemar(1, 9).p_exact == pytest.approx(22 / 1024)
    assert mcnemar(1, 9).p_mid == pytest.approx(12 / 1024)
    assert mcnemar(0, 117).p_exact == pytest.approx(2.0**-116)
    assert mcnemar(0, 117).as_json()["p_exact"] > 0  # tiny, but not rounded away


def test_summary_numbers_are_the_reports(tmp_path):
    records = [record(f"p/t@1#e-{i}", i % 3 != 0) for i in range(30)]
    records[4]["category"] = "other"
    run = read_run(write(tmp_path / "a.jsonl", records))
    summary = summarise(run.records)
    report = build_report(run.records).as_json()
    assert summary["report"] == report
    for key, value in report["overall"].items():
        assert summary["overall"][key] == value
    assert summary["overall"]["interval"] == wilson(20, 30).as_json()
    assert set(summary["levels"]["category"]) == {"c", "other"}
    assert summary["steps_to_success"] == {"1": 20}


def test_compare_lists_flips_regressions_first(tmp_path):
    a = [record(f"p/t@1#e-{i}", 1 if i < 6 else 0) for i in range(10)]
    b = [record(f"p/t@1#e-{i}", 1 if i in (0, 1, 2, 3, 7, 8, 9) else 0) for i in range(10)]
    comparison = compare_runs(
        read_run(write(tmp_path / "a.jsonl", a)), read_run(write(tmp_path / "b.jsonl", b))
    )
    flips = [(f["flip"], f["key"]) for f in comparison.flips()]
    assert flips == [
        ("regression", "p/t@1#e-4"),
        ("regression", "p/t@1#e-5"),
        ("fix", "p/t@1#e-7"),
        ("fix", "p/t@1#e-8"),
        ("fix", "p/t@1#e-9"),
    ]
    doc = comparison.as_json()
    assert doc["overall"]["delta"] == pytest.approx(0.1)
    assert doc["overall"]["p_exact"] == pytest.approx(mcnemar(2, 3).p_exact, rel=1e-3)
    assert doc["by_pack"]["p"]["regressions"] == 2
    text = format_text(comparison)
    assert text.index("regressions (A passed, B failed): 2") < text.index("fixes (A failed")
    assert "- p/t@1#e-4" in text and "+ p/t@1#e-9" in text


def test_compare_refuses_different_task_sets(tmp_path):
    a = read_run(write(tmp_path / "a.jsonl", [record("p/t@1#e-1"), record("p/t@1#e-2")]))
    b = read_run(write(tmp_path / "b.jsonl", [record("p/t@1#e-1"), record("p/t@1#e-3")]))
    with pytest.raises(ViewInputError) as caught:
        compare_runs(a, b)
    d = caught.value.diagnostic
    assert d.rule == "compare-tasks"
    assert "1 only in 'a.jsonl' (e.g. 'p/t@1#e-2')" in d.message
    assert "1 only in 'b.jsonl' (e.g. 'p/t@1#e-3')" in d.message


def test_charts_are_svg_with_one_bar_per_category(tmp_path):
    records = [record(f"p/t@1#e-{i}", i % 2) for i in range(8)]
    records[0]["category"] = "a<b>&c"  # escaped, not markup
    svgs = charts(summarise(read_run(write(tmp_path / "a.jsonl", records)).records))
    assert set(svgs) == {"pass_rate_by_category", "error_types", "steps_to_success"}
    ns = "{http://www.w3.org/2000/svg}"
    for svg in svgs.values():
        ET.fromstring(svg)  # well-formed
    tree = ET.fromstring(svgs["pass_rate_by_category"])
    labels = [t.text for t in tree.iter(f"{ns}text")]
    assert "a<b>&c" in labels and "c" in labels


def test_failed_episodes_count_as_failures_with_their_reason(tmp_path):
    failed = {k: v for k, v in record("p/t@1#e-2", 0).items() if k != "steps"}
    failed["failed"] = {"reason": "server_error"}
    records = read_run(write(tmp_path / "a.jsonl", [record(), failed])).records
    summary = summarise(records)
    assert summary["failed_to_run"] == 1
    # as in `taskkit report`: a failed episode is counted apart, left out of the rates
    assert summary["overall"]["tasks_passed"] == 1 and summary["overall"]["episodes"] == 1
    assert summary["overall"]["failed"] == 1
    assert episode_row(records[1])["errors"] == ["failed:server_error"]
    assert episode_row(records[1])["steps"] == 0
