"""Hostile model output: every response ends in a step verdict, never an exception, in
bounded time, and what the episode keeps can be written as JSON.

The named cases are the inputs that once crashed or stalled a run (issue 22); the
Hypothesis tests draw adversarial responses in every format from the public strategies
of :mod:`taskkit.testing.model_output`."""

from __future__ import annotations

import json
import os
import resource
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from taskkit.io import jsonlines
from taskkit.sim.episode import Episode
from taskkit.sim.formats import FORMATS
from taskkit.sim.limits import Limits
from taskkit.sim.verify import ERROR_TYPES
from taskkit.testing.model_output import hostile_responses

SECONDS = 5.0  # the hostile suite's bound per input (issue 22)
STEP_TYPES = {*ERROR_TYPES}
SLOWEST: dict[str, float] = {}
"""The longest step of each format, and how many responses each got (``n:FORMAT``)."""


@pytest.fixture(scope="module", autouse=True)
def _closing_note():
    """The figures of the suite's closing note, written to
    ``$TASKKIT_HOSTILE_SUMMARY/model_output.json`` when that folder is named."""
    yield
    where = os.environ.get("TASKKIT_HOSTILE_SUMMARY")
    if where:
        doc = {
            "responses": {k[2:]: int(v) for k, v in sorted(SLOWEST.items()) if k[:2] == "n:"},
            "slowest_step_s": {k: round(v, 4) for k, v in sorted(SLOWEST.items()) if k[:2] != "n:"},
            "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        }
        Path(where, "model_output.json").write_text(json.dumps(doc, indent=2) + "\n")


@pytest.fixture(scope="module")
def task(compiled_library):
    # a task offering a few tools
    return next(t for t in compiled_library if len(t.environment) >= 3)


def _step(task, fmt, response, **kwargs):
    episode = Episode(task, fmt, faults=False, **kwargs)
    start = time.perf_counter()
    step = episode.advance(response)
    observation = episode.observe()
    record = episode.record()
    elapsed = time.perf_counter() - start
    name = fmt if isinstance(fmt, str) else getattr(fmt, "name", str(fmt))
    SLOWEST[name] = max(SLOWEST.get(name, 0.0), elapsed)
    SLOWEST[f"n:{name}"] = SLOWEST.get(f"n:{name}", 0) + 1
    # what a run writes: the trajectory, and the next prompt to a model server
    jsonlines.dumps(record).encode("utf-8")
    json.dumps(observation.as_json(), allow_nan=False).encode("utf-8")
    assert elapsed < SECONDS, f"{fmt}: {elapsed:.1f} s"
    return step


def _only_finding(step):
    assert step.score == 0
    assert step.findings, step
    return step.findings[0]


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_hostile_responses_end_in_a_verdict(fmt, task):
    tools = [e.name for e in task.environment]

    @settings(
        max_examples=80,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(hostile_responses(fmt, tools))
    def check(response):
        step = _step(task, fmt, response)
        for finding in step.findings:
            assert isinstance(finding.type, str)
        for call in step.calls:
            assert call.verified or call.error_type in STEP_TYPES

    check()


def _hermes_call(name, args):
    return f'<tool_call>{{"name": {json.dumps(name)}, "arguments": {args}}}</tool_call>'


def _response(fmt, name, args):
    """One call in ``fmt`` with ``args`` as raw JSON text."""
    return {
        "openai": {
            "content": None,
            "tool_calls": [{"function": {"name": name, "arguments": args}}],
        },
        "hermes": _hermes_call(name, args),
        "xlam": '{"tool_calls": [{"name": ' + json.dumps(name) + ', "arguments": ' + args + "}]}",
        "react": f"Action: {name}\nAction Input: {args}",
    }[fmt]


HOSTILE_ARGUMENTS = {
    "nested 2,000 deep": "[" * 2000 + "]" * 2000,
    "an integer of 5,000 digits": '{"n": ' + "7" * 5000 + "}",
    "a number above 1e308": '{"n": 1e309}',
    "NaN": '{"n": NaN}',
    "Infinity": '{"n": -Infinity}',
    "a lone surrogate escape": '{"s": "\\ud800"}',
    "a lone surrogate": '{"s": "\ud800"}',
    "a string of 300,000 characters": json.dumps({"s": "x" * 300_000}),
}


@pytest.mark.parametrize("fmt", sorted(FORMATS))
@pytest.mark.parametrize("case", sorted(HOSTILE_ARGUMENTS))
def test_hostile_arguments_are_a_limit_verdict(fmt, case, task):
    name = task.environment[0].name
    step = _step(task, fmt, _response(fmt, name, HOSTILE_ARGUMENTS[case]))
    assert _only_finding(step).type == "limit_exceeded", step.findings


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_a_tool_name_of_100k_characters(fmt, task):
    step = _step(task, fmt, _response(fmt, "n" * 100_000, "{}"))
    finding = _only_finding(step)
    assert finding.type == "limit_exceeded"
    assert "the limit is 256" in finding.message


def test_hermes_with_30k_tool_call_tags(task):
    for text in ("<tool_call>" * 30_000, "</tool_call>" * 30_000, "<tool_call>{" * 30_000):
        assert _only_finding(_step(task, "hermes", text)).type == "unparseable"
    many = _hermes_call(task.environment[0].name, "{}") * 30_000
    assert _only_finding(_step(task, "hermes", many)).type == "limit_exceeded"


def test_react_action_line_with_60k_trailing_spaces(task):
    name = task.environment[0].name
    text = f"Action: {name}" + " " * 60_000 + "\nAction Input: {}"
    step = _step(task, "react", text)
    assert [c.name for c in step.calls] == [name]
    no_input = f"Action: {name}" + " " * 60_000
    assert _only_finding(_step(task, "react", no_input)).type == "unparseable"


@pytest.mark.parametrize(
    "message",
    [
        {"content": None, "tool_calls": 5},
        {"content": None, "tool_calls": "call"},
        {"content": None, "tool_calls": [5]},
        {"content": None, "tool_calls": [{"function": "x"}]},
        {"content": None, "tool_calls": [{"function": {"name": None}}]},
        {"content": 7},
        {"content": ["a"], "tool_calls": []},
        {"content": "hi", "tool_calls": {"a": 1}},
        {"tool_calls": [{"function": {"name": "a", "arguments": {1, 2}}}]},
        {"tool_calls": [{"function": {"name": "a", "arguments": {"b": b"x"}}}]},
        {"tool_calls": [{"function": {"name": "a", "arguments": {"f": float("nan")}}}]},
        {"tool_calls": [{"function": {"name": "a", "arguments": {"n": 10**5000}}}]},
        {"tool_calls": [{"function": {"name": "a\ud800", "arguments": "{}"}}]},
        # {} (no calls, no text) is an empty final answer: tests/e2e/test_episode_semantics.py
    ],
)
def test_badly_shaped_messages(message, task):
    step = _step(task, "openai", message)
    assert _only_finding(step).type in ("unparseable", "limit_exceeded"), step
    for fmt in ("hermes", "react", "xlam"):  # these read only the content: a verdict of some kind
        _step(task, fmt, message)


@pytest.mark.parametrize("response", [None, 42, 3.5, b"bytes", {1, 2}, ("a",), ["x"]])
def test_values_that_are_no_response(response, task):
    for fmt in sorted(FORMATS):
        assert _only_finding(_step(task, fmt, response)).type == "unparseable"


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_a_response_of_2_mb(fmt, task):
    step = _step(task, fmt, _response(fmt, task.environment[0].name, json.dumps("x" * 2_000_000)))
    assert _only_finding(step).type == "limit_exceeded"
    text = "answer " * 300_000
    if fmt == "xlam":
        text = json.dumps({"tool_calls": [], "final_answer": text})
    elif fmt == "react":
        text = "Action: Finish\nAction Input: " + json.dumps(
            {"return_type": "give_answer", "final_answer": text}
        )
    assert _only_finding(_step(task, fmt, text)).type == "limit_exceeded"


def test_the_episode_takes_its_limits(task):
    name = task.environment[0].name
    two = {
        "content": None,
        "tool_calls": [{"function": {"name": name, "arguments": "{}"}}] * 2,
    }
    assert _step(task, "openai", two, limits=Limits(calls=1)).findings[0].type == ("limit_exceeded")
    assert all(
        f.type != "limit_exceeded" for f in _step(task, "openai", two, limits=Limits()).findings
    )
    deep = _response("openai", name, '{"a": [[[1]]]}')
    finding = _only_finding(_step(task, "openai", deep, limits=Limits(depth=2)))
    assert finding.type == "limit_exceeded" and "deeper than 2" in finding.message


def test_a_limit_verdict_tells_the_agent_and_the_episode_goes_on(task):
    episode = Episode(task, "hermes", faults=False)
    result = episode.step("<tool_call>" * 100)
    assert not result.done
    assert any(
        "could not parse your response" in str(m["content"]) for m in result.observation.messages
    )
    result = episode.step(_hermes_call(task.environment[0].name, '{"a": NaN}'))
    assert any("over a limit" in str(m["content"]) for m in result.observation.messages)
