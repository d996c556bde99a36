"""The data files' JSON text: compact, UTF-8, the same bytes everywhere, and read back whole."""

from __future__ import annotations

import json

import pytest

from taskkit import jsonlines


@pytest.mark.parametrize(
    ("value", "text"),
    [
        ({"a": [1, 2.5, None, True], "b": "x"}, '{"a":[1,2.5,null,true],"b":"x"}'),
        ({"city": "Zürich", "note": "日本"}, '{"city":"Zürich","note":"日本"}'),
        ({1: "one"}, '{"1":"one"}'),  # as json does
        ({"n": 2**70}, '{"n":1180591620717411303424}'),  # beyond orjson's 64 bits
    ],
)
def test_compact_utf8_text(value, text):
    assert jsonlines.dumps(value) == text
    assert jsonlines.line(value) == text + "\n"
    assert json.loads(text) == json.loads(json.dumps(value))


def test_what_is_written_reads_back_equal():
    record = {"steps": [{"samples": [{"temperature": 1 / 3, "passed": False}]}], "t": "é"}
    assert jsonlines.loads(jsonlines.line(record)) == record
