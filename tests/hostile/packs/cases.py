"""Hostile and broken packs: lint and compile must report them, in bounded time and memory."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path

from harness import MINI, Case, mini

LINT = ("lint",)
COMPILE = ("compile", "-o", "out.jsonl")


def pack(command: Sequence[str], **changes: str | bytes | None) -> Callable[[Path], list[str]]:
    def build(folder: Path) -> list[str]:
        mini(folder, **changes)
        return [command[0], "mini", *command[1:]]

    return build


TASK = MINI["tasks/find.yaml"]
CONTENT = MINI["content/items.yaml"]
TOOLS = MINI["tools/shop.yaml"]


def content(entries: str, fields: str = "{type: object}") -> str:
    return f"kind: content\nschema_version: 1\nname: items\nfields: {fields}\n{entries}"


def many_documents(n: int) -> str:
    return "".join(f"---\nkind: content\nschema_version: 1\nname: c{i}\n" for i in range(n))


DEEP = "[" * 5000 + "]" * 5000
BIG_INT = "9" * 20000
REDOS = content(
    "entries:\n  - {id: pen, item: 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!'}\n",
    "{type: object, properties: {item: {type: string, pattern: '^(a+)+$'}}}",
)

CASES: list[Case] = []
for name, changes, needs in [
    ("valid", {}, None),
    ("empty-task-file", {"tasks__find_yaml": ""}, "TK101"),
    ("nul-in-yaml", {"tasks__find_yaml": "kind: task\x00\n"}, "TK001"),
    ("invalid-utf8", {"tasks__find_yaml": b"kind: task\n\xff\xfe\n"}, "TK004"),
    ("bom", {"tasks__find_yaml": "\ufeff" + TASK}, None),
    ("deep-flow-nesting", {"tasks__find_yaml": f"x: {DEEP}\n"}, "TK006"),
    (
        "deep-block-nesting",
        {"tasks__find_yaml": "".join("  " * i + "a:\n" for i in range(400))},
        None,
    ),
    (
        "alias-bomb",
        {
            "tasks__find_yaml": "a: &a [x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\ng: [*f,*f,*f,*f,*f,*f,*f,*f,*f]\n"
        },
        None,
    ),
    ("python-tag", {"tasks__find_yaml": "x: !!python/object/apply:os.system ['true']\n"}, None),
    ("2000-documents", {"content__more_yaml": many_documents(2000)}, None),
    (
        "14-mib-yaml",
        {
            "content__big_yaml": "kind: content\nschema_version: 1\nname: big\nfields: {type: object}\nentries:\n"
            + "  - {id: e, v: 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx'}\n"
            * 180000
        },
        None,
    ),
    (
        "huge-int-in-yaml",
        {"content__items_yaml": content(f"entries:\n  - {{id: pen, item: pen, n: {BIG_INT}}}\n")},
        None,
    ),
    (
        "huge-int-in-task",
        {"tasks__find_yaml": TASK.replace("max_turns", "x") + f"max_turns: {BIG_INT}\n"},
        None,
    ),
    (
        "inf-in-entries",
        {"content__items_yaml": content("entries:\n  - {id: pen, item: pen, n: .inf}\n")},
        None,
    ),
    (
        "nan-in-state",
        {"tasks__find_yaml": TASK.replace("initial_state:\n", "initial_state:\n  n: .nan\n")},
        None,
    ),
    (
        "inf-in-gold-state",
        {"tasks__find_yaml": TASK.replace("initial_state:\n", "initial_state:\n  n: .inf\n")},
        None,
    ),
    ("redos-pattern-in-content-schema", {"content__items_yaml": REDOS}, None),
    (
        "ref-loop-in-tool-schema",
        {
            "tools__shop_yaml": TOOLS.replace(
                "      type: object\n", "      $ref: '#'\n      type: object\n", 1
            )
        },
        None,
    ),
    (
        "ref-cycle-in-tool-schema",
        {
            "tools__shop_yaml": TOOLS.replace(
                "      type: object\n",
                "      $defs: {a: {$ref: '#/$defs/b'}, b: {$ref: '#/$defs/a'}}\n      $ref: '#/$defs/a'\n      type: object\n",
                1,
            )
        },
        None,
    ),
    (
        "ref-missing-in-tool-schema",
        {
            "tools__shop_yaml": TOOLS.replace(
                "      type: object\n", "      $ref: '#/$defs/nope'\n      type: object\n", 1
            )
        },
        None,
    ),
    (
        "ref-remote-in-tool-schema",
        {
            "tools__shop_yaml": TOOLS.replace(
                "      type: object\n",
                "      $ref: 'https://example.com/x.json'\n      type: object\n",
                1,
            )
        },
        None,
    ),
    (
        "jsonl-duplicate-keys",
        {
            "content__items_yaml": content("entries_file: items.jsonl\n"),
            "content__items_jsonl": '{"id": "pen", "item": "pen", "item": "mug"}\n',
        },
        "TK007",
    ),
    (
        "jsonl-lone-surrogate",
        {
            "content__items_yaml": content("entries_file: items.jsonl\n"),
            "content__items_jsonl": '{"id": "pen", "item": "\\ud800"}\n',
        },
        None,
    ),
    (
        "jsonl-deep",
        {
            "content__items_yaml": content("entries_file: items.jsonl\n"),
            "content__items_jsonl": '{"id": "pen", "x": ' + "[" * 3000 + "]" * 3000 + "}\n",
        },
        None,
    ),
    (
        "jsonl-huge-int",
        {
            "content__items_yaml": content("entries_file: items.jsonl\n"),
            "content__items_jsonl": '{"id": "pen", "x": ' + BIG_INT + "}\n",
        },
        None,
    ),
    (
        "jsonl-nan",
        {
            "content__items_yaml": content("entries_file: items.jsonl\n"),
            "content__items_jsonl": '{"id": "pen", "x": NaN, "y": Infinity}\n',
        },
        None,
    ),
    (
        "jsonl-1e400",
        {
            "content__items_yaml": content("entries_file: items.jsonl\n"),
            "content__items_jsonl": '{"id": "pen", "x": 1e400}\n',
        },
        None,
    ),
    (
        "long-entries-file-name",
        {"content__items_yaml": content("entries_file: " + "a" * 5000 + ".jsonl\n")},
        "TK008",
    ),
    (
        "entries-file-traversal",
        {"content__items_yaml": content("entries_file: ../../../../etc/passwd\n")},
        "TK103",
    ),
    ("pack-yaml-not-a-mapping", {"pack_yaml": "- a\n- b\n"}, None),
    (
        "deep-gold-state",
        {
            "tasks__find_yaml": TASK.replace(
                "initial_state:\n", "initial_state:\n  deep: " + "[" * 240 + "]" * 240 + "\n"
            )
        },
        None,
    ),
]:
    CASES.append(Case(f"lint-{name}", pack(LINT, **changes), needs=needs))
    CASES.append(Case(f"compile-{name}", pack(COMPILE, **changes), needs=needs))

# What each input must be reported as (by lint and by compile, which lints first).
NEEDS = {
    "14-mib-yaml": "TK003",
    "python-tag": "TK005",
    "huge-int-in-yaml": "TK005",
    "inf-in-entries": "TK009",
    "nan-in-state": "TK009",
    "inf-in-gold-state": "TK009",
    "redos-pattern-in-content-schema": "repeats a repetition",
    "ref-loop-in-tool-schema": "refers back to itself",
    "ref-cycle-in-tool-schema": "refers back to itself",
    "ref-missing-in-tool-schema": "does not resolve",
    "ref-remote-in-tool-schema": "not a reference inside this schema",
    "jsonl-lone-surrogate": "TK009",
    "jsonl-nan": "TK009",
    "jsonl-1e400": "TK009",
    "jsonl-huge-int": "TK008",
    "jsonl-deep": "TK006",
}
COMPILE_NEEDS = {"deep-gold-state": "deeper than 200 levels"}
CASES = [
    replace(
        case,
        needs=case.needs
        or NEEDS.get(case.name.split("-", 1)[1])
        or (
            COMPILE_NEEDS.get(case.name.split("-", 1)[1])
            if case.name.startswith("compile")
            else None
        ),
    )
    for case in CASES
]
