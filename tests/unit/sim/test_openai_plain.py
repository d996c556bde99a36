"""The openai format reads the usual message (text or null content, a few tool calls of
ASCII strings) in one pass; every message it reads so is read exactly as the general
parser (screen, then read) reads it, and every other message goes to the general parser."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from taskkit.sim.formats import openai
from taskkit.sim.limits import DEFAULT_LIMITS, Limits
from taskkit.sim.verify import ToolCall

SMALL = Limits(response_chars=120, name_chars=8, calls=2)

texts = st.one_of(
    st.sampled_from(["", "get_user", "x" * 9, "{}", '{"id": "u1"}', "é", "\ud800", " "]),
    st.text(max_size=12),
)
leaves = st.one_of(texts, st.none(), st.integers(), st.lists(texts, max_size=2))
functions = st.dictionaries(
    st.sampled_from(["name", "arguments", "extra"]), leaves, max_size=3
) | st.fixed_dictionaries({"name": texts, "arguments": texts})
calls = st.one_of(
    st.fixed_dictionaries(
        {"id": texts, "type": st.just("function"), "function": functions},
        optional={"other": leaves, "nested": st.dictionaries(texts, texts, max_size=1)},
    ),
    st.dictionaries(st.sampled_from(["id", "type", "function"]), leaves | functions, max_size=3),
    leaves,
)
ascii_texts = st.sampled_from(["", "get_user", "x" * 9, "{}", '{"id": "u1"}']) | st.text(
    st.characters(max_codepoint=127), max_size=12
)
usual_calls = st.fixed_dictionaries(
    {
        "id": ascii_texts,
        "type": st.just("function"),
        "function": st.fixed_dictionaries(
            {"name": ascii_texts}, optional={"arguments": ascii_texts}
        ),
    }
)
usual = st.fixed_dictionaries(
    {"tool_calls": st.lists(usual_calls, min_size=1, max_size=3)},
    optional={"role": st.just("assistant"), "content": st.none() | ascii_texts},
)
wild = st.fixed_dictionaries(
    {},
    optional={
        "role": st.sampled_from(["assistant", "user"]) | leaves,
        "content": leaves,
        "tool_calls": st.lists(calls, max_size=3) | leaves,
        "refusal": leaves,
    },
)
messages = usual | wild


def _plain(message: dict[str, Any], limits: Limits) -> bool:
    return openai._parse_plain(message, limits) is not None


@settings(max_examples=600, deadline=None)
@given(messages, st.sampled_from([DEFAULT_LIMITS, SMALL]))
def test_a_message_parses_as_the_general_parser_parses_it(
    message: dict[str, Any], limits: Limits
) -> None:
    assert openai.parse(message, limits) == openai.parse_general(message, limits)


def test_the_usual_message_takes_the_one_pass_read() -> None:
    message = openai.write(calls=[ToolCall("get_user", {"id": "u1"})], thought="Let me see")
    assert isinstance(message, dict)
    assert _plain(message, DEFAULT_LIMITS)
    parsed = openai.parse(message)
    assert [(c.name, c.arguments, c.id) for c in parsed.calls] == [
        ("get_user", '{"id": "u1"}', "call_0")
    ]
    assert parsed.thought == "Let me see"


def test_anything_unusual_goes_to_the_general_parser() -> None:
    call = {"id": "c1", "type": "function", "function": {"name": "f", "arguments": "{}"}}
    unusual = [
        {"content": "no calls"},
        {"content": "é", "tool_calls": [call]},  # not ASCII: surrogates are looked for
        {"content": ["a list"], "tool_calls": [call]},
        {"tool_calls": [call] * 3},  # over SMALL's call limit
        {"tool_calls": [{**call, "function": {"name": "x" * 9, "arguments": "{}"}}]},
        {"tool_calls": [{**call, "function": {"arguments": "{}"}}]},
        {"tool_calls": [{**call, "id": None}]},
        {"tool_calls": [{"id": "c1"}]},
        {"tool_calls": [call], "content": "x" * 200},  # over SMALL's size
    ]
    for message in unusual:
        assert not _plain(message, SMALL), message
        assert openai.parse(message, SMALL) == openai.parse_general(message, SMALL)
