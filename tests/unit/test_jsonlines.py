"""The data files' JSON text: compact, UTF-8, the same bytes everywhere, and read back whole."""

from __future__ import annotations

import json

import pytest

from taskkit.io import jsonlines
from taskkit.io.jsonlines import JsonlError, JsonLines
from taskkit.rule_ids import JSONL_SYNTAX


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


# -- reading: one policy for every reader of JSON Lines ---------------------------------------


def read(data: bytes, **options):
    lines = JsonLines(data, name="f.jsonl", **options)
    return list(lines), lines


def test_a_torn_last_line_is_left_out_and_noted_never_an_error():
    got, lines = read(b'{"a":1}\n{"b":2}\n{"c": [1, 2')
    assert got == [(1, {"a": 1}), (2, {"b": 2})]
    assert lines.torn == 3 and not lines.bad
    assert lines.torn_note(len(got)) == (
        "f.jsonl:3: the last line is cut off (a run still writing, or one that stopped "
        "mid-record); the 2 complete lines before it are read"
    )


def test_a_last_line_without_its_newline_that_is_whole_json_is_a_line():
    got, lines = read(b'{"a":1}\n{"b":2}')
    assert got == [(1, {"a": 1}), (2, {"b": 2})]
    assert lines.torn == 0 and lines.torn_note(2) is None


def test_a_bad_line_in_the_middle_is_a_diagnostic_at_its_line_and_column():
    with pytest.raises(JsonlError) as caught:
        read(b'{"a":1}\n\n{"b" 2}\n{"c":3}\n')
    d = caught.value.diagnostic
    assert (d.path, d.line, d.col, d.rule) == ("f.jsonl", 3, 6, JSONL_SYNTAX)
    assert d.message.startswith("line 3 is not valid JSON")


def test_a_reader_that_goes_on_collects_every_bad_line_and_reads_the_rest():
    got, lines = read(b'[1]\nnope\n{"a":1}\nNaN\n', strict=False)
    assert got == [(1, [1]), (3, {"a": 1})]
    assert [(d.line, d.rule) for d in lines.bad] == [(2, JSONL_SYNTAX), (4, JSONL_SYNTAX)]


def test_what_the_reader_does_not_accept_is_a_bad_line_with_its_rule_and_hint():
    def objects(value):
        return None if isinstance(value, dict) else ("TEST", "not an object")

    with pytest.raises(JsonlError) as caught:
        read(b'{"a":1}\n[2]\n', accept=objects, hint="objects only")
    d = caught.value.diagnostic
    assert (d.line, d.rule, d.message, d.hint) == (2, "TEST", "not an object", "objects only")


def test_numbers_past_64_bits_read_exactly_when_asked(tmp_path):
    path = tmp_path / "big.jsonl"
    path.write_bytes(b'{"n":123456789012345678901234567890}\n')
    assert list(JsonLines(path, exact=True)) == [(1, {"n": 123456789012345678901234567890})]


def test_a_line_is_what_ends_with_a_newline_not_a_unicode_line_separator():
    got, _ = read('{"t":"a\u2028b"}\n'.encode())
    assert got == [(1, {"t": "a\u2028b"})]
