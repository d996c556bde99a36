"""Hostile corpora given to ``taskkit import``: exit 0, 1 or 2, never an internal error."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from harness import Case

TOOL = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Weather.",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}}},
    },
}


def source(kind: str, text: str | bytes, name: str = "in.json") -> Callable[[Path], list[str]]:
    def build(folder: Path) -> list[str]:
        path = folder / name
        path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
        return ["import", kind, name, "-o", "out"]

    return build


def tool(**function: object) -> str:
    return json.dumps([{"type": "function", "function": {**TOOL["function"], **function}}])


DEEP = "[" * 100000 + "]" * 100000
INPUTS: dict[str, str | bytes] = {
    "valid": json.dumps([TOOL]),
    "empty": "",
    "not-json": "hello",
    "binary": b"\xff\xfe\x00" * 100,
    "deep": DEEP,
    "huge-int": "[" + "9" * 10000 + "]",
    "nan": '[{"type": "function", "function": {"name": "a", "parameters": {"type": "object", "maximum": NaN}}}]',
    "lone-surrogate-name": tool(name="\ud800"),
    "long-name": tool(name="a" * 100000),
    "weird-name": tool(name="../../etc/passwd"),
    "empty-name": tool(name=""),
    "null-parameters": tool(parameters=None),
    "list-parameters": tool(parameters=[1, 2]),
    "bad-schema-type": tool(
        parameters={"type": "object", "properties": {"a": {"type": "nonsense"}}}
    ),
    "ref-loop": tool(parameters={"type": "object", "$ref": "#"}),
    "ref-remote": tool(parameters={"$ref": "https://example.com/s.json"}),
    "redos-pattern": tool(
        parameters={"type": "object", "properties": {"a": {"type": "string", "pattern": "^(a+)+$"}}}
    ),
    "invalid-pattern": tool(
        parameters={"type": "object", "properties": {"a": {"type": "string", "pattern": "(("}}}
    ),
    "deep-schema": tool(
        parameters=json.loads('{"type": "object", "properties": {"a": ' * 150 + "{}" + "}}" * 150)
    ),
    "many-tools": json.dumps(
        [{**TOOL, "function": {**TOOL["function"], "name": f"t{i}"}} for i in range(3000)]
    ),
    "duplicate-names": json.dumps([TOOL, TOOL]),
    "object-not-list": json.dumps({"x": 1}),
    "string": json.dumps("tools"),
    "number": "5",
    "null": "null",
    "tools-of-numbers": json.dumps([1, 2, 3]),
    "jsonrpc-error": json.dumps({"jsonrpc": "2.0", "id": 1, "error": {"code": -1, "message": "x"}}),
    "mcp-tools-not-list": json.dumps({"tools": {"a": 1}}),
    "mcp-input-schema-string": json.dumps({"tools": [{"name": "a", "inputSchema": "x"}]}),
}

CASES: list[Case] = []
for kind in ("openai", "mcp", "bfcl", "toolbench"):
    for name, text in INPUTS.items():
        CASES.append(
            Case(f"{kind}-{name}", source(kind, text, "in.jsonl" if kind == "bfcl" else "in.json"))
        )
CASES += [
    Case(
        "bfcl-lines",
        source(
            "bfcl",
            "\n".join(
                [
                    json.dumps(
                        {
                            "id": "a",
                            "question": [[{"role": "user", "content": "x"}]],
                            "function": [TOOL["function"]],
                        }
                    ),
                    "{",
                    DEEP,
                ]
            ),
            "in.jsonl",
        ),
    ),
    Case(
        "missing-file",
        lambda folder: ["import", "openai", "nope.json", "-o", "out"],
        exits=frozenset({2}),
    ),
    Case(
        "output-is-a-file",
        lambda folder: [
            (folder / "out").write_text("x"),
            (folder / "in.json").write_text(json.dumps([TOOL])),
            "import",
            "openai",
            "in.json",
            "-o",
            "out",
        ][2:],
        exits=frozenset({1, 2}),
    ),
    Case(
        "bad-pack-name",
        lambda folder: [
            (folder / "in.json").write_text(json.dumps([TOOL])),
            "import",
            "openai",
            "in.json",
            "-o",
            "out",
            "--pack",
            "Bad Name",
        ][1:],
        exits=frozenset({2}),
    ),
]
