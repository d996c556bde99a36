"""Reading YAML: only JSON types, positions for every value, and hostile input refused."""

from __future__ import annotations

import time

import pytest

from taskkit.io.yamlio import load_jsonl_file, load_yaml_file, load_yaml_text


def only(text: str):
    result = load_yaml_text(text, "t.yaml")
    return result.documents, [(d.line, d.col, d.rule) for d in result.diagnostics]


def test_plain_document_becomes_json_types():
    docs, diags = only("a: 1\nb: [x, 2.5, true, null]\nc: 2026-12-04\n")
    assert diags == []
    assert docs[0].data == {"a": 1, "b": ["x", 2.5, True, None], "c": "2026-12-04"}


@pytest.mark.parametrize(
    ("path", "position"),
    [
        (("a",), (1, 4)),
        (("b",), (3, 3)),
        (("b", 0, "x"), (3, 8)),
        (("b", 1), (4, 5)),
        (("b", 9), (3, 3)),  # a missing index falls back to its parent
    ],
)
def test_locate_maps_paths_to_lines(path, position):
    docs, _ = only("a: 1\nb:\n  - x: 1\n  - y\n")
    assert docs[0].locate(path) == position


def test_locate_key_points_at_the_key():
    docs, _ = only("outer:\n  inner: 5\n")
    assert docs[0].locate_key(("outer", "inner")) == (2, 3)
    assert docs[0].locate(("outer", "inner")) == (2, 10)


def test_python_tag_is_refused_not_constructed():
    _, diags = only("x: !!python/object/apply:os.system ['echo pwned']\n")
    assert diags == [(1, 4, "TK005")]


def test_unknown_local_tag_is_refused():
    _, diags = only("x: !secret abc\n")
    assert diags == [(1, 4, "TK005")]


def test_billion_laughs_is_refused_quickly():
    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, 10):
        refs = ",".join([f"*a{i - 1}"] * 9)
        lines.append(f"a{i}: &a{i} [{refs}]")
    start = time.perf_counter()
    docs, diags = only("\n".join(lines) + "\n")
    assert time.perf_counter() - start < 2
    assert docs == [] and [d[2] for d in diags] == ["TK006"]


def test_recursive_alias_is_refused():
    _, diags = only("a: &a [1, *a]\n")
    assert [d[2] for d in diags] == ["TK006"]


def test_merge_keys_work_and_explicit_keys_win():
    docs, diags = only("base: &b {x: 1, y: 2}\nc:\n  <<: *b\n  y: 3\n")
    assert diags == []
    assert docs[0].data["c"] == {"x": 1, "y": 3}


def test_duplicate_keys_are_reported():
    _, diags = only("a: 1\nb: 2\na: 3\n")
    assert diags == [(3, 1, "TK007")]


def test_syntax_error_has_position():
    _, diags = only("a: [1, 2\nb: 3\n")
    assert diags[0][2] == "TK001" and diags[0][0] >= 2


def test_invalid_utf8_points_at_the_byte(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_bytes(b"a: ok\nb: caf\xe9\n")
    result = load_yaml_file(path)
    assert [(d.line, d.col, d.rule) for d in result.diagnostics] == [(2, 7, "TK004")]


def test_oversized_file_is_not_read(tmp_path):
    path = tmp_path / "big.yaml"
    path.write_bytes(b"a: " + b"x" * 2048 + b"\n")
    result = load_yaml_file(path, max_bytes=1024)
    assert [d.rule for d in result.diagnostics] == ["TK003"]


def test_deep_nesting_is_a_diagnostic_not_a_crash():
    _, diags = only("a: " + "[" * 5000 + "]" * 5000 + "\n")
    assert [d[2] for d in diags] in (["TK006"], ["TK001"])


def test_jsonl_records_keep_their_lines(tmp_path):
    path = tmp_path / "e.jsonl"
    path.write_text('{"id": "a"}\n\n{"id": "b",}\n{"id": "c"}\n')
    records, diags = load_jsonl_file(path)
    assert [(r.line, r.data["id"]) for r in records] == [(1, "a"), (4, "c")]
    assert [(d.line, d.rule) for d in diags] == [(3, "TK008")]


@pytest.mark.parametrize(
    "line",
    [
        '{"id": "a", "n": 18446744073709551616}',  # past 64 bits: an int, not a float
        '{"id": "a", "n": -9223372036854775809}',
        '{"id": "a", "s": "\\u00e9\\ud83d\\ude00", "f": -0.0, "g": 1E2}',
    ],
)
def test_jsonl_values_are_what_json_reads(tmp_path, line):
    import json

    path = tmp_path / "entries.jsonl"
    path.write_text(line + "\n", encoding="utf-8")
    (record,), diags = load_jsonl_file(path)
    expected = json.loads(line)
    assert diags == []
    assert json.dumps(record.data) == json.dumps(expected)  # NaN-safe, and types show
    assert all(type(record.data[k]) is type(v) for k, v in expected.items())


@pytest.mark.parametrize(
    ("line", "rule"),
    [
        ('{"id": "a", "x": NaN}', "TK009"),  # json reads it; JSON has no such number
        ('{"id": "a", "y": -Infinity}', "TK009"),
        ('{"id": "a", "x": 1e400}', "TK009"),  # reads as inf
        ('{"id": "a", "s": "\\ud800"}', "TK009"),  # a lone surrogate: no UTF-8 for it
        ('{"id": "a", "k": 1, "k": 2}', "TK007"),  # duplicate key, as in YAML
        ('{"id": "a", "b": {"k": 1, "k": 2}}', "TK007"),
        ('{"id": "a", "n": ' + "9" * 5000 + "}", "TK008"),  # more digits than Python reads
    ],
)
def test_jsonl_values_json_cannot_hold_are_diagnostics(tmp_path, line, rule):
    path = tmp_path / "entries.jsonl"
    path.write_text('{"id": "ok"}\n' + line + "\n", encoding="utf-8")
    records, diags = load_jsonl_file(path)
    assert [r.data["id"] for r in records] == ["ok"]
    assert [(d.line, d.rule) for d in diags] == [(2, rule)]


def test_a_value_that_only_looks_like_a_duplicate_key_is_not_one(tmp_path):
    path = tmp_path / "entries.jsonl"
    path.write_text('{"id": "a", "note": "\\"k\\": 1, \\"k\\": 2"}\n', encoding="utf-8")
    records, diags = load_jsonl_file(path)
    assert diags == [] and records[0].data["note"] == '"k": 1, "k": 2'


@pytest.mark.parametrize("text", ["a: .inf\n", "a: -.Inf\n", "a: .nan\n", "a: [1, .NaN]\n"])
def test_yaml_numbers_that_are_not_finite_are_diagnostics(text):
    _, diags = only(text)
    assert [d[2] for d in diags] == ["TK009"]
