"""The verifier's answer to each kind of call, as the agent would read it."""

from __future__ import annotations

import pytest

from taskkit.sim.verify import ToolCall, Verifier

WEATHER = {
    "type": "object",
    "properties": {
        "city": {"type": "string"},
        "unit": {"type": "string", "enum": ["C", "F"]},
        "days": {"type": "integer", "minimum": 1},
    },
    "required": ["city"],
    "additionalProperties": False,
}
VERIFIER = Verifier({"get_weather": WEATHER, "get_time": {"type": "object"}})


@pytest.mark.parametrize(
    ("arguments", "error_type", "message"),
    [
        ('{"city": "Oslo", "unit": "C"}', None, ""),
        ('  {"city": "Oslo", "days": 2.0}\n', None, ""),
        (
            '{"city": "Oslo", "un',
            "unparseable",
            "arguments are not valid JSON: the object is not closed (was the output cut off?)",
        ),
        (
            '{"city": "Oslo",}',
            "unparseable",
            "arguments are not valid JSON: Expecting property name enclosed in double quotes",
        ),
        ('["Oslo"]', "args_not_object", "arguments must be a JSON object, got array"),
        ("", "missing_required", 'get_weather: missing required parameter "city" (at city)'),
        (
            {"city": "Oslo", "zip": "0150"},
            "unexpected_parameter",
            'get_weather: unexpected parameter "zip" (at zip)',
        ),
        (
            {"city": "Oslo", "days": True},
            "type_error",
            "get_weather: expected integer, got boolean true (at days)",
        ),
        (
            {"city": "Oslo", "unit": "K"},
            "enum_error",
            'get_weather: "K" is not one of "C", "F" (at unit)',
        ),
        (
            {"city": "Oslo", "days": 0},
            "range_error",
            "get_weather: 0 is below the minimum 1 (at days)",
        ),
    ],
)
def test_verdicts(arguments, error_type, message):
    verdict = VERIFIER.verify(ToolCall("get_weather", arguments))
    assert (verdict.ok, verdict.error_type, verdict.message) == (
        error_type is None,
        error_type,
        message,
    )


def test_an_unknown_tool_names_the_nearest_offered_one():
    verdict = VERIFIER.verify(ToolCall("get_wether", {"city": "Oslo"}))
    assert verdict.error_type == "unknown_tool"
    assert verdict.message == 'unknown tool "get_wether"; did you mean "get_weather"?'


# -- at scale, and against broken schemas --------------------------------------------------


def test_an_unknown_tool_far_from_every_name_gets_the_closest_by_trigrams():
    verifier = Verifier({"search_homes": {}, "schedule_viewing": {}, "get_time": {}})
    assert verifier.verify(ToolCall("home_search", {})).message == (
        'unknown tool "home_search"; did you mean "search_homes"?'
    )
    assert verifier.verify(ToolCall("zzzz", {})).message == 'unknown tool "zzzz"'


def test_the_nearest_name_index_is_built_once_per_toolset():
    from taskkit.sim.verify import shared_nearest

    tools = {f"tool_{i}": {} for i in range(50)}
    first, second = Verifier(tools), Verifier(dict(reversed(tools.items())))
    assert first.verify(ToolCall("tool_7x", {})).error_type == "unknown_tool"
    assert second.verify(ToolCall("tool_7y", {})).error_type == "unknown_tool"
    assert shared_nearest(tools) is shared_nearest(reversed(tools))
    assert first._nearest is second._nearest


def test_a_huge_unknown_name_costs_nothing_to_look_up():
    from taskkit.text.nearest import NearestNames

    names = NearestNames(["get_weather", "get_time"])
    assert names.nearest("g" * 100_000) is None
    verdict = VERIFIER.verify(ToolCall("g" * 100_000, {}))
    assert verdict.error_type == "limit_exceeded"
    assert "tool name is 100,000 characters; the limit is 256" in verdict.message


def test_one_verifier_per_task_living_as_long_as_the_task_and_memos_stay_bounded():
    import gc

    from taskkit.sim import pertask, verify

    class Env:
        def __init__(self, name, parameters):
            self.name, self.parameters = name, parameters

    class Task:
        def __init__(self):
            self.environment = [Env("a", {"type": "object"})]

    task, other = Task(), Task()
    assert verify.shared_verifier(task) is verify.shared_verifier(task)
    assert verify.shared_verifier(other) is not verify.shared_verifier(task)
    held = len(pertask._BY_TASK)
    del task, other
    gc.collect()
    assert len(pertask._BY_TASK) == held - 2
    for i in range(verify._BY_ID.size + 10):  # freshly loaded schemas, one per task
        verify.shared_validator({"type": "object", "properties": {f"p{i % 3}": {}}})
    assert len(verify._BY_ID) <= verify._BY_ID.size
    assert len(verify._BY_TEXT) <= verify._BY_TEXT.size


@pytest.mark.parametrize(
    "schema",
    [
        {"type": "object", "properties": {"x": {"$ref": "#/$defs/missing"}}},
        {"type": "object", "properties": {"x": {"type": "nope"}}},
        {"type": "object", "properties": {"x": {"minimum": "five"}}},
        {"type": "object", "properties": {"x": {"pattern": "("}}},
    ],
)
def test_a_schema_that_is_not_json_schema_is_a_schema_error_verdict(schema):
    verdict = Verifier({"t": schema}).verify(ToolCall("t", {"x": 3}))
    assert verdict.error_type == "schema_error", verdict
    assert "the task is at fault, not the call" in verdict.message


def test_messages_use_json_terms():
    verifier = Verifier(
        {
            "t": {
                "type": "object",
                "properties": {
                    "n": {"type": "integer"},
                    "s": {"type": "string"},
                    "f": {"type": "number"},
                },
            }
        }
    )
    assert verifier.verify(ToolCall("t", {"n": None})).message == (
        "t: expected integer, got null (at n)"
    )
    assert verifier.verify(ToolCall("t", {"s": True})).message == (
        "t: expected string, got boolean true (at s)"
    )
    assert verifier.verify(ToolCall("t", {"s": [None, False]})).message == (
        "t: expected string, got array [null, false] (at s)"
    )
    assert verifier.verify(ToolCall("t", {"n": "5"})).message == (
        't: expected integer, got string "5" (at n)'
    )


@pytest.mark.parametrize("value", [float("nan"), float("inf"), float("-inf")])
def test_nan_and_infinity_are_not_numbers(value):
    verifier = Verifier({"t": {"type": "object", "properties": {"f": {"type": "number"}}}})
    verdict = verifier.verify(ToolCall("t", {"f": value}))
    assert verdict.error_type == "type_error"
    assert "expected number, got number" in verdict.message
    bounded = Verifier(
        {"t": {"type": "object", "properties": {"f": {"type": "number", "maximum": 5}}}}
    )
    assert not bounded.verify(ToolCall("t", {"f": value})).ok


COUNTRIES = [f"country_{i:03d}" for i in range(200)] + ["Norway", "Sweden"]


def test_an_enum_error_lists_the_nearest_allowed_values_first():
    verifier = Verifier(
        {"t": {"type": "object", "properties": {"c": {"type": "string", "enum": COUNTRIES}}}}
    )
    message = verifier.verify(ToolCall("t", {"c": "Norwey"})).message
    assert message.startswith('t: "Norwey" is not one of "Norway", ')
    assert "(nearest first; 194 more)" in message
    assert verifier.verify(ToolCall("t", {"c": "norway"})).message.startswith(
        't: "norway" is not one of "Norway", '
    )
    short = Verifier({"t": {"type": "object", "properties": {"c": {"enum": [1, 2, None]}}}})
    assert short.verify(ToolCall("t", {"c": 3})).message == "t: 3 is not one of 1, 2, null (at c)"


def test_the_email_format_check_is_linear():
    import time

    verifier = Verifier(
        {"t": {"type": "object", "properties": {"e": {"type": "string", "format": "email"}}}}
    )
    for hostile in ("a@" + "." * 60_000 + "@", "@" * 60_000, "a@" + "b." * 30_000 + " "):
        start = time.perf_counter()
        verdict = verifier.verify(ToolCall("t", {"e": hostile}))
        assert verdict.error_type == "format_error"
        assert time.perf_counter() - start < 1.0
    for good, ok in [("a@b.c", True), ("a@.c", False), ("a b@c.d", False), ("a@b", False)]:
        assert verifier.verify(ToolCall("t", {"e": good})).ok is ok, good


def test_a_schema_pattern_runs_in_linear_time():
    import time

    verifier = Verifier(
        {"t": {"type": "object", "properties": {"s": {"type": "string", "pattern": "^(a+)+$"}}}}
    )
    start = time.perf_counter()
    verdict = verifier.verify(ToolCall("t", {"s": "a" * 50_000 + "b"}))
    assert verdict.error_type == "format_error"
    assert time.perf_counter() - start < 1.0
    assert verifier.verify(ToolCall("t", {"s": "aaa"})).ok


def test_a_pattern_re2_cannot_run_is_checked_on_short_text_only():
    verifier = Verifier(
        {"t": {"type": "object", "properties": {"s": {"type": "string", "pattern": r"(a)\1"}}}}
    )
    assert verifier.verify(ToolCall("t", {"s": "xaay"})).ok
    assert verifier.verify(ToolCall("t", {"s": "xay"})).error_type == "format_error"
    long = verifier.verify(ToolCall("t", {"s": "aa" + "x" * 5_000}))
    assert long.error_type == "format_error" and "too long to match" in long.message


@pytest.mark.parametrize(
    ("arguments", "says"),
    [
        ("[" * 2000 + "]" * 2000, "nests deeper than 64 levels"),
        ('{"city": ' + "9" * 5000 + "}", "longer than 100 digits"),
        ('{"city": 1e400}', "not a finite JSON number"),
        ('{"city": NaN}', "NaN"),
        ('{"city": "\\ud800"}', "lone surrogate"),
    ],
)
def test_hostile_argument_text_is_a_limit_verdict(arguments, says):
    verdict = VERIFIER.verify(ToolCall("get_weather", arguments))
    assert verdict.error_type == "limit_exceeded"
    assert says in verdict.message


def test_deep_python_arguments_are_a_verdict_not_a_recursion_error():
    value: object = 1
    for _ in range(100_000):
        value = [value]
    verifier = Verifier(
        {"t": {"type": "object", "properties": {"a": {"type": "array", "uniqueItems": True}}}}
    )
    verdict = verifier.verify(ToolCall("t", {"a": [value, value]}))
    assert not verdict.ok
    assert verdict.error_type in ("limit_exceeded", "range_error")


def test_a_pattern_in_a_schema_outside_the_compiled_set_runs_on_re2_too():
    import time

    schema = {
        "type": "object",
        "properties": {"s": {"type": "string", "pattern": "^(a+)+$"}},
        "dependentRequired": {},  # not compiled to closures: jsonschema checks this one
    }
    verifier = Verifier({"t": schema})
    start = time.perf_counter()
    verdict = verifier.verify(ToolCall("t", {"s": "a" * 50_000 + "b"}))
    assert verdict.error_type == "format_error"
    assert time.perf_counter() - start < 1.0
    assert verifier.verify(ToolCall("t", {"s": "aa"})).ok
