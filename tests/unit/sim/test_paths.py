"""Dotted paths: reading never raises for what is not there, writing copies only the
containers on the way, hostile paths are refused cheaply."""

from __future__ import annotations

import copy

import pytest
from hypothesis import given
from hypothesis import strategies as st

from taskkit.sim.paths import (
    MAX_CHARS,
    MAX_DEPTH,
    MISSING,
    PathError,
    delete_path,
    get_path,
    has_path,
    set_path,
    split_path,
)

USER = {
    "name": {"first_name": "Mia", "last_name": "Li"},
    "payment_methods": {"credit_card_1": {"amount": 100}},
    "flights": [{"date": "2024-05-01"}, {"date": "2024-05-02"}],
    "note": None,
}


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("name.first_name", "Mia"),
        (["name", "first_name"], "Mia"),
        ("payment_methods.credit_card_1.amount", 100),
        ("flights.1.date", "2024-05-02"),
        (["flights", 0, "date"], "2024-05-01"),
        ("note", None),
    ],
)
def test_get_path_reads_nested_values(path, expected):
    assert get_path(USER, path) == expected


@pytest.mark.parametrize(
    "path",
    [
        "nope",
        "name.middle_name",
        "name.first_name.x",  # into a string
        "flights.2.date",  # out of range
        "flights.-1",  # no negative indexes
        "flights.first",
        "note.x",  # into null
        "flights." + "9" * 1000,  # an index of 1,000 digits addresses nothing
    ],
)
def test_a_path_that_leads_nowhere_reads_as_missing(path):
    assert get_path(USER, path) is MISSING
    assert not has_path(USER, path)


def test_missing_is_distinct_from_a_stored_null_and_falsy():
    assert get_path(USER, "note") is None
    assert has_path(USER, "note")
    assert not MISSING
    assert repr(MISSING) == "MISSING"


def test_a_key_holding_a_dot_is_reachable_as_a_list_of_keys():
    record = {"a.b": {"c": 1}}
    assert get_path(record, ["a.b", "c"]) == 1
    assert get_path(record, "a.b.c") is MISSING


@pytest.mark.parametrize(
    "path",
    [
        "",
        "a..b",
        ".a",
        "a.",
        ".".join(["a"] * (MAX_DEPTH + 1)),
        "a" * (MAX_CHARS + 1),
        ["a"] * (MAX_DEPTH + 1),
        ["a", None],
        ["a", True],
        [],
        42,
    ],
)
def test_unusable_paths_raise_a_value_error(path):
    with pytest.raises(PathError):
        split_path(path)
    with pytest.raises(ValueError):
        get_path(USER, path)


def test_a_huge_list_path_is_refused_without_walking_it():
    with pytest.raises(PathError):
        split_path(["a"] * 10**6)


def test_set_path_is_pure_and_copies_only_the_way_down():
    before = copy.deepcopy(USER)
    after = set_path(USER, "payment_methods.credit_card_1.amount", 50)
    assert before == USER
    assert after["payment_methods"]["credit_card_1"]["amount"] == 50
    assert after["name"] is USER["name"]  # untouched branches are shared
    assert after["flights"] is USER["flights"]
    assert after["payment_methods"] is not USER["payment_methods"]


def test_set_path_creates_missing_objects_and_replaces_list_items():
    assert set_path({}, "meta.updated_by", "agent") == {"meta": {"updated_by": "agent"}}
    out = set_path(USER, "flights.0.date", "2024-06-01")
    assert [f["date"] for f in out["flights"]] == ["2024-06-01", "2024-05-02"]
    assert USER["flights"][0]["date"] == "2024-05-01"


@pytest.mark.parametrize("path", ["name.first_name.x", "flights.5", "flights.x.date"])
def test_set_path_refuses_to_write_through_a_scalar_or_past_a_list(path):
    with pytest.raises(PathError):
        set_path(USER, path, 1)


def test_delete_path_removes_a_key_or_an_item_purely():
    before = copy.deepcopy(USER)
    out = delete_path(USER, "payment_methods.credit_card_1")
    assert out["payment_methods"] == {}
    assert delete_path(USER, "flights.0")["flights"] == [{"date": "2024-05-02"}]
    assert before == USER


def test_deleting_what_is_not_there_returns_the_value_itself():
    assert delete_path(USER, "payment_methods.gift_card_9") is USER


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=3),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text("ab", max_size=2), inner),
    max_leaves=10,
)
segments = st.lists(st.sampled_from(["a", "b", "0", "1", "ab"]), min_size=1, max_size=4)


@given(json_values, segments, json_values)
def test_set_then_get_round_trips_and_never_mutates(obj, path, value):
    before = copy.deepcopy(obj)
    try:
        out = set_path(obj, path, value)
    except PathError:
        assert obj == before
        return
    assert get_path(out, path) == value
    assert obj == before


@given(json_values, segments)
def test_get_never_raises_for_valid_paths_and_delete_removes(obj, path):
    value = get_path(obj, path)
    out = delete_path(obj, path)
    if value is MISSING:
        assert out is obj
    elif isinstance(get_path(obj, path[:-1]) if len(path) > 1 else obj, dict):
        assert get_path(out, path) is MISSING
