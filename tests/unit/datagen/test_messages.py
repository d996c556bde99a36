"""A step as chat messages: a sample parsed as tool calls stays tool calls whatever its
verdict; only output that is not a tool call is text, exactly as written."""

from __future__ import annotations

import json

import pytest

from taskkit.datagen.messages import assistant_message, call_arguments, step_messages


def call(name, arguments, error_type=None, observation="ok"):
    return {
        "name": name,
        "arguments": arguments,
        "verified": error_type is None,
        "error_type": error_type,
        "observation": observation,
        "findings": [],
    }


def step(calls=(), answer=None, response=None, thought=None, errors=()):
    return {
        "index": 0,
        "response": response,
        "thought": thought,
        "answer": answer,
        "calls": list(calls),
        "score": 0 if errors else 1,
        "errors": list(errors),
    }


@pytest.mark.parametrize(
    ("raw", "as_object", "as_string"),
    [
        ({"city": "Austin"}, {"city": "Austin"}, '{"city": "Austin"}'),
        ('{"city":"Austin"}', {"city": "Austin"}, '{"city":"Austin"}'),  # kept as written
        ('{"city": "Aus', '{"city": "Aus', '{"city": "Aus'),  # not JSON
        ('["Austin", 2]', '["Austin", 2]', '["Austin", 2]'),  # JSON, not an object
        (["Austin", 2], ["Austin", 2], '["Austin", 2]'),
        ("", "", ""),
        (None, None, "null"),
        ({"q": "Zürich"}, {"q": "Zürich"}, '{"q": "Zürich"}'),
    ],
)
def test_call_arguments_keep_what_the_model_wrote(raw, as_object, as_string):
    assert call_arguments(raw, "object") == as_object
    assert call_arguments(raw, "string") == as_string


@pytest.mark.parametrize(
    ("error_type", "arguments"),
    [
        ("unknown_tool", {"query": "x"}),
        ("unexpected_parameter", {"query": "x", "verbose": True}),
        ("type_error", {"limit": "ten"}),
        ("missing_required", {}),
        ("args_not_object", '["x", 1]'),
        ("unparseable", '{"query": "x'),
        (None, {"query": "x"}),
    ],
)
@pytest.mark.parametrize("mode", ["object", "string"])
def test_parsed_calls_stay_tool_calls_whatever_the_verdict(error_type, arguments, mode):
    s = step(
        calls=[call("search_apps", arguments, error_type, "error: no")],
        response={"role": "assistant", "content": None, "tool_calls": ["..."]},
        errors=[{"type": error_type, "message": "no"}] if error_type else [],
    )
    message = assistant_message(s, mode)
    assert message["content"] == ""
    [tool_call] = message["tool_calls"]
    assert tool_call == {
        "type": "function",
        "function": {"name": "search_apps", "arguments": call_arguments(arguments, mode)},
    }
    if mode == "string":
        assert isinstance(tool_call["function"]["arguments"], str)
    assert "search_apps" not in json.dumps(message["content"])  # no JSON dump as text
    # the environment's reply to each call (its error, for a rejected one) is a tool message
    assert step_messages(s, mode)[1:] == [
        {"role": "tool", "name": "search_apps", "content": "error: no"}
    ]


def test_the_thought_beside_calls_is_the_content():
    s = step(calls=[call("a", {}), call("b", {"x": 1})], thought="first a, then b")
    message = assistant_message(s)
    assert message["content"] == "first a, then b"
    assert [c["function"]["name"] for c in message["tool_calls"]] == ["a", "b"]
    assert [m["role"] for m in step_messages(s)] == ["assistant", "tool", "tool"]


@pytest.mark.parametrize(
    ("response", "text"),
    [
        ("I think the answer is <tool_call> oops", "I think the answer is <tool_call> oops"),
        ('{"thought": "x", "tool_calls": 3}', '{"thought": "x", "tool_calls": 3}'),
        ("Thought: hm\nAction: \n", "Thought: hm\nAction: \n"),
        ({"role": "assistant", "content": "  raw  "}, "  raw  "),
        ({"role": "assistant", "content": None, "tool_calls": [{"function": {}}]}, ""),
    ],
)
def test_output_that_is_not_a_tool_call_is_text_as_written(response, text):
    s = step(response=response, errors=[{"type": "unparseable", "message": "bad"}])
    assert assistant_message(s) == {"role": "assistant", "content": text}
    assert step_messages(s)[1:] == [{"role": "user", "content": "error: bad"}]


def test_an_answer_is_the_content():
    s = step(answer="42", response="Thought: done\nAction: Finish\nAction Input: {}")
    assert step_messages(s) == [{"role": "assistant", "content": "42"}]


def test_an_unknown_arguments_choice_is_refused():
    from taskkit.datagen import ExploreConfig

    with pytest.raises(ValueError, match="unknown arguments 'yaml'; one of object, string"):
        ExploreConfig(arguments="yaml")  # type: ignore[arg-type]


def test_the_users_reply_to_a_message_is_the_next_user_turn():
    asked = {
        **step(answer="What is the new address?"),
        "user": {
            "text": "9 Oak Ave.",
            "turn": "give_address",
            "reveals": ["address"],
            "stop": False,
        },
    }
    assert step_messages(asked) == [
        {"role": "assistant", "content": "What is the new address?"},
        {"role": "user", "content": "9 Oak Ave."},
    ]


@pytest.mark.parametrize(
    "reply", [{"text": "Thanks, bye.", "stop": True}, {"text": None, "stop": True}]
)
def test_a_user_who_stops_adds_no_turn(reply):
    done = {**step(answer="Done."), "user": {"turn": None, "reveals": [], **reply}}
    assert step_messages(done) == [{"role": "assistant", "content": "Done."}]
