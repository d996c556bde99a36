"""The tables of ``docs/`` that the code defines, generated from the registries.

``python -m taskkit.docs_gen`` rewrites them; ``python -m taskkit.docs_gen --check`` (and
``tests/test_docs_gen.py``) fails when the committed docs differ. Each table sits between
two markers in its Markdown file::

    <!-- BEGIN GENERATED rules: python -m taskkit.docs_gen -->
    ...
    <!-- END GENERATED rules -->

========== ================= ==================================================================
section    file              rows from
========== ================= ==================================================================
rules      docs/authoring.md the lint registry (``taskkit.lint.registry.RULES``): id, name,
                             severity, and the first sentence of the rule's docstring (what
                             ``taskkit rules`` prints), and the pack gate's ids
                             (``taskkit.rule_ids.PACK_GATE``)
operations docs/authoring.md ``taskkit.models.operations.OPERATIONS``: summary, options
                             (required ones marked), whether it writes; what each returns and
                             fails with is written here, and an operation without it fails
                             the generator
steps      docs/authoring.md ``taskkit.models.operations.STEPS``, the same way
helpers    docs/authoring.md ``taskkit.sim.helpers.HELPERS``: signature and one line each
where      docs/authoring.md the ``where`` operators (``WHERE_OPERATORS``), the same way
answers    docs/authoring.md the fields of ``AnswerCheck`` (``taskkit.models.checks``), their
                             defaults from the model
normalise  docs/authoring.md the answer normalisations
                             (``taskkit.text.normalisations.NORMALISATIONS``) and ``strip``
formats    docs/formats.md   ``taskkit.sim.formats.FORMATS``: name and the first sentence of
                             its module's docstring
importers  docs/importers.md ``taskkit.importers.IMPORTERS``, the same way
agents     docs/runs.md      ``taskkit.agents.AGENTS``, the same way (``AGENT_DOCS`` for a
                             factory whose module says something else)
cli        docs/cli.md       every command of ``taskkit.cli.main.COMMANDS``: usage, help,
                             options
========== ================= ==================================================================

The prose kept here is keyed by the registries' names, and the generator raises when the two
disagree: a new operation, operator or answer check cannot go undocumented.
"""

from __future__ import annotations

import argparse
import importlib
import inspect
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
from pydantic_core import PydanticUndefined

__all__ = ["SECTIONS", "DocsError", "main", "regenerate", "render_section"]

COMMAND = "python -m taskkit.docs_gen"
NONE = "\N{EN DASH}"  # an empty cell, as the hand-written tables of docs/ write it


class DocsError(ValueError):
    """The registries and the prose here disagree, or a doc lost its markers."""


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def _rst(text: str) -> str:
    """Docstring markup (``x``) as Markdown code."""
    return re.sub(r"``(.+?)``", r"`\1`", text)


def _table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "| " + " | ".join("---" for _ in header) + " |"]
    lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


# --- rules ---------------------------------------------------------------------------------


def _first_sentence(doc: str | None) -> str:
    text = " ".join((doc or "").strip().split("\n\n")[0].split())
    return text.split(". ")[0].rstrip(".") + "."


def rules_table() -> str:
    from .lint.registry import RULES  # noqa: PLC0415 - loads every rule module
    from .rule_ids import PACK_GATE  # noqa: PLC0415

    rows = []
    for rid, rule in RULES.items():
        module = getattr(rule, "__name__", "")
        path = "../" + module.replace(".", "/") + ".py"
        doc = getattr(rule, "__doc__", None)
        rows.append([f"[{rid}]({path})", rule.NAME, str(rule.SEVERITY), _rst(_first_sentence(doc))])
    # the pack gate's ids too (`taskkit pack check`): every id taskkit prints is explained here
    for rid, (name, text) in PACK_GATE.items():
        rows.append(
            [f"[{rid}](../taskkit/rule_ids.py)", name, "error", f"`taskkit pack check`: {text}"]
        )
    rows.sort(key=lambda row: row[0])
    return _table(["id", "name", "severity", "summary"], rows)


# --- operations and where operators -------------------------------------------------------

OPERATION_RESULTS: dict[str, tuple[str, str]] = {
    "select": (
        "list of matching records, sorted, cut to `limit`, projected to `fields`",
        "`tool_error` when `limit` does not render to a number",
    ),
    "get": ("the record whose `id` matches, projected to `fields`", "`not_found`"),
    "insert": (
        "the inserted record (a generated `id` comes first)",
        "`conflict` when `record.id` is already taken",
    ),
    "update": (
        'with `id`: the updated record; with `where`: `{"updated": n, "records": [...]}` '
        "(n may be 0)",
        "`not_found` (with `id`)",
    ),
    "delete": (
        'with `id`: `{"deleted": "<id>"}`; with `where`: `{"deleted": ["<id>", ...]}`',
        "`not_found` (with `id`)",
    ),
    "count": ('`{"count": n}`', NONE),
    "aggregate": ('`{"value": v}`', NONE),
    "steps": (
        "the last step's value (`respond` sees it as `result`, and every bound name)",
        "the failing step's error; the state is left untouched",
    ),
    "handler": (
        "what the function returns",
        "`handler_error`; refused when the pack is not trusted",
    ),
}
"""Operation -> (result, fails with): what ``taskkit.sim`` does, for the docs."""

STEP_RESULTS: dict[str, tuple[str, str]] = {
    "get": ("the record", "`not_found` (`error`)"),
    "select": ("list of matching records", "`tool_error` when `limit` is not a number"),
    "count": ("the number of matching records", NONE),
    "aggregate": ("the value (`null` over no record)", NONE),
    "let": ("the names it bound, as an object", NONE),
    "require": ("`true`", "`precondition` (`error`)"),
    "set": ("the updated record", "`not_found` (`error`)"),
    "append": ("the updated record", "`not_found` (`error`); not a list at `path`"),
    "increment": ("the updated record", "`not_found` (`error`); not a number at `path` or `by`"),
    "insert": ("the stored record", "`conflict` when `id` is taken"),
    "delete": (
        'with `path`: the updated record; without: `{"deleted": "<id>"}`',
        "`not_found` (`error`)",
    ),
    "each": ("list of each item's last step value", "a value that is not a list"),
}
"""Step kind -> (value bound by ``as`` / ``result``, fails with), for the docs."""

WHERE_MEANINGS: dict[str, str] = {
    "eq": "equal, exactly (see below)",
    "ne": "not equal",
    "ieq": "equal, strings ignoring case and surrounding spaces",
    "gt": "the field is greater (see the order below)",
    "gte": "the field is greater or equal",
    "lt": "the field is less",
    "lte": "the field is less or equal",
    "contains": "the field is a string containing the value (exactly), or a list with an "
    "element equal to the value",
    "icontains": "`contains`, strings ignoring case and surrounding spaces",
    "in": "the value is a list with an element equal to the field",
    "not_in": "the value is a list with no element equal to the field (a value that is not "
    "a list: false)",
    "startswith": "the field is a string starting with the value (exactly)",
    "istartswith": "`startswith`, ignoring case and surrounding spaces",
}
"""``where`` operator -> when it holds, in the order of the table."""


def _same_keys(what: str, code: set[str], prose: set[str]) -> None:
    if code != prose:
        missing, extra = sorted(code - prose), sorted(prose - code)
        raise DocsError(
            f"{what}: undocumented {missing or 'none'}, documented but gone {extra or 'none'}; "
            "edit taskkit/docs_gen.py"
        )


def _takes(op: Any) -> str:
    """An operation's options: required ones in bold, exactly-one-of ones marked."""
    out = []
    for key in sorted(op.options):
        text = f"`{key}`"
        if key in op.required:
            text = f"**{text}** (required)"
        elif key in op.one_of:
            text += " (this or " + " or ".join(f"`{k}`" for k in sorted(op.one_of - {key})) + ")"
        out.append(text)
    return ", ".join(out) or NONE


def operations_table() -> str:
    from .models.operations import OPERATIONS  # noqa: PLC0415

    _same_keys("behaviour operations", set(OPERATIONS), set(OPERATION_RESULTS))
    rows = []
    for name, op in OPERATIONS.items():
        result, fails = OPERATION_RESULTS[name]
        writes = {"no": "no", "yes": "yes", "maybe": "maybe (any part of the state)"}[op.writes]
        key = f"`{name}: C`" if op.touches == "named" else f"`{name}`"
        if op.touches == "steps":
            writes, key = "the collections its write steps name", f"`{name}: [...]`"
        rows.append([key, op.summary, _takes(op), writes, result, fails])
    rows.append(
        ["none (only `respond`)", "", NONE, "no", "`null` (`respond` sees `result` as none)", NONE]
    )
    return _table(["operation", "does", "takes", "writes", "result", "fails with"], rows)


_STEP_KEYS = {"let": "`let: {name: value}`", "require": "`require: expr`", "each": "`each: list`"}
"""How the step kinds whose key does not name a collection are written."""


def steps_table() -> str:
    from .models.operations import STEPS  # noqa: PLC0415

    _same_keys("step kinds", set(STEPS), set(STEP_RESULTS))
    rows = []
    for name, step in STEPS.items():
        value, fails = STEP_RESULTS[name]
        writes = {"yes": "yes", "no": "its nested steps'" if name == "each" else "no"}
        key = _STEP_KEYS.get(name, f"`{name}: C`")
        rows.append([key, step.summary, _takes(step), writes[step.writes], value, fails])
    return _table(["step", "does", "takes", "writes", "value (`as`)", "fails with"], rows)


def helpers_table() -> str:
    from .sim.helpers import HELPERS  # noqa: PLC0415

    return _table(["helper", "returns"], [[f"`{h.signature}`", h.doc] for h in HELPERS.values()])


def where_table() -> str:
    from .models.operations import WHERE_OPERATORS  # noqa: PLC0415

    _same_keys("where operators", set(WHERE_OPERATORS), set(WHERE_MEANINGS))
    rows = [[f"`{op}`", holds] for op, holds in WHERE_MEANINGS.items()]
    return _table(["operator", "holds when"], rows)


# --- answer checks ------------------------------------------------------------------------

ANSWER_CHECKS: dict[str, tuple[str, str]] = {
    "contains": ("list of strings", "every string occurs in the normalised answer"),
    "not_contains": ("list of strings", "none of the strings occurs in the normalised answer"),
    "equals": ("string", "the normalised answer equals the normalised string"),
    "regex": (
        "string",
        "the regex matches somewhere in the raw (not normalised) answer, ignoring case",
    ),
    "number": ("number check", "some number in the answer is within tolerance of `value`"),
    "normalize": (
        "list of normalisations",
        "not a check: the steps `contains`, `not_contains` and `equals` normalise with "
        "(see below); not given, the default normalisation",
    ),
    "scope": (
        "`final` or `any`",
        "not a check: `any` checks every assistant message of the episode, not only the "
        "final answer",
    ),
}
"""``AnswerCheck`` field -> (type, holds when)."""


def _default(value: Any) -> str:
    if value is PydanticUndefined:
        return "required"
    if value is None:
        return "none"
    return f"`{value!r}`".replace("'", '"')


def answers_table() -> str:
    from .models.checks import AnswerCheck  # noqa: PLC0415

    fields = AnswerCheck.model_fields
    _same_keys("answer checks", set(fields), set(ANSWER_CHECKS))
    rows = []
    for name, info in fields.items():
        kind, holds = ANSWER_CHECKS[name]
        rows.append([f"`{name}`", kind, _default(info.default), holds])
    return _table(["field", "type", "default", "holds when"], rows)


def normalisations_table() -> str:
    from .text.normalisations import NORMALISATIONS, STRIP, STRIP_DOES  # noqa: PLC0415

    rows = [[f"`{name}`", n.does] for name, n in NORMALISATIONS.items()]
    rows.append([f"`{{{STRIP}: [...]}}`", STRIP_DOES])
    return _table(["step", "does"], rows)


# --- formats, importers, agents -----------------------------------------------------------


def _module_doc(obj: Any) -> str:
    """The first sentence of the docstring of the module that defines ``obj`` (or of ``obj``,
    a module), as Markdown."""
    module = obj if inspect.ismodule(obj) else sys.modules[obj.__module__]
    return _rst(_first_sentence(module.__doc__))


def formats_table() -> str:
    from .sim.formats import FORMATS  # noqa: PLC0415

    rows = [[f"[`{name}`](#{name})", _module_doc(fmt)] for name, fmt in FORMATS.items()]
    return _table(["format", "what it is"], rows)


def importers_table() -> str:
    from .importers import IMPORTERS  # noqa: PLC0415

    rows = [
        [f"`taskkit import {name}`", _module_doc(importer)] for name, importer in IMPORTERS.items()
    ]
    return _table(["source", "reads"], rows)


AGENT_DOCS: dict[str, str] = {
    "openai": "``openai``: any OpenAI-compatible chat server (``--model``, ``--base-url``; "
    "the `openai` extra).",
}
"""What an agent is, for the agents whose factory lives in a module that says otherwise
(the lazily imported ones); the others' module docstrings say it."""


def agents_table() -> str:
    from .agents import AGENTS  # noqa: PLC0415

    if set(AGENT_DOCS) - set(AGENTS):
        raise DocsError(
            f"AGENT_DOCS describes agents not in AGENTS: {sorted(set(AGENT_DOCS) - set(AGENTS))}"
        )
    rows = []
    for name, factory in AGENTS.items():
        text = _rst(AGENT_DOCS[name]) if name in AGENT_DOCS else _module_doc(factory)
        rows.append([f"`--agent {name}`", text])
    return _table(["agent", "what it does"], rows)


# --- the CLI reference --------------------------------------------------------------------


def _commands() -> list[tuple[str, click.Command]]:
    from .cli.main import COMMANDS  # noqa: PLC0415

    out: list[tuple[str, click.Command]] = []
    for name in sorted(COMMANDS):
        module, attr = COMMANDS[name]
        command = getattr(importlib.import_module(module), attr)
        out.append((name, command))
        if isinstance(command, click.Group):
            out += [(f"{name} {sub}", command.commands[sub]) for sub in sorted(command.commands)]
    return out


def _help(command: click.Command) -> str:
    text = inspect.cleandoc(command.help or "").replace("\b\n", "")
    return _rst(text.split("\f")[0]).strip()


_METAVARS = {"integer range": "INTEGER", "float range": "FLOAT", "directory": "DIR"}


def _option_row(param: click.Option) -> list[str]:
    names = ", ".join(f"`{o}`" for o in [*param.opts, *param.secondary_opts])
    if not param.is_flag and not isinstance(param.type, click.Choice):  # choices: below
        kind = param.type.name
        names += f" `{param.metavar or _METAVARS.get(kind, kind.upper())}`"
    meaning = _rst(param.help or "")
    if isinstance(param.type, click.Choice):
        meaning += " One of " + ", ".join(f"`{c}`" for c in param.type.choices) + "."
    if param.show_default and param.default not in (None, False, ()):
        meaning += f" Default: `{param.default}`."
    if param.multiple:
        meaning += " Repeatable."
    return [names, meaning.strip()]


def cli_reference() -> str:
    parts = []
    for name, command in _commands():
        ctx = click.Context(command, info_name=f"taskkit {name}")
        usage = " ".join(command.collect_usage_pieces(ctx))
        parts.append(f"### `taskkit {name}`\n\n`taskkit {name} {usage}`")
        if command.help:
            parts.append(_help(command))
        options = [p for p in command.params if isinstance(p, click.Option) and not p.hidden]
        if options:
            parts.append(_table(["option", "meaning"], [_option_row(p) for p in options]))
    return "\n\n".join(parts)


# --- the markers ----------------------------------------------------------------------------

SECTIONS: dict[str, tuple[str, Callable[[], str]]] = {
    "rules": ("docs/authoring.md", rules_table),
    "operations": ("docs/authoring.md", operations_table),
    "steps": ("docs/authoring.md", steps_table),
    "helpers": ("docs/authoring.md", helpers_table),
    "where": ("docs/authoring.md", where_table),
    "answers": ("docs/authoring.md", answers_table),
    "normalise": ("docs/authoring.md", normalisations_table),
    "formats": ("docs/formats.md", formats_table),
    "importers": ("docs/importers.md", importers_table),
    "agents": ("docs/runs.md", agents_table),
    "cli": ("docs/cli.md", cli_reference),
}
"""Section name -> (the Markdown file holding its markers, the function rendering it)."""


def _markers(name: str) -> tuple[str, str]:
    return f"<!-- BEGIN GENERATED {name}: {COMMAND} -->", f"<!-- END GENERATED {name} -->"


def render_section(text: str, name: str, body: str, path: str) -> str:
    begin, end = _markers(name)
    pattern = re.compile(re.escape(begin) + r"\n.*?" + re.escape(end), re.S)
    if len(pattern.findall(text)) != 1:
        raise DocsError(f"{path}: needs one pair of markers `{begin}` ... `{end}`")
    return pattern.sub(lambda _: f"{begin}\n{body}\n{end}", text)


def regenerate(root: str | Path, *, check: bool = False) -> list[str]:
    """Render every section into the docs under ``root``; return the files that differed
    (and, unless ``check``, were rewritten)."""
    texts: dict[str, str] = {}
    for name, (rel, render) in SECTIONS.items():
        if rel not in texts:
            texts[rel] = (Path(root) / rel).read_text(encoding="utf-8")
        texts[rel] = render_section(texts[rel], name, render(), rel)
    stale = []
    for rel, text in texts.items():
        path = Path(root) / rel
        if path.read_text(encoding="utf-8") != text:
            stale.append(rel)
            if not check:
                path.write_text(text, encoding="utf-8")
    return stale


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog=COMMAND, description=__doc__.split("\n")[0])
    parser.add_argument("--check", action="store_true", help="only report docs that differ")
    parser.add_argument("--root", default=str(Path(__file__).resolve().parents[1]))
    args = parser.parse_args(argv)
    try:
        stale = regenerate(args.root, check=args.check)
    except (DocsError, OSError) as exc:
        print(f"docs_gen: {exc}", file=sys.stderr)
        return 2
    for rel in stale:
        verb = "out of date; run `" + COMMAND + "`" if args.check else "rewritten"
        print(f"{rel}: {verb}")
    return 1 if stale and args.check else 0


if __name__ == "__main__":
    sys.exit(main())
