"""Forged and damaged compiled task files given to ``taskkit run`` (and ``generate``)."""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

from harness import Case, mini


@cache
def _valid_line(folder: str) -> str:
    from taskkit.compiler import compile_paths

    result = compile_paths([mini(Path(folder))])
    assert result.ok, result.diagnostics
    return result.tasks[0].model_dump_json()


def line(folder: Path) -> dict[str, Any]:
    """A valid compiled task, as JSON data."""
    data: dict[str, Any] = json.loads(_valid_line(str(folder.parent / "_valid")))
    return data


def compiled(make: Callable[[Path], str | bytes], *extra: str) -> Callable[[Path], list[str]]:
    def build(folder: Path) -> list[str]:
        data = make(folder)
        path = folder / "tasks.jsonl"
        path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
        return ["run", "tasks.jsonl", *extra]

    return build


def changed(**fields: Any) -> Callable[[Path], str]:
    return lambda folder: json.dumps({**line(folder), **fields}) + "\n"


def handler(folder: Path) -> str:
    data = line(folder)
    env = data["environment"][0]
    env["behavior"] = {"handler": "os:system"}
    env["pack"] = "evil"
    return json.dumps({**data, "pack_trusted": True}) + "\n"


CASES = [
    Case("valid", compiled(lambda f: json.dumps(line(f)) + "\n"), exits=frozenset({0})),
    Case("bom", compiled(lambda f: "\ufeff" + json.dumps(line(f)) + "\n"), exits=frozenset({0})),
    Case("crlf", compiled(lambda f: json.dumps(line(f)) + "\r\n"), exits=frozenset({0})),
    Case("empty", compiled(lambda f: ""), exits=frozenset({2}), needs="no compiled tasks"),
    Case("blank-lines", compiled(lambda f: "\n\n  \n"), exits=frozenset({2})),
    Case("not-json", compiled(lambda f: "hello\n"), exits=frozenset({2})),
    Case("json-array", compiled(lambda f: "[1, 2]\n"), exits=frozenset({2})),
    Case("binary", compiled(lambda f: b"\x00\xff\xfe" * 1000), exits=frozenset({2})),
    Case("deep", compiled(lambda f: "[" * 100000 + "]" * 100000 + "\n"), exits=frozenset({2})),
    Case(
        "huge-int",
        compiled(
            lambda f: (
                json.dumps(line(f)).replace(
                    '"max_turns": ', '"max_turns": ' + "9" * 5000 + ', "x": '
                )
                + "\n"
            )
        ),
        exits=frozenset({2}),
    ),
    Case(
        "nan",
        compiled(
            lambda f: json.dumps(line(f)).replace('"max_turns": ', '"max_turns": NaN, "x": ') + "\n"
        ),
        exits=frozenset({2}),
    ),
    Case("lone-surrogate", compiled(changed(user_command="\ud800")), exits=frozenset({0, 1, 2})),
    Case("schema-version-2", compiled(changed(schema_version=2)), exits=frozenset({2})),
    Case("missing-fields", compiled(lambda f: '{"id": "x"}\n'), exits=frozenset({2})),
    Case(
        "deep-state",
        compiled(changed(initial_state={"a": json.loads("[" * 300 + "]" * 300)})),
        exits=frozenset({0, 1, 2}),
    ),
    Case("max-turns-negative", compiled(changed(max_turns=-5)), exits=frozenset({0, 1, 2})),
    Case("max-turns-huge", compiled(changed(max_turns=10**18)), exits=frozenset({0, 1, 2})),
    Case("long-line", compiled(changed(user_command="x" * 20_000_000)), exits=frozenset({0, 1, 2})),
    Case("forged-trust", compiled(handler), exits=frozenset({2}), needs="untrusted pack(s) evil"),
    Case(
        "forged-trust-generate",
        compiled(handler, "-o", "out"),
        exits=frozenset({2}),
        needs="untrusted",
    ),
    Case(
        "forged-trust-wrong-pack",
        compiled(handler, "--trust", "mini"),
        exits=frozenset({2}),
        needs="untrusted pack(s) evil",
    ),
    Case("many-lines", compiled(lambda f: (json.dumps(line(f)) + "\n") * 3), exits=frozenset({0})),
]


def generate(build: Callable[[Path], list[str]]) -> Callable[[Path], list[str]]:
    """The same file given to ``generate``, which reads it the same way."""
    return lambda folder: ["generate", build(folder)[1], "-o", "out", "-k", "1"]


CASES += [
    Case(f"generate-{c.name}", generate(c.build), exits=c.exits, needs=c.needs)
    for c in CASES
    if c.name in ("empty", "bom", "not-json", "deep", "huge-int", "lone-surrogate")
]
