"""Declared tool behaviour and answer checks, as a table of cases."""

from __future__ import annotations

import pytest

from taskkit.models import AnswerCheck, Behavior
from taskkit.sim.answers import check_answer, numbers_in
from taskkit.sim.behaviors import ToolError, run_behavior

STATE = {
    "homes": [
        {"id": "h1", "city": "Austin", "bedrooms": 3, "price": 300, "tags": ["pool"]},
        {"id": "h2", "city": "austin ", "bedrooms": 2, "price": 200, "tags": []},
        {"id": "h3", "city": "Denver", "bedrooms": 4, "price": 500, "tags": ["pool", "view"]},
    ]
}


def run(behavior: dict, args: dict, state=None):
    state = {k: [dict(r) for r in v] for k, v in (state or STATE).items()}
    return run_behavior(Behavior.model_validate(behavior), args, state), state


@pytest.mark.parametrize(
    ("behavior", "args", "ids"),
    [
        ({"select": "homes", "where": {"city": "{{ args.city }}"}}, {"city": "Austin"}, ["h1"]),
        ({"select": "homes", "where": {"city": "{{ args.city }}"}}, {"city": "AUSTIN"}, []),
        (
            {"select": "homes", "where": {"city": {"ieq": "{{ args.city }}"}}},
            {"city": "AUSTIN"},
            ["h1", "h2"],
        ),
        (
            {"select": "homes", "where": {"bedrooms": {"gte": "{{ args.n | default(none) }}"}}},
            {},
            ["h1", "h2", "h3"],
        ),
        (
            {"select": "homes", "where": {"bedrooms": {"gte": "{{ args.n }}"}}},
            {"n": 3},
            ["h1", "h3"],
        ),
        ({"select": "homes", "where": {"tags": {"contains": "view"}}}, {}, ["h3"]),
        (
            {"select": "homes", "where": {"id": {"in": ["h3", "h1"]}}, "sort": "-price"},
            {},
            ["h3", "h1"],
        ),
        ({"select": "homes", "sort": "price", "limit": "{{ args.k }}"}, {"k": 2}, ["h2", "h1"]),
    ],
)
def test_select(behavior, args, ids):
    result, _ = run(behavior, args)
    assert [r["id"] for r in result] == ids


def test_insert_generates_the_next_free_id_and_update_delete_by_id():
    result, state = run({"insert": "homes", "record": {"city": "Reno"}, "id_prefix": "h"}, {})
    assert result["id"] == "h4" and state["homes"][-1] == {"id": "h4", "city": "Reno"}
    result, state = run(
        {"update": "homes", "id": "{{ args.id }}", "set": {"price": 1}}, {"id": "h2"}
    )
    assert result["price"] == 1 and state["homes"][1]["price"] == 1
    result, state = run({"delete": "homes", "id": "h1"}, {})
    assert result == {"deleted": "h1"} and [h["id"] for h in state["homes"]] == ["h2", "h3"]


def test_not_found_and_preconditions_are_tool_errors():
    with pytest.raises(ToolError) as info:
        run({"get": "homes", "id": "{{ args.id }}", "error": "no home {{ args.id }}"}, {"id": "x"})
    assert (info.value.kind, info.value.message) == ("not_found", "no home x")
    with pytest.raises(ToolError) as info:
        run({"require": [{"check": "args.n > 2", "error": "too few"}], "count": "homes"}, {"n": 1})
    assert info.value.kind == "precondition"
    # a check written with braces and words renders to text, read as a boolean word
    result, _ = run(
        {"require": [{"check": "{{ args.ok }}", "error": "no"}], "count": "homes"}, {"ok": True}
    )
    assert result == {"count": 3}
    with pytest.raises(ToolError):
        run(
            {"require": [{"check": "{{ args.ok }}", "error": "no"}], "count": "homes"},
            {"ok": False},
        )


def test_aggregate_and_respond():
    result, _ = run({"aggregate": "homes", "op": "avg", "field": "price"}, {})
    assert result == {"value": pytest.approx(333.333333)}
    result, _ = run({"count": "homes", "respond": "{{ result.count }} homes"}, {})
    assert result == "3 homes"


def test_unknown_where_operator_is_refused_by_the_schema():
    with pytest.raises(ValueError, match="unknown operator 'like'"):
        Behavior.model_validate({"select": "homes", "where": {"city": {"like": "A"}}})


@pytest.mark.parametrize(
    ("text", "numbers"),
    [
        ("2027-02-21", [2027, 2, 21]),
        ("it costs -5 or +3.5", [-5, 3.5]),
        ("order o-12 shipped", [12]),
        ("1,250,000 dollars", [1250000]),
    ],
)
def test_numbers_in(text, numbers):
    assert numbers_in(text) == numbers


@pytest.mark.parametrize(
    ("check", "answer", "passes"),
    [
        ({"contains": ["Austin"]}, "The cheapest is in AUSTIN.", True),
        ({"contains": ["389,000"]}, "It costs 389000.", True),
        ({"number": {"value": 3}}, "There are 3 such homes", True),
        ({"number": {"value": 1}}, "Booked for 2027-02-21", False),
        ({"number": {"value": 100, "rel_tolerance": 0.01}}, "about 100.9", True),
        ({"equals": "yes"}, " Yes. ", True),
        ({"regex": r"h-\d+"}, "booked h-204", True),
        ({"not_contains": ["error"]}, "No error occurred", False),
    ],
)
def test_answer_checks(check, answer, passes):
    assert (check_answer(AnswerCheck.model_validate(check), answer) == []) is passes
