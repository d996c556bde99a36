"""Limits on what the model sends: the JSON reader, the value check, and every format's
parse, each limit at its edge."""

from __future__ import annotations

import json
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from taskkit.sim.formats import FORMATS
from taskkit.sim.limits import (
    DEFAULT_LIMITS,
    LimitExceeded,
    Limits,
    _digit_run_in,
    check_value,
    load_json,
    recordable,
)
from taskkit.sim.verify import ToolCall


def test_ordinary_json_reads_as_json_does():
    text = '{"city": "Oslo", "days": [1, 2.5, -3e2], "ok": true, "none": null, "é": "ü"}'
    assert load_json(text) == json.loads(text)
    assert load_json("  [1]\n") == [1]
    assert load_json('{"a": 1} tail', prefix=True) == ({"a": 1}, 8)


@pytest.mark.parametrize("text", ["{", '{"a": 1} x', "", "[1,]"])
def test_text_that_is_not_json_is_a_decode_error(text):
    with pytest.raises(json.JSONDecodeError):
        load_json(text)


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("[" * 65 + "]" * 65, "nests deeper than 64 levels"),
        ("[" * 5000 + "]" * 5000, "nests deeper than 64 levels"),
        ('{"a":' * 3000 + "1" + "}" * 3000, "nests deeper than 64 levels"),
        ("1" * 101, "longer than 100 digits"),
        ("-" + "9" * 5000, "longer than 100 digits"),
        ("1e400", "not a finite JSON number"),
        ("-1e99999", "not a finite JSON number"),
        ("NaN", "NaN, which is not a finite JSON number"),
        ('{"x": Infinity}', "Infinity, which is not a finite JSON number"),
        ("[-Infinity]", "-Infinity, which is not a finite JSON number"),
        ('"\\ud800"', "lone surrogate"),
        ('["ok", "x\\udfffy"]', "lone surrogate"),
        ('"\ud800"', "lone surrogate"),
        (json.dumps("x" * 262_145), "string of 262,145 characters"),
    ],
)
def test_json_over_a_limit_is_refused_with_a_reason(text, says):
    with pytest.raises(LimitExceeded, match=says):
        load_json(text)


@pytest.mark.parametrize(
    "text",
    [
        "[" * 64 + "]" * 64,
        "9" * 100,
        "1e308",
        '"\\ud83d\\ude00"',  # a surrogate pair is one character, not a lone surrogate
        json.dumps("x" * 262_144),
        json.dumps({"digits": "1" * 5000}),  # digits in a string are not a number
    ],
)
def test_json_at_a_limit_passes(text):
    assert load_json(text) == json.loads(text)


def test_the_limits_are_configurable():
    tight = Limits(depth=2, number_chars=3, string_chars=4, response_chars=30)
    with pytest.raises(LimitExceeded, match="deeper than 2"):
        load_json("[[[1]]]", tight)
    with pytest.raises(LimitExceeded, match="longer than 3 digits"):
        load_json("[1234]", tight)
    with pytest.raises(LimitExceeded, match="string of 5 characters"):
        load_json('["abcde"]', tight)
    with pytest.raises(LimitExceeded, match="the limit is 30"):
        load_json(json.dumps(list(range(20))), tight)
    assert load_json("[[1]]", tight) == [[1]]


@pytest.mark.parametrize(
    ("value", "says"),
    [
        (float("nan"), "NaN"),
        ({"n": float("inf")}, "Infinity"),
        ([10**400], "longer than 100 digits"),
        ({"s": "\ud800"}, "lone surrogate"),
        ({1: "x"}, "key that is not a string"),
        ({"b": b"x"}, "bytes, which is not a JSON value"),
        ([{1, 2}], "frozenset|set"),
        ((1, 2), "tuple"),
    ],
)
def test_python_values_that_are_not_json_are_named(value, says):
    problem = check_value(value)
    assert problem is not None
    assert any(part in problem for part in says.split("|"))


def test_the_value_check_does_not_recurse():
    value: object = 1
    for _ in range(100_000):
        value = [value]
    assert check_value(value) == "nests deeper than 64 levels"


def test_what_is_recorded_of_a_bad_response_is_json():
    assert recordable("a\ud800b") == "a\ufffdb"
    cut = recordable("x" * 50, Limits(response_chars=10))
    assert cut.startswith("x" * 10) and "50 characters" in cut
    message = recordable({"content": "hi", "tool_calls": [{"x": {1, 2}}]})
    assert message["content"] == "hi" and "not a JSON value" in message["unrecorded"]
    assert recordable(b"raw") == "(a bytes, not a response)"
    good = {"content": None, "tool_calls": []}
    assert recordable(good) is good


def _write(fmt, n_calls, name="a", args=None):
    module = FORMATS[fmt]
    calls = [ToolCall(name, args if args is not None else {"x": 1}) for _ in range(n_calls)]
    if fmt == "react":
        return module.write(calls=calls[:1])
    return module.write(calls=calls)


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_each_format_refuses_a_response_over_a_limit(fmt):
    module = FORMATS[fmt]
    long_name = _write(fmt, 1, name="n" * 257)
    parsed = module.parse(long_name)
    assert (parsed.error_type, parsed.calls) == ("limit_exceeded", []), parsed
    assert "tool name is 257 characters; the limit is 256" in str(parsed.error)
    assert module.parse(_write(fmt, 1, name="n" * 256)).error is None

    big = module.parse(_write(fmt, 1, args={"s": "x" * 2_000_000}))
    assert big.error_type == "limit_exceeded" and "1,048,576" in str(big.error), big.error

    tight = Limits(response_chars=100_000)
    assert module.parse(_write(fmt, 1, args={"s": "x" * 200_000}), tight).error_type == (
        "limit_exceeded"
    )


@pytest.mark.parametrize("fmt", ["openai", "hermes", "xlam"])
def test_calls_per_response_are_limited(fmt):
    module = FORMATS[fmt]
    assert module.parse(_write(fmt, 64)).error is None
    parsed = module.parse(_write(fmt, 65))
    assert parsed.error_type == "limit_exceeded"
    assert "65 tool calls in one response; the limit is 64" in str(parsed.error)
    assert module.parse(_write(fmt, 3), Limits(calls=2)).error_type == "limit_exceeded"


@pytest.mark.parametrize("fmt", ["hermes", "xlam", "react"])
@pytest.mark.parametrize(
    ("args", "says"),
    [
        ("[" * 2000 + "]" * 2000, "nests deeper"),
        ("9" * 5000, "longer than 100 digits"),
        ("1e400", "not a finite JSON number"),
        ("NaN", "NaN"),
        ('"\\ud800"', "lone surrogate"),
    ],
)
def test_text_formats_refuse_hostile_arguments_while_parsing(fmt, args, says):
    text = {
        "hermes": '<tool_call>{"name": "a", "arguments": {"v": ' + args + "}}</tool_call>",
        "xlam": '{"tool_calls": [{"name": "a", "arguments": {"v": ' + args + "}}]}",
        "react": 'Action: a\nAction Input: {"v": ' + args + "}",
    }[fmt]
    parsed = FORMATS[fmt].parse(text)
    assert parsed.error_type == "limit_exceeded", parsed
    assert says in str(parsed.error)


def test_default_limits_are_the_documented_ones():
    assert (
        Limits(
            response_chars=1_048_576,
            depth=64,
            number_chars=100,
            string_chars=262_144,
            name_chars=256,
            calls=64,
        )
        == DEFAULT_LIMITS
    )


@settings(max_examples=400, deadline=None)
@given(
    st.text(st.sampled_from("0123456789 ,a\u0660é"), max_size=40),
    st.integers(min_value=0, max_value=12),
)
def test_a_long_number_is_looked_for_as_the_digit_run_search_finds_it(text, limit):
    """Counting the digits first (when there are too few for a run) answers as the
    search does, digits of other scripts (which JSON numbers never hold) not counted."""
    limits = Limits(number_chars=limit)
    long_run = re.search(f"[0-9]{{{limit + 1}}}", text) is not None
    assert _digit_run_in(text, limits) is long_run
    if not long_run:
        value = json.dumps({"a": text})
        assert load_json(value, limits) == {"a": text}
