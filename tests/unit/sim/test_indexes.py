"""Indexes never go stale: random sequences of behaviour calls (reads and writes, both
collection shapes) give the same results and the same state with indexes as with a scan of
every record."""

from __future__ import annotations

import copy

from hypothesis import example, given, settings
from hypothesis import strategies as st

from taskkit.models import Behavior
from taskkit.sim import collections
from taskkit.sim.behaviors import ToolError, run_behavior

CITIES = ["Austin", "austin", "Denver", "Reno"]
ids = st.sampled_from([f"r{i}" for i in range(0, 70, 7)] + ["R7", "new-1", "x"])
cities = st.sampled_from(CITIES)
behaviors = st.one_of(
    st.builds(lambda i: {"get": "c", "id": i}, ids),
    st.builds(lambda c: {"select": "c", "where": {"city": c}}, cities),
    st.builds(lambda c: {"select": "c", "where": {"addr.city": {"eq": c}}}, cities),
    st.builds(lambda c: {"count": "c", "where": {"city": c, "n": {"gte": 10}}}, cities),
    st.builds(lambda cs: {"select": "c", "where": {"city": {"in": cs}}}, st.lists(cities)),
    st.builds(
        lambda cs, i: {"select": "c", "where": {"addr.city": {"in": cs}, "id": {"ne": i}}},
        st.lists(cities, max_size=3),
        ids,
    ),
    # several indexed conditions: the smallest's candidates narrowed by the others'
    st.builds(lambda a, b: {"select": "c", "where": {"city": a, "addr.city": b}}, cities, cities),
    st.builds(
        lambda a, cs: {"select": "c", "where": {"addr.city": {"eq": a}, "city": {"in": cs}}},
        cities,
        st.lists(cities, max_size=3),
    ),
    st.builds(
        lambda ns: {"select": "c", "where": {"n": {"in": ns}}},
        st.lists(st.sampled_from([7, 14.0, 21, True, "7", None, [7]]), max_size=3),
    ),
    st.builds(lambda i, c: {"update": "c", "id": i, "set": {"city": c}}, ids, cities),
    st.builds(lambda i, c: {"update": "c", "id": i, "set": {"addr.city": c}}, ids, cities),
    st.builds(
        lambda a, b: {"update": "c", "where": {"city": a}, "set": {"city": b}}, cities, cities
    ),
    st.builds(lambda i, c: {"insert": "c", "record": {"id": i, "city": c}}, ids, cities),
    st.builds(lambda c: {"insert": "c", "record": {"city": c}}, cities),
    st.builds(lambda i: {"delete": "c", "id": i}, ids),
    st.builds(lambda c: {"delete": "c", "where": {"addr.city": c}}, cities),
)


def _state(shape: str, size: int):
    recs = {
        f"r{i}": {"city": CITIES[i % 4], "addr": {"city": CITIES[i % 3]}, "n": i}
        for i in range(size)
    }
    if shape == "keyed":
        return {"c": recs}
    return {"c": [{"id": k, **v} for k, v in recs.items()]}


def _outcome(behavior, state):
    try:
        return run_behavior(Behavior.model_validate(behavior), {}, state)
    except ToolError as exc:
        return ("error", exc.kind)


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(["list", "keyed"]), st.integers(30, 70), st.lists(behaviors, max_size=25))
def test_calls_give_the_same_results_with_indexes_as_with_a_scan(shape, size, calls):
    indexed = _state(shape, size)
    reference = copy.deepcopy(indexed)
    for behavior in calls:
        _same_as_a_scan(behavior, indexed, reference)


def _same_as_a_scan(behavior, indexed, reference) -> None:
    """``behavior`` gives the same on ``indexed`` as on ``reference`` read by a scan."""
    got = _outcome(behavior, indexed)
    collections.SCAN_BELOW, saved = 10**12, collections.SCAN_BELOW
    try:
        want = _outcome(behavior, reference)
    finally:
        collections.SCAN_BELOW = saved
    assert got == want, behavior
    assert indexed == reference


actions = st.one_of(behaviors, st.just("fork"), st.just("back"))


_AUSTIN = {"select": "c", "where": {"city": "Austin"}}


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(["list", "keyed"]), st.integers(30, 70), st.lists(actions, max_size=30))
@example(  # a record added to a copy, then a copy of that copy
    "keyed",
    40,
    [_AUSTIN, "fork", {"insert": "c", "record": {"id": "x", "city": "Austin"}}, _AUSTIN,
     "fork", _AUSTIN, "back", {"update": "c", "id": "x", "set": {"city": "Reno"}}, _AUSTIN],
)  # fmt: skip
@example(  # the original written after its copy added a record
    "keyed",
    40,
    [_AUSTIN, "fork", {"insert": "c", "record": {"id": "x", "city": "Austin"}}, "back",
     {"insert": "c", "record": {"id": "y", "city": "Austin"}}, _AUSTIN, "back", _AUSTIN,
     {"delete": "c", "id": "x"}, _AUSTIN],
)  # fmt: skip
def test_copies_and_their_originals_stay_right_as_either_is_written(shape, size, actions):
    """As episodes copy a task's collection (``fork``: the copy carries the original's
    indexes, sharing them until it writes) and go on writing either one (``back``: the
    original again), every call gives what a scan gives."""
    indexed = _state(shape, size)
    reference = copy.deepcopy(indexed)
    kept: list[tuple[object, object]] = []
    for action in actions:
        if action == "fork":
            kept.append((indexed["c"], copy.deepcopy(reference["c"])))
            indexed["c"] = collections.clone(indexed["c"])
            continue
        if action == "back":
            if kept:
                mine = (indexed["c"], reference["c"])
                indexed["c"], reference["c"] = kept.pop(0)
                kept.append(mine)
            continue
        _same_as_a_scan(action, indexed, reference)
