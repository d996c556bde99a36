"""Where-conditions compare numbers of any size without raising: an int beyond a double,
one beyond str()'s 4,300 digits, infinities and NaN (the model may send any of them)."""

from __future__ import annotations

import pytest

from taskkit.sim.records import OPERATORS, matches, sort_records

HUGE = [10**400, -(10**400), 10**5000, float("inf"), float("nan"), "1e999"]


@pytest.mark.parametrize("op", sorted(OPERATORS))
@pytest.mark.parametrize("value", HUGE, ids=lambda v: type(v).__name__)
def test_operators_answer_for_huge_values(op, value):
    for field in (5, 2.5, "abc", [1, 2], None, True):
        assert OPERATORS[op](field, value) in (True, False)
        assert OPERATORS[op](value, field) in (True, False)


def test_comparisons_stay_exact():
    assert OPERATORS["gt"](10**400, 1e308)
    assert not OPERATORS["lt"](10**400, 1e308)
    assert OPERATORS["gte"](5, "4.5")
    assert matches({"price": 10}, {"price": {"lte": 10**400}})
    assert not matches({"price": 10}, {"price": {"gte": 10**5000}})


def test_sorting_mixed_huge_values():
    records = [{"a": 10**5000}, {"a": 1.5}, {"a": "x"}, {"a": 10**400}, {"a": None}]
    assert [type(r["a"]).__name__ for r in sort_records(records, "a")] == [
        "float",
        "int",
        "int",
        "str",
        "NoneType",
    ]
