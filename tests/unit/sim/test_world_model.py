"""The world model through every single operation: collections keyed by id as well as lists
of records, dotted paths wherever a field is named, exact matching unless a tool asks for
`ieq`/`icontains`/`istartswith`, and writes that never change the state they were given."""

from __future__ import annotations

import copy

import pytest

from taskkit.models import Behavior
from taskkit.sim.behaviors import ToolError, run_behavior
from taskkit.sim.records import OPERATORS, matches

USERS = {
    "mia_li_3668": {
        "name": {"first_name": "Mia", "last_name": "Li"},
        "address": {"city": "Austin", "zip": "78701"},
        "membership": "gold",
        "payment_methods": {"credit_card_4421": {"source": "credit_card", "amount": 0}},
        "balance": 120,
    },
    "noah_kim_1": {
        "name": {"first_name": "Noah", "last_name": "Kim"},
        "address": {"city": "Denver", "zip": "80202"},
        "membership": "regular",
        "payment_methods": {},
        "balance": 40.5,
    },
    "ava_li_9": {
        "name": {"first_name": "Ava", "last_name": "Li"},
        "address": {"city": "austin", "zip": "78702"},
        "membership": "silver",
        "payment_methods": {},
        "balance": 75,
    },
}
HOMES = [
    {"id": "h1", "spec": {"beds": 3}, "city": "Austin", "price": 300},
    {"id": "h2", "spec": {"beds": 2}, "city": "Denver", "price": 200},
]


def world():
    return {"users": copy.deepcopy(USERS), "homes": copy.deepcopy(HOMES)}


def run(behavior: dict, args: dict | None = None, state=None):
    state = world() if state is None else state
    return run_behavior(Behavior.model_validate(behavior), args or {}, state), state


def test_get_addresses_a_keyed_record_by_its_key():
    result, _ = run({"get": "users", "id": "{{ args.user_id }}"}, {"user_id": "noah_kim_1"})
    assert result["name"]["first_name"] == "Noah"


def test_get_projects_dotted_fields_keeping_their_nesting():
    result, _ = run(
        {"get": "users", "id": "mia_li_3668", "fields": ["name.first_name", "address.zip", "nope"]}
    )
    assert result == {"name": {"first_name": "Mia"}, "address": {"zip": "78701"}}


@pytest.mark.parametrize("rid", ["MIA_LI_3668", " mia_li_3668", "mia_li_3668 "])
def test_ids_are_matched_exactly(rid):
    with pytest.raises(ToolError) as info:
        run({"get": "users", "id": "{{ args.id }}"}, {"id": rid})
    assert info.value.kind == "not_found"


def test_select_iterates_a_keyed_collections_records_with_dotted_where_and_sort():
    result, _ = run(
        {
            "select": "users",
            "where": {"name.last_name": "Li"},
            "sort": "-balance",
            "fields": ["name.first_name"],
        }
    )
    assert result == [{"name": {"first_name": "Mia"}}, {"name": {"first_name": "Ava"}}]


@pytest.mark.parametrize(
    ("where", "firsts"),
    [
        ({"address.city": "Austin"}, ["Mia"]),
        ({"address.city": {"eq": "austin"}}, ["Ava"]),
        ({"address.city": {"ieq": " AUSTIN "}}, ["Mia", "Ava"]),
        ({"address.city": {"contains": "aus"}}, ["Ava"]),
        ({"address.city": {"icontains": "AUS"}}, ["Mia", "Ava"]),
        ({"address.zip": {"startswith": "787"}}, ["Mia", "Ava"]),
        ({"address.city": {"startswith": "aus"}}, ["Ava"]),
        ({"address.city": {"istartswith": "AUS"}}, ["Mia", "Ava"]),
        ({"address.country": {"ne": "US"}}, []),  # a missing path fails any condition
        ({"payment_methods.credit_card_4421.source": "credit_card"}, ["Mia"]),
    ],
)
def test_where_matches_exactly_unless_asked_not_to(where, firsts):
    result, _ = run({"select": "users", "where": where})
    assert [u["name"]["first_name"] for u in result] == firsts


def test_count_and_aggregate_read_dotted_fields():
    result, _ = run({"count": "users", "where": {"address.city": {"ieq": "austin"}}})
    assert result == {"count": 2}
    result, _ = run({"aggregate": "homes", "op": "sum", "field": "spec.beds"})
    assert result == {"value": 5}


def test_update_sets_dotted_fields_and_copies_the_record_instead_of_changing_it():
    state = world()
    before = state["users"]["mia_li_3668"]
    result, state = run(
        {
            "update": "users",
            "id": "mia_li_3668",
            "set": {"address.zip": "{{ args.zip }}", "membership": "silver"},
        },
        {"zip": "73301"},
        state,
    )
    assert result["address"] == {"city": "Austin", "zip": "73301"}
    assert state["users"]["mia_li_3668"]["membership"] == "silver"
    assert before["address"]["zip"] == "78701"  # the old record object is untouched
    assert before["membership"] == "gold"


def test_update_by_where_on_a_keyed_collection():
    result, state = run(
        {"update": "users", "where": {"name.last_name": "Li"}, "set": {"flag": True}}
    )
    assert result["updated"] == 2
    assert [u.get("flag") for u in state["users"].values()] == [True, None, True]


def test_insert_into_a_keyed_collection_generates_a_key_and_stores_no_id_field():
    result, state = run({"insert": "users", "record": {"name": {"first_name": "Zoe"}}})
    assert result["id"] == "users-4"
    assert state["users"]["users-4"] == {"name": {"first_name": "Zoe"}}
    assert list(state["users"])[-1] == "users-4"


def test_insert_with_an_existing_key_is_a_conflict():
    with pytest.raises(ToolError) as info:
        run({"insert": "users", "record": {"id": "ava_li_9"}})
    assert info.value.kind == "conflict"


def test_delete_from_a_keyed_collection_by_id_and_by_where():
    result, state = run({"delete": "users", "id": "noah_kim_1"})
    assert result == {"deleted": "noah_kim_1"}
    assert list(state["users"]) == ["mia_li_3668", "ava_li_9"]
    result, state = run({"delete": "users", "where": {"name.last_name": "Li"}})
    assert result == {"deleted": ["mia_li_3668", "ava_li_9"]}
    assert list(state["users"]) == ["noah_kim_1"]


def test_require_exists_and_absent_read_keyed_collections_and_dotted_paths():
    ok = {"exists": {"collection": "users", "id": "{{ args.user_id }}"}, "error": "no such user"}
    run({"require": [ok], "count": "users"}, {"user_id": "ava_li_9"})
    with pytest.raises(ToolError, match="no such user"):
        run({"require": [ok], "count": "users"}, {"user_id": "AVA_LI_9"})
    absent = {
        "absent": {"collection": "users", "where": {"address.zip": "{{ args.zip }}"}},
        "error": "taken",
    }
    with pytest.raises(ToolError, match="taken"):
        run({"require": [absent], "count": "users"}, {"zip": "80202"})


def test_a_bad_dotted_path_is_a_tool_error_not_a_traceback():
    with pytest.raises(ToolError) as info:
        run({"update": "users", "id": "mia_li_3668", "set": {"name.first_name.x": 1}})
    assert info.value.kind == "behavior_error"
    with pytest.raises(ToolError) as info:
        run({"select": "users", "where": {"a..b": 1}})
    assert info.value.kind == "behavior_error"


@pytest.mark.parametrize(
    ("field", "value", "equal"),
    [
        (1, 1.0, True),
        (True, 1, False),
        (1, True, False),
        (False, 0, False),
        ("1", 1, False),
        ("Li", "li", False),
        ([1, True], [1.0, True], True),
        ([1, True], [1, 1], False),
        ({"a": 1}, {"a": 1.0}, True),
        ({"a": True}, {"a": 1}, False),
        (float("nan"), float("nan"), False),
    ],
)
def test_equality_is_exact_numbers_by_value_and_booleans_apart(field, value, equal):
    assert OPERATORS["eq"](field, value) is equal
    assert OPERATORS["ne"](field, value) is not equal
    assert matches({"f": field}, {"f": {"eq": value}}) is equal


@pytest.mark.parametrize(
    ("op", "field", "value", "holds"),
    [
        ("in", 1, [True, 2], False),
        ("in", True, [1, True], True),
        ("contains", [1, 2], True, False),
        ("contains", ["Pool"], "pool", False),
        ("icontains", ["Pool"], " pool", True),
        ("gt", True, 0, False),
        ("gte", 1, True, False),
        ("gt", 2, 1.5, True),
    ],
)
def test_membership_and_order_never_take_a_boolean_for_a_number(op, field, value, holds):
    assert OPERATORS[op](field, value) is holds
