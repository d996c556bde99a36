"""Property ``renders``: every schema-valid content entry renders, and its gold actions are
valid calls; a failure names the content fields that break it, with the smallest value."""

from __future__ import annotations

import functools
import json
import random
import time
from pathlib import Path
from typing import Any

import jsonschema
from hypothesis.errors import HypothesisException

from ..models import Content
from ..schema.validate import SchemaError, compile_trusted
from ._entries import Blame, Problem, RenderCheck, blame, same_problem
from ._outcome import result, skipped
from ._schema import schema_strategy
from ._search import Search, draw_examples, minimal_failure
from .case import TaskCase
from .profiles import Profile
from .results import PropertyFinding, PropertyResult
from .strategies import entries

__all__ = ["renders"]


def renders(case: TaskCase, profile: Profile) -> PropertyResult:
    started = time.perf_counter()
    content = case.unit.content.model
    assert isinstance(content, Content)
    check = RenderCheck(case.unit)
    try:
        pool = _entry_pool(
            json.dumps(content.fields, sort_keys=True), profile.examples, profile.seed
        )
    except (HypothesisException, SchemaError, jsonschema.SchemaError) as exc:
        # a schema Hypothesis cannot draw from (lint has vouched it is valid JSON Schema)
        first = str(exc).split(". ")[0].rstrip(".")  # Hypothesis goes on with advice on filters
        return skipped(
            case, "renders", f"cannot generate entries: {type(exc).__name__}: {first}", started
        )
    tried, found = 0, None
    for entry in pool:
        tried += 1
        if (problem := check(entry)) is not None:
            found = entry, problem
            break
    if found is None:
        return result(case, "renders", tried, [], started=started)
    failing, problem = found
    reference = next((e.data for e in case.entries[:5] if check(e.data) is None), None)
    example, problem, blamed = _smallest(
        check, content, failing, problem, reference=reference, profile=profile
    )
    finding = _finding(case, content, blamed, example, problem, reference=reference)
    return result(case, "renders", tried, [finding], started=started)


def _smallest(
    check: RenderCheck,
    content: Content,
    failing: dict[str, Any],
    problem: Problem,
    *,
    reference: dict[str, Any] | None,
    profile: Profile,
) -> tuple[dict[str, Any], Problem, Blame]:
    """The failing entry made small: the one field to blame at its smallest value, or else
    the whole entry shrunk within the time budget."""
    blamed = blame(check, failing, problem, reference)
    example = blamed.example
    if blamed.alone:
        example = _shrink_field(
            check,
            example,
            fields=content.fields,
            name=blamed.fields[0],
            problem=problem,
            profile=profile,
        )
        problem = check(example) or problem  # the message quotes the value shown
    else:  # no single field to blame: shrink the whole entry, within the time budget
        whole: Search[Problem] = Search(check, profile.shrink_seconds)
        again = minimal_failure(
            entries(content.fields),
            whole,
            examples=profile.examples,
            rng=random.Random(f"{profile.seed}|entries"),
        )
        if again is not None:
            example, problem = again
            blamed = blame(check, example, problem, reference)
    return example, problem, blamed


def _finding(
    case: TaskCase,
    content: Content,
    blamed: Blame,
    example: dict[str, Any],
    problem: Problem,
    *,
    reference: dict[str, Any] | None,
) -> PropertyFinding:
    """The failure as an author reads it: a real entry with one field changed where there is
    one to start from, else a whole entry, each labelled with where it goes."""
    change = None
    target = case.unit.content.path
    if content.entries_file is not None:  # where a pasted entry goes: the JSONL file
        target = str(Path(target).parent / content.entries_file)
    label = f"a schema-valid entry for {target}"
    if blamed.alone and reference is not None:
        name = blamed.fields[0]
        change = {name: example[name]} if name in example else {}
        how = f"with {name}: {example[name]!r}" if name in example else f"without {name}"
        label = f"real entry {reference.get('id')!r} {how}, for {target}"
    return PropertyFinding(
        _blame_message(blamed.fields, example) + problem.message,
        [example],
        label,
        problem.path,
        problem.line,
        blamed.fields,
        change,
        hint=_renders_hint(blamed.fields, target),
    )


@functools.lru_cache(maxsize=32)
def _entry_pool(fields: str, examples: int, seed: int) -> tuple[dict[str, Any], ...]:
    """Generated entries of one dataset, drawn once and shared by every task drawing from it
    (generation is most of the cost). The draw depends on the schema and the seed only."""
    strategy = entries(json.loads(fields))
    strategy.validate()
    return tuple(draw_examples(strategy, examples, random.Random(f"{seed}|entries")))


def _renders_hint(names: tuple[str, ...], target: str) -> str:
    if not names:
        return "make the templates and gold arguments work for every entry the schema allows"
    where = ", ".join(f"fields.properties.{n}" for n in names)
    return (
        f"narrow {where} (for {Path(target).name}) to the values the task can use, "
        "or make the template handle this one"
    )


def _blame_message(names: tuple[str, ...], example: dict[str, Any]) -> str:
    if not names:
        return "this entry breaks it: "
    values = ", ".join(f"{n}: {example[n]!r}" if n in example else f"{n} missing" for n in names)
    if len(names) == 1:
        return f"field {names[0]!r} ({values}) breaks it: "
    return f"fields {', '.join(map(repr, names))} ({values}) break it: "


def _shrink_field(
    check: RenderCheck,
    example: dict[str, Any],
    *,
    fields: dict[str, Any],
    name: str,
    problem: Problem,
    profile: Profile,
) -> dict[str, Any]:
    """``example`` with the smallest value of ``name`` that still breaks it the same way."""
    schema = fields.get("properties", {}).get(name)
    if name not in example or not isinstance(schema, dict):
        return example
    defs: dict[str, Any] = {k: fields[k] for k in ("$defs", "definitions") if k in fields}
    validator = compile_trusted(fields)

    def breaks(value: Any) -> bool | None:
        candidate = {**example, name: value}
        valid = validator.is_valid({k: v for k, v in candidate.items() if k != "id"})
        return (valid and same_problem(check(candidate), problem)) or None

    search: Search[bool] = Search(breaks, profile.shrink_seconds)
    found = minimal_failure(
        schema_strategy({**defs, **schema}),
        search,
        examples=max(profile.examples, 100),
        rng=random.Random(f"{profile.seed}|{name}"),
    )
    return {**example, name: found[0]} if found is not None else example
