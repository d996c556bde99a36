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
