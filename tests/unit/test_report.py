"""The pass-rate report: counts, failed episodes apart, Wilson intervals, and pass^k over
repeats (hand-computed values), in the JSON and the printed table."""

from __future__ import annotations

import pytest

from taskkit.runs.pass_rates import build_report, format_table, summary_of


def record(task_id: str, passed: int, *, pack: str = "p", task: str = "t", repeat: int = 0):
    return {
        "task_id": task_id,
        "pack": pack,
        "category": "c",
        "task": task,
        "repeat": repeat,
        "task_score": passed,
        "action_scores": [passed],
    }


def repeated(outcomes: dict[str, list[int]]):
    return [
        record(task_id, passed, task=task_id.split("#")[0], repeat=i)
        for task_id, results in outcomes.items()
        for i, passed in enumerate(results)
    ]


def test_pass_hat_k_over_four_repeats_is_tau_bench_estimate():
    # task a: 4 of 4 passed; b: 3 of 4; c: 2 of 4; d: 0 of 4.
    # pass^1 = (1 + 3/4 + 2/4 + 0) / 4 = 0.5625
    # pass^2 = (1 + C(3,2)/C(4,2) + C(2,2)/C(4,2) + 0) / 4 = (1 + 1/2 + 1/6) / 4 = 0.416667
    # pass^3 = (1 + C(3,3)/C(4,3) + 0 + 0) / 4 = (1 + 1/4) / 4 = 0.3125
    # pass^4 = (1 + 0 + 0 + 0) / 4 = 0.25
    doc = build_report(
        repeated({"a#1": [1, 1, 1, 1], "b#1": [1, 1, 0, 1], "c#1": [0, 1, 1, 0], "d#1": [0] * 4})
    ).as_json()
    overall = doc["overall"]
    assert overall["repeats"] == 4
    hats = {k: v["estimate"] for k, v in overall["pass_hat_k"].items()}
    assert hats == pytest.approx({"1": 0.5625, "2": 0.4167, "3": 0.3125, "4": 0.25}, abs=1e-4)
    for k in "1234":
        hat = overall["pass_hat_k"][k]
        assert hat["tasks"] == 4 and 0 <= hat["low"] <= hat["estimate"] <= hat["high"] <= 1
    assert overall["pass_hat_k"]["4"]["high"] > 0.25  # an interval, not a point
    # by task: one task each, pass^k of that task alone
    assert doc["by_task"]["p/b"]["pass_hat_k"]["2"]["estimate"] == 0.5
    assert doc["by_task"]["p/c"]["pass_hat_k"]["3"]["estimate"] == 0.0
    # pass@1 is the episode pass rate, with its Wilson interval (9 of 16)
    assert overall["task_pass_rate"] == 0.5625
    # centre (p + z²/2n) / (1 + z²/n) = 0.5504, half-width 0.2186
    assert overall["task_pass_ci"] == pytest.approx([0.3318, 0.7690], abs=1e-4)


def test_the_table_prints_pass_hat_columns_with_intervals():
    table = format_table(build_report(repeated({"a#1": [1, 0, 1], "b#1": [1, 1, 1]})))
    head = table.splitlines()[0]
    assert "pass^1 [95% CI]" in head and "pass^3 [95% CI]" in head and "pass^4" not in head
    assert "0.833 [" in table.splitlines()[2]  # pass^1 = (2/3 + 1) / 2


def test_without_repeats_there_are_no_pass_hat_columns():
    doc = build_report([record("a#1", 1), record("b#1", 0)]).as_json()
    assert "pass_hat_k" not in doc["overall"]
    assert "pass^" not in format_table(doc)


def test_failed_episodes_are_counted_apart_and_left_out_of_rates():
    failed = {**record("c#1", 0), "failed": {"kind": "timeout", "reason": "no response"}}
    report = build_report([record("a#1", 1), record("b#1", 0), failed])
    doc = report.as_json()
    assert doc["overall"]["episodes"] == 2 and doc["overall"]["failed"] == 1
    assert doc["overall"]["task_pass_rate"] == 0.5
    assert doc["failures"] == {"timeout": 1}
    assert "failed episodes (left out of the rates): 1 timeout" in format_table(report)


def test_a_task_short_of_k_finished_repeats_is_left_out_of_pass_hat_k():
    records = repeated({"a#1": [1, 1, 1], "b#1": [0, 0, 0]})
    records[-1]["failed"] = {"kind": "agent", "reason": "x"}  # b has 2 finished runs
    hats = build_report(records).as_json()["overall"]["pass_hat_k"]
    assert hats["3"]["tasks"] == 1 and hats["3"]["estimate"] == 1.0
    assert hats["2"]["tasks"] == 2 and hats["2"]["estimate"] == 0.5


def test_a_report_of_records_grouped_by_task_is_the_same_report():
    # A run's exports read its records a task at a time: the report settles each task's
    # counts as the next begins, and must give every figure, intervals included, as before.
    outcomes = {f"{t}#{e}": [(e + i) % 3 != 0 for i in range(4)] for t in "abc" for e in range(9)}
    records = [
        {**r, "pack": "p" if r["task"] < "c" else "q", "category": r["task"]}
        for r in repeated({k: [int(x) for x in v] for k, v in outcomes.items()})
    ]
    records.append({**records[0], "task_id": "z#0", "failed": {"kind": "agent"}})
    held = build_report(records).as_json()
    assert build_report(records, grouped=True).as_json() == held
    assert held["overall"]["repeats"] == 4 and held["by_pack"]["q"]["pass_hat_k"]["2"]["tasks"] == 9


def test_a_record_and_its_summary_make_the_same_report():
    played = {
        **record("a#1", 0),
        "steps": [{"errors": [{"type": "unknown_tool", "message": "m"}]}],
        "final": {"score": 0, "errors": [{"type": "state_mismatch", "message": "m"}], "diff": {}},
    }
    explored = {
        **record("b#1", 1),
        "steps": [{"samples": [{"step": {"errors": [{"type": "schema_error", "message": ""}]}}]}],
    }
    by_records = build_report([played, explored]).as_json()
    assert by_records == build_report([summary_of(played), summary_of(explored)]).as_json()
    assert by_records["error_types"] == {"schema_error": 1, "state_mismatch": 1, "unknown_tool": 1}


def test_a_record_short_of_scores_counts_as_an_episode_without_actions():
    bare = {"task_id": "a#1", "pack": "p", "category": "c", "task": "t", "steps": []}
    overall = build_report([bare]).as_json()["overall"]
    assert (overall["episodes"], overall["tasks_passed"], overall["actions"]) == (1, 0, 0)
