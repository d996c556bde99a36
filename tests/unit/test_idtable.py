"""A run's table of task ids costs a few bytes an id beyond the ids' own text, whatever
the run's length, and reads back every id as it went in."""

from __future__ import annotations

import tracemalloc
from array import array

import pytest

from taskkit.compiler.idtable import IdTable

IDS = [f"airline_{i % 7:03d}/audit_bookings_{i:05d}@2#portland-{i}" for i in range(20_000)]


def test_a_table_gives_back_every_id_in_order():
    table = IdTable.of(IDS)
    assert len(table) == len(IDS)
    assert table == IDS and list(table) == IDS
    assert table[0] == IDS[0] and table[-1] == IDS[-1]
    assert table[5:9] == IDS[5:9]
    with pytest.raises(IndexError):
        table[len(IDS)]


def test_ids_that_are_not_plain_ascii_round_trip():
    odd = ["ünïcode/tâsk", "", "lone\ud800surrogate", "emoji/🙂"]
    assert IdTable.of(odd) == odd


def test_a_table_holds_its_ids_text_and_eight_bytes_an_id():
    text = sum(len(i.encode()) for i in IDS)
    ids = list(IDS)  # the strings the table is built from are not counted
    tracemalloc.start()
    try:
        table = IdTable.of(ids)
        held, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert table.nbytes() == text + 8 * len(IDS)
    # a list of the same strings holds ~100 bytes an id: the table, ~46 (text + 8)
    assert held <= table.nbytes() * 1.1 + 4096
    assert peak <= 3 * table.nbytes()


@pytest.mark.parametrize(
    "ends",
    [[3, 2], [2, 99], [1, 2]],
    ids=["backwards", "past-the-end", "short-of-the-end"],
)
def test_a_table_read_from_a_file_must_add_up(ends):
    assert IdTable.checked(b"abc", array("q", ends)) is None
    assert IdTable.checked(b"abc", array("q", [1, 3])) == ["a", "bc"]


def test_a_table_read_from_a_file_must_be_text():
    assert IdTable.checked("é".encode(), array("q", [1, 2])) is None  # é cut in two
    assert IdTable.checked(b"\xff", array("q", [1])) is None
