"""taskkit's own properties, over inputs drawn with the public strategies of
``taskkit.testing``: what pack authors get is what the toolkit tests itself with."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from taskkit.agents.mutant import caught_by
from taskkit.compiler.deep import compile_findings
from taskkit.io.yamlio import dump_yaml, load_yaml_text
from taskkit.library import load_library
from taskkit.lint import RULES, lint
from taskkit.models import KINDS, Expect
from taskkit.runs.episodes import run_episode
from taskkit.schema import validate as jsonvalidate
from taskkit.sim.evaluate import evaluate_final
from taskkit.sim.verify import ToolCall, Verifier
from taskkit.templates.environment import render_string, render_value
from taskkit.testing import (
    documents,
    entries,
    gold_mutations,
    invalid_calls,
    invalid_kinds,
    valid_calls,
)
from taskkit.testing._agents import OneMistakeAgent
from taskkit.testing._invalid import VERIFIED_FORMATS
from taskkit.testing._roundtrip import round_trip_model
from taskkit.testing._schema import json_values

SETTINGS = settings(
    max_examples=20,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

TOOLS = {
    "search": {
        "type": "object",
        "properties": {
            "city": {"type": "string", "minLength": 1},
            "beds": {"type": "integer", "minimum": 0, "maximum": 9},
            "price": {"type": "number", "exclusiveMaximum": 1e6},
            "sort": {"enum": ["price", "-price", "date"]},
            "date": {"type": "string", "format": "date"},
            "code": {"type": "string", "pattern": "^[A-Z]{3}$"},
            "tags": {"type": "array", "items": {"type": "string"}, "maxItems": 3},
            "exact": {"type": "boolean"},
        },
        "required": ["city", "beds"],
        "additionalProperties": False,
    },
    "book": {
        "type": "object",
        "properties": {
            "home_id": {"type": "string"},
            "when": {"type": "string", "format": "date-time"},
            "email": {"type": "string", "format": "email"},
            "seats": {"type": ["integer", "null"], "minimum": 1},
            "kind": {"type": "string", "const": "viewing"},
        },
        "required": ["home_id", "when"],
        "additionalProperties": False,
    },
    "open": {"type": "object", "properties": {"q": {"type": "string", "maxLength": 4}}},
}
CASES = [(tool, kind) for tool, schema in TOOLS.items() for kind in invalid_kinds(schema)]


def test_the_invalid_kinds_each_schema_allows():
    assert set(invalid_kinds(TOOLS["search"])) == {
        "missing_required",
        "unexpected_parameter",
        "type_error",
        "enum_error",
        "format_error",
        "range_error",
    }
    assert invalid_kinds(TOOLS["open"]) == ("type_error", "range_error")
    with pytest.raises(ValueError, match="possible: type_error, range_error"):
        invalid_calls(TOOLS["open"], "missing_required")


def test_the_formats_broken_are_the_formats_the_verifier_checks():
    assert frozenset(jsonvalidate._FORMATS) == VERIFIED_FORMATS


@pytest.mark.parametrize("tool", list(TOOLS))
@SETTINGS
@given(data=st.data())
def test_the_verifier_accepts_every_valid_call(tool, data):
    args = data.draw(valid_calls(TOOLS[tool]))
    verdict = Verifier(TOOLS).verify(ToolCall(tool, args))
    assert verdict.ok, verdict.message


@pytest.mark.parametrize(("tool", "kind"), CASES)
@SETTINGS
@given(data=st.data())
def test_the_verifier_classifies_every_invalid_call(tool, kind, data):
    args = data.draw(invalid_calls(TOOLS[tool], kind))
    verdict = Verifier(TOOLS).verify(ToolCall(tool, args))
    assert (verdict.ok, verdict.error_type) == (False, kind), (args, verdict.message)
    as_json = Verifier(TOOLS).verify(ToolCall(tool, json.dumps(args)))
    assert as_json.error_type == kind  # the same verdict when the arguments come as text


# NEL (U+0085) is a line break to YAML 1.1: dump_yaml writes it raw inside a single-quoted
# scalar and it reads back folded into a space (see the xfail test below). Left out of the
# round trip until taskkit.io.yamlio is fixed.
_NEL = "\x85"


def _without_line_breaks(value):
    if isinstance(value, str):
        return value.replace(_NEL, " ")
    if isinstance(value, list):
        return [_without_line_breaks(v) for v in value]
    if isinstance(value, dict):
        return {_without_line_breaks(k): _without_line_breaks(v) for k, v in value.items()}
    return value


@pytest.mark.parametrize("kind", list(KINDS))
@SETTINGS
@given(data=st.data())
def test_documents_round_trip_through_yaml(kind, data):
    document = _without_line_breaks(data.draw(documents(kind)))
    model = KINDS[kind].model_validate(document)
    with tempfile.TemporaryDirectory() as tmp:  # through the library loader, from a file
        path = Path(tmp) / f"{kind}.yaml"
        path.write_text(dump_yaml(document, kind=kind), encoding="utf-8")
        lib = load_library([path])
    assert not lib.diagnostics, [d.text() for d in lib.diagnostics]
    assert lib.docs[0].model == model
    text, again = round_trip_model(model, kind)  # and as taskkit writes a model back
    assert again == model, text


def test_a_string_with_a_next_line_character_round_trips():
    # found by test_documents_round_trip_through_yaml: U+0085 written raw read back as a space
    data = {"text": f"a{_NEL}b", f"key{_NEL}x": 1}
    assert load_yaml_text(dump_yaml(data)).documents[0].data == data


@SETTINGS
@given(
    pack=documents("pack"),
    toolset=documents("toolset"),
    content=documents("content"),
    task=documents("task"),
    evaluator=documents("evaluator"),
)
def test_lint_never_crashes_on_generated_documents(pack, toolset, content, task, evaluator):
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "gen"
        root.mkdir()
        for name, doc in [
            ("pack", pack),
            ("toolset", toolset),
            ("content", content),
            ("task", task),
            ("evaluator", evaluator),
        ]:
            (root / f"{name}.yaml").write_text(dump_yaml(doc), encoding="utf-8")
        for deep in (False, True):
            result = lint(
                [root], compile_phase=compile_findings if deep else None
            )  # must not raise, whatever the documents say
            for d in result.diagnostics:
                assert d.rule in RULES and d.line >= 1 and d.col >= 1, d.text()


@SETTINGS
@given(
    document=documents("task"),
    data=st.data(),
)
def test_lint_finds_a_misspelt_key_planted_in_a_valid_document(document, data):
    # (a misspelt kind or schema_version stops the loader earlier, with TK101 / TK102)
    key = data.draw(
        st.sampled_from(sorted(k for k in document if k not in ("kind", "schema_version")))
    )
    typo = key[:-1] + ("x" if key[-1] != "x" else "y")
    planted = {(typo if k == key else k): v for k, v in document.items()}
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "task.yaml"
        path.write_text(dump_yaml(planted), encoding="utf-8")
        found = [d for d in lint([path]).diagnostics if d.rule == "TK103"]
    line = (
        dump_yaml(planted)
        .splitlines()
        .index(next(x for x in dump_yaml(planted).splitlines() if x.startswith(f"{typo}:")))
    )
    assert any(f"unknown key {typo!r}" in d.message and d.line == line + 1 for d in found), [
        d.text() for d in found
    ]


FIELDS = {
    "type": "object",
    "$defs": {"day": {"type": "string", "format": "date"}},
    "properties": {
        "city": {"type": "string"},
        "beds": {"type": "integer", "minimum": 1},
        "date": {"$ref": "#/$defs/day"},
        "homes": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"id": {"type": "string"}, "price": {"type": "number"}},
                "required": ["id", "price"],
                "additionalProperties": False,
            },
        },
        "note": {"anyOf": [{"type": "string"}, {"type": "null"}]},
    },
    "required": ["city", "beds", "date", "homes"],
    "additionalProperties": False,
}


@SETTINGS
@given(entry=entries(FIELDS))
def test_entries_are_schema_valid_and_carry_a_string_id(entry):
    assert isinstance(entry["id"], str) and entry["id"]
    data = {k: v for k, v in entry.items() if k != "id"}
    assert jsonvalidate.compile_schema(FIELDS).is_valid(data)


@SETTINGS
@given(value=json_values())
def test_a_lone_placeholder_keeps_its_value_and_plain_data_is_left_alone(value):
    assert render_string("{{ x }}", {"x": value}) == value
    if "{" not in json.dumps(value):
        assert render_value({"a": [value, "plain text"]}, {}) == {"a": [value, "plain text"]}


@SETTINGS
@given(state=st.dictionaries(st.text(min_size=1, max_size=6), st.lists(json_values(), max_size=3)))
def test_the_final_evaluator_passes_the_gold_state_and_fails_a_changed_one(state):
    same = evaluate_final(
        Expect(), initial_state=state, gold_state=state, final_state=state, answer=None
    )
    assert same.score == 1
    changed = {**state, "extra_collection": [{"id": "x"}]}
    verdict = evaluate_final(
        Expect(), initial_state=state, gold_state=state, final_state=changed, answer=None
    )
    assert verdict.score == 0 and verdict.findings[0].type == "state_mismatch"


@pytest.fixture(scope="module")
def compiled_home():
    from taskkit.compiler import compile_paths

    examples = Path(__file__).resolve().parents[1] / "examples" / "valid" / "home-starter-pack"
    result = compile_paths([examples])
    assert result.ok
    return result.tasks


@settings(SETTINGS, max_examples=15)
@given(data=st.data())
def test_every_drawn_mutation_of_the_gold_actions_is_caught(compiled_home, data):
    task = data.draw(st.sampled_from(compiled_home))
    mistake = data.draw(gold_mutations(task))
    episode = run_episode(task, OneMistakeAgent(mistake.mutation, mistake.step), faults=False)
    errors = {t for s in episode.steps for t in s.error_types}
    errors |= {f.type for f in episode.final.findings} if episode.final else set()
    assert errors & caught_by(mistake.mutation), (task.id, mistake, errors)
