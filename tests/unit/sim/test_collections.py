"""Collections in both shapes (a list of records with ids, an object keyed by id), exact id
matching, and indexes that never go stale: random operation sequences against a scanning
reference must give the same answers."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from taskkit.sim import collections as colls
from taskkit.sim.collections import (
    SCAN_BELOW,
    clone,
    entries,
    equal_keys,
    forget,
    locate,
    lookup,
    member_keys,
    new_id,
    put,
    record_id,
    records,
    remove,
)

LISTED = [{"id": "u1", "name": "Ann"}, {"id": "u2", "name": "Bo"}, "not a record"]
KEYED = {"u1": {"name": "Ann"}, "u2": {"name": "Bo"}, "junk": 3}


@pytest.mark.parametrize("coll", [LISTED, KEYED], ids=["list", "keyed"])
def test_both_shapes_iterate_records_and_find_them_by_id(coll):
    assert [r["name"] for r in records(coll)] == ["Ann", "Bo"]
    assert lookup(coll, "u2")["name"] == "Bo"
    assert lookup(coll, "u3") is None
    assert [record_id(coll, k, r) for k, r in entries(coll)] == ["u1", "u2"]


@pytest.mark.parametrize("coll", [LISTED, KEYED], ids=["list", "keyed"])
@pytest.mark.parametrize("rid", ["U1", " u1", "u1 ", None, 1, True, ["u1"], {"u1": 1}])
def test_ids_match_exactly(coll, rid):
    assert lookup(coll, rid) is None


def test_numeric_ids_compare_by_value_but_booleans_are_not_numbers():
    coll = [{"id": 1, "v": "one"}, {"id": True, "v": "true"}, {"id": 2.0, "v": "two"}]
    assert lookup(coll, 1.0)["v"] == "one"
    assert lookup(coll, True)["v"] == "true"
    assert lookup(coll, 2)["v"] == "two"
    assert lookup(coll, False) is None


def test_put_replaces_or_appends_and_gives_list_records_their_id():
    coll = [dict(r) if isinstance(r, dict) else r for r in LISTED]
    assert put(coll, "u2", {"name": "Bea"}) == 1
    assert coll[1] == {"id": "u2", "name": "Bea"}
    assert put(coll, "u9", {"name": "Cy"}) == 3
    assert list(coll[3]) == ["id", "name"]


def test_put_on_a_keyed_object_uses_the_key_and_adds_no_id_field():
    coll = dict(KEYED)
    put(coll, "u3", {"name": "Cy"})
    assert coll["u3"] == {"name": "Cy"}
    put(coll, 7, {"name": "Di"})
    assert coll["7"] == {"name": "Di"}
    assert lookup(coll, 7) is coll["7"]  # a whole number names the key of its digits
    assert lookup(coll, 7.0) is None
    with pytest.raises(ValueError):
        put(coll, None, {})


@pytest.mark.parametrize("coll", [LISTED, KEYED], ids=["list", "keyed"])
def test_remove_takes_the_record_out_and_reports_a_miss(coll):
    owned = clone(coll)
    assert remove(owned, "u1")["name"] == "Ann"
    assert lookup(owned, "u1") is None
    assert remove(owned, "u1") is None
    assert lookup(coll, "u1") is not None  # the original is untouched


@pytest.mark.parametrize("shape", ["list", "keyed"])
def test_new_id_is_the_first_free_number_from_the_size_on(shape):
    ids = ["o-3", "o-4", "o-6"]
    coll = {i: {} for i in ids} if shape == "keyed" else [{"id": i} for i in ids]
    assert new_id(coll, "o-") == "o-5"
    assert new_id([], "o-") == "o-1"


def test_clone_is_shallow_and_leaves_the_original_alone():
    big = [{"id": f"r{i}", "n": i} for i in range(SCAN_BELOW * 4)]
    assert lookup(big, "r40")["n"] == 40  # builds the index
    copy = clone(big)
    assert copy is not big and copy[0] is big[0]
    put(copy, "r40", {"n": -1})
    assert lookup(copy, "r40")["n"] == -1
    assert lookup(big, "r40")["n"] == 40


def test_an_index_survives_a_change_made_behind_its_back_without_wrong_answers():
    big = [{"id": f"r{i}", "k": i % 3} for i in range(SCAN_BELOW * 4)]
    assert locate(big, "r10") == 10
    big.insert(0, {"id": "first", "k": 0})  # not through put: positions moved
    assert lookup(big, "r10")["id"] == "r10"
    assert lookup(big, "first")["id"] == "first"
    big[5] = {"id": "swapped", "k": 9}  # same size: what the index finds is checked again
    assert lookup(big, "r4") is None
    forget(big)  # (a record new behind the index's back may be missed until then)
    assert lookup(big, "swapped")["id"] == "swapped"


def test_equality_keys_list_matching_records_in_order():
    big = {f"k{i}": {"cabin": ["basic", "economy"][i % 2], "n": i} for i in range(100)}
    keys = equal_keys(big, "cabin", "economy")
    assert keys == [f"k{i}" for i in range(1, 100, 2)]
    assert equal_keys(big, "cabin", "Economy") == []
    assert equal_keys(big, "cabin", ["economy"]) is None  # not indexable: scan
    assert equal_keys({"k": {"cabin": "x"}}, "cabin", "x") is None  # small: scan


def test_indexes_are_bounded_in_number():
    for _ in range(colls._MAX_INDEXED * 2):
        lookup([{"id": i} for i in range(SCAN_BELOW)], 3)
    assert len(colls._INDEXES) <= colls._MAX_INDEXED


# --- differential: indexed answers equal a scan, whatever the writes ---------------------

ids = st.sampled_from(["a", "b", "c", "A", 1, 1.0, 2, True, "d"])
values = st.sampled_from(["x", "y", "X", 1, 1.0, True, None, 0, False])
record_st = st.fixed_dictionaries(
    {}, optional={"v": values, "w": st.fixed_dictionaries({"z": values})}
)

operations = st.lists(
    st.one_of(
        st.tuples(st.just("put"), ids, record_st),
        st.tuples(st.just("remove"), ids, st.none()),
        st.tuples(st.just("clone"), st.none(), st.none()),
        st.tuples(st.just("lookup"), ids, st.none()),
        st.tuples(st.just("eq"), st.sampled_from(["v", "w.z"]), values),
    ),
    max_size=40,
)


def _same(a, b):
    return a == b and type(a) is type(b)


def _scan_lookup(coll, rid):
    from taskkit.sim.records import eq_key

    want = eq_key(rid)
    if isinstance(coll, dict):
        return coll.get(rid) if isinstance(rid, str) else None
    for rec in coll:
        if isinstance(rec, dict) and want is not None and eq_key(rec.get("id", ...)) == want:
            return rec
    return None


def _scan_equal(coll, path, value):
    from taskkit.sim.paths import MISSING, get_path
    from taskkit.sim.records import eq_key

    out = []
    for key, rec in entries(coll):
        got = get_path(rec, path)
        if got is not MISSING and eq_key(got) == eq_key(value):
            out.append(key)
    return out


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(["list", "keyed"]), st.integers(0, 80), operations)
def test_indexed_answers_equal_a_scan_after_any_writes(shape, size, ops):
    if shape == "keyed":
        coll = {f"s{i}": {"v": ["x", "y"][i % 2]} for i in range(size)}
    else:
        coll = [{"id": f"s{i}", "v": ["x", 1][i % 2]} for i in range(size)]
    for op, arg, extra in ops:
        if op == "put":
            if shape == "keyed" and not isinstance(arg, str):
                continue
            put(coll, arg, extra)
        elif op == "remove":
            got = remove(coll, arg)
            assert got is None or isinstance(got, dict)
        elif op == "clone":
            coll = clone(coll)
        elif op == "lookup":
            got = lookup(coll, arg)
            want = _scan_lookup(coll, arg)
            assert got is want
        else:
            keys = equal_keys(coll, arg, extra)
            scanned = _scan_equal(coll, arg, extra)
            if keys is not None:
                assert keys == scanned
        for probe in ("a", 1, "s3", "s40"):
            assert lookup(coll, probe) is _scan_lookup(coll, probe)


pool_operations = st.lists(
    st.tuples(
        st.sampled_from(["put", "remove", "clone", "eq", "in"]),
        st.integers(0, 3),  # which container of the pool (modulo its size)
        st.sampled_from(["s0", "s1", "s2", "s3", "a", 1, True]),
        record_st,
        st.sampled_from(["v", "w.z"]),
        st.lists(values, max_size=3),
    ),
    max_size=40,
)


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(["list", "keyed"]), st.integers(30, 60), pool_operations)
def test_copies_and_their_originals_answer_as_a_scan_whichever_is_written(shape, size, ops):
    """A copy shares its original's equality tables (and builds missing ones there while
    neither has been written): writes to either, in any order, never show in the other's
    answers."""
    if shape == "keyed":
        first = {f"s{i}": {"v": ["x", "y"][i % 2], "w": {"z": i % 3}} for i in range(size)}
    else:
        first = [{"id": f"s{i}", "v": ["x", 1][i % 2], "w": {"z": i % 3}} for i in range(size)]
    pool: list[Any] = [first]
    for op, which, rid, record, path, wanted in ops:
        coll = pool[which % len(pool)]
        if op == "put":
            if shape == "keyed" and not isinstance(rid, str):
                continue
            put(coll, rid, record)
        elif op == "remove":
            remove(coll, rid)
        elif op == "clone":
            pool.append(clone(coll))
        elif op == "eq":
            for value in wanted[:1]:
                keys = equal_keys(coll, path, value)
                assert keys is None or keys == _scan_equal(coll, path, value)
        else:
            keys = member_keys(coll, path, wanted)
            scanned = sorted(
                {k for v in wanted for k in _scan_equal(coll, path, v)}, key=_order(coll)
            )
            assert keys is None or keys == scanned


def _order(coll):
    """Keys sorted as the collection holds them."""
    where = {key: n for n, (key, _) in enumerate(entries(coll))}
    return where.__getitem__
