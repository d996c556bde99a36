"""Hypothesis strategies for hostile model output, in every response format.

The model is untrusted input: these strategies draw responses that a broken, truncated or
adversarial model could send -- arguments nested thousands deep, numbers of thousands of
digits or beyond a double, ``NaN``, lone surrogates, huge strings and names, many calls,
unclosed tags, trailing spaces, badly shaped messages and values that are not JSON at all --
wrapped in each format's envelope (with the envelope itself broken some of the time). An
episode must answer every one of them with a step verdict, never an exception; taskkit's
own suite (``tests/hostile/model_output``) checks that, and a pack author can run the same
strategies against a task of their own::

    from hypothesis import given
    from taskkit.sim.episode import Episode
    from taskkit.testing.model_output import hostile_responses

    @given(hostile_responses("hermes", ["search_homes"]))
    def test_no_crash(response):
        Episode(task, "hermes").advance(response)
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from hypothesis import strategies as st

__all__ = ["hostile_arguments", "hostile_names", "hostile_responses", "hostile_values"]

_SIZES = st.sampled_from([1, 2, 63, 64, 65, 101, 999, 1_001, 2_000, 4_301, 5_000])


def _deep(n: int, kind: str) -> str:
    return ("[" * n + "]" * n) if kind == "[" else ('{"a":' * n + "1" + "}" * n)


_ARGUMENT_TEXTS = st.one_of(
    st.builds(_deep, _SIZES, st.sampled_from("[{")),
    st.builds(lambda n: '{"n": ' + "9" * n + "}", _SIZES),
    st.builds(lambda n: '{"n": -' + "1" * n + ".5}", _SIZES),
    st.sampled_from(
        [
            '{"n": NaN}',
            '{"n": Infinity}',
            '{"n": -Infinity}',
            '{"n": 1e400}',
            '{"n": -1e99999}',
            '{"n": 1e308}',
            '{"s": "\\ud800"}',
            '{"s": "x\\udfff"}',
            '{"s": "\\ud83d\\ude00"}',
            '{"s": "\ud800"}',
            '{"a": 1, "a": 2}',
            "[1, 2",
            '{"a": "b"',
            "",
            "null",
            "5",
            '"{}"',
            "{}",
        ]
    ),
    st.builds(lambda n: json.dumps({"s": "x" * n * 60}), _SIZES),
    st.builds(lambda n: '{"email": "' + "@" + "." * n * 16 + '@"}', _SIZES),
    st.text(max_size=200),
)


def hostile_values() -> st.SearchStrategy[Any]:
    """Python values a callable agent might return as arguments: JSON, almost-JSON (NaN,
    huge ints, deep nesting) and not JSON at all (bytes, sets, tuples)."""
    scalars = st.one_of(
        st.none(),
        st.booleans(),
        st.integers(),
        st.floats(),  # NaN and the infinities included
        st.text(max_size=50),
        st.sampled_from(["\ud800", b"bytes", frozenset({1}), (1, 2)]),
        # ints beyond a double and beyond str()'s 4,300 digits (built: they have no repr)
        st.builds(pow, st.sampled_from([10, -10]), st.sampled_from([400, 5000])),
    )
    nested = st.recursive(
        scalars,
        lambda inner: st.one_of(
            st.lists(inner, max_size=4),
            st.dictionaries(st.text(max_size=8), inner, max_size=4),
        ),
        max_leaves=12,
    )
    deep = st.builds(_nest, _SIZES)
    return st.one_of(nested, deep)


def _nest(n: int) -> Any:
    value: Any = 1
    for _ in range(n):
        value = [value]
    return value


def hostile_arguments() -> st.SearchStrategy[Any]:
    """A call's arguments: hostile JSON text, or a hostile Python value."""
    return st.one_of(_ARGUMENT_TEXTS, hostile_values())


def hostile_names(tools: Sequence[str] = ()) -> st.SearchStrategy[Any]:
    """Tool names: the offered ones, misspellings of them, and hostile ones (very long,
    empty, a lone surrogate, not a string)."""
    offered = list(tools) or ["search"]
    return st.one_of(
        st.sampled_from(offered),
        st.builds(lambda n, i: n[:i] + n[i + 1 :], st.sampled_from(offered), st.integers(0, 5)),
        st.builds(lambda n: "x" * n * 32, _SIZES),
        st.builds(lambda n: "get_" + "a" * n, _SIZES),
        st.sampled_from(["", " ", "\ud800", "Finish", "a\nb", 5, None, ["x"]]),
        st.text(max_size=30),
    )


def _call_object(name: Any, arguments: Any) -> dict[str, Any]:
    return {"name": name, "arguments": arguments}


def _as_text(value: Any) -> str:
    if isinstance(value, str):
        return value
    try:
        return json.dumps(value)
    except RecursionError:
        return "[" * 2_000 + "]" * 2_000
    except (TypeError, ValueError):
        try:
            return repr(value)
        except (ValueError, RecursionError):  # an int beyond str()'s digits, a deep list
            return "9" * 5_000


def _openai(draw: Any, names: st.SearchStrategy[Any]) -> Any:
    calls = draw(st.lists(st.tuples(names, hostile_arguments()), max_size=4))
    tool_calls: Any = [
        {"id": f"c{i}", "type": "function", "function": {"name": n, "arguments": a}}
        for i, (n, a) in enumerate(calls)
    ]
    tool_calls = draw(
        st.sampled_from(
            [
                tool_calls,
                tool_calls * 17,
                5,
                "tool_calls",
                [5],
                [{"function": "x"}],
                [{"function": {"name": 7}}],
                None,
                {"a": 1},
            ]
        )
    )
    content = draw(
        st.one_of(st.none(), st.text(max_size=40), st.sampled_from([7, ["x"], "\ud800"]))
    )
    message = draw(
        st.sampled_from(
            [
                {"role": "assistant", "content": content, "tool_calls": tool_calls},
                {"content": content},
                {"tool_calls": tool_calls},
                {},
            ]
        )
    )
    return message


def _hermes(draw: Any, names: st.SearchStrategy[Any]) -> Any:
    calls = draw(st.lists(st.tuples(names, hostile_arguments()), max_size=4))
    blocks = []
    for name, args in calls:
        body = draw(
            st.sampled_from(
                [
                    '{"name": '
                    + _as_text(json.dumps(_as_text(name)))
                    + ', "arguments": '
                    + _as_text(args)
                    + "}",
                    _as_text(args),
                ]
            )
        )
        blocks.append(f"<tool_call>\n{body}\n</tool_call>")
    n = draw(_SIZES)
    tail = draw(
        st.sampled_from(
            ["", "<tool_call>" * n, "</tool_call>" * n, "<tool_call>{" * n, " " * n * 30]
        )
    )
    thought = draw(st.text(max_size=40))
    return thought + "\n" + "\n".join(blocks) + tail


def _xlam(draw: Any, names: st.SearchStrategy[Any]) -> Any:
    calls = draw(st.lists(st.tuples(names, hostile_arguments()), max_size=4))
    items = [
        '{"name": ' + json.dumps(_as_text(n)) + ', "arguments": ' + _as_text(a) + "}"
        for n, a in calls
    ]
    n = draw(_SIZES)
    many = draw(st.booleans())
    listed = ", ".join(items * (min(n, 65) if many and items else 1))
    body = '{"thought": "t", "tool_calls": [' + listed + "]}"
    return draw(
        st.sampled_from(
            [
                body,
                f"```json\n{body}\n```",
                body + " trailing",
                "prefix " + body,
                '{"tool_calls": 5}',
                '{"tool_calls": [], "final_answer": ' + _as_text(calls[0][1] if calls else 1) + "}",
                "[" * n,
            ]
        )
    )


def _react(draw: Any, names: st.SearchStrategy[Any]) -> Any:
    name = _as_text(draw(names))
    args = _as_text(draw(hostile_arguments()))
    n = draw(_SIZES)
    pad = draw(st.sampled_from(["", " " * n * 30, "\t" * n]))
    return draw(
        st.sampled_from(
            [
                f"Thought: t\nAction: {name}{pad}\nAction Input: {args}",
                f"Action: {name}\nAction Input: {args}\nObservation: x",
                f"Action: Finish\nAction Input: {json.dumps(args)}",
                f"Action: Finish{pad}\nAction Input: " + '{"return_type": "give_answer", '
                '"final_answer": ' + args + "}",
                ("Action: a\n" * n) + "Action Input: {}",
                f"Action:{pad}\nAction Input:{pad}",
            ]
        )
    )


_BUILDERS = {"openai": _openai, "hermes": _hermes, "xlam": _xlam, "react": _react}

_NOT_RESPONSES = st.sampled_from([None, 42, 3.5, b"bytes", ["a"], {1, 2}, ("a",)])


def hostile_responses(fmt: str, tools: Sequence[str] = ()) -> st.SearchStrategy[Any]:
    """Adversarial responses in format ``fmt`` (``openai``, ``xlam``, ``hermes``, ``react``)
    that name ``tools`` (the offered tools, so some calls get past the name check), plus
    responses that are not text or a message at all, and text meant for another format."""
    build = _BUILDERS[fmt]
    names = hostile_names(tools)

    @st.composite
    def responses(draw: Any) -> Any:
        return build(draw, names)

    others = [b for f, b in _BUILDERS.items() if f != fmt]

    @st.composite
    def foreign(draw: Any) -> Any:
        return draw(st.sampled_from(others))(draw, names)

    return st.one_of(responses(), responses(), responses(), foreign(), _NOT_RESPONSES, st.text())
