"""Comparing two states record by record, by identity first, judges as comparing the whole
values does: a keyed collection equals another exactly when it is equal as a JSON value,
however the two share their records."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from taskkit.sim.diff import states_equal, values_equal

leaves = st.one_of(
    st.none(), st.booleans(), st.integers(-2, 2), st.sampled_from([1.0, 0.0, 2.5]), st.text("ab", max_size=2)
)  # fmt: skip
records = st.dictionaries(st.sampled_from(["n", "on", "tag"]), leaves, max_size=3)
collections = st.dictionaries(st.sampled_from(["r1", "r2", "r3", "r4"]), records, max_size=4)


@settings(max_examples=400, deadline=None)
@given(
    collections,
    collections,
    st.lists(st.sampled_from(["r1", "r2", "r3", "r4"]), max_size=4),
    st.sampled_from(["json", "strict"]),
)
def test_a_keyed_collection_is_equal_as_its_value_is(base, other, shared, types):
    # `other`, with some of `base`'s records as the very same objects (as an episode's
    # untouched records are the initial state's)
    mixed: dict[str, Any] = dict(other)
    for key in shared:
        if key in base:
            mixed[key] = base[key]
    want = values_equal(base, mixed, types)
    assert states_equal({"c": base}, {"c": mixed}, types) is want
    assert states_equal({"c": mixed}, {"c": base}, types) is want


def test_records_shared_by_identity_need_no_comparison():
    record = {"n": 1}
    assert states_equal({"c": {"a": record, "b": {"n": 2}}}, {"c": {"a": record, "b": {"n": 2}}})
    assert not states_equal(
        {"c": {"a": record, "b": {"n": 2}}}, {"c": {"a": record, "b": {"n": True}}}
    )
