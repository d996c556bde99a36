"""Does a content entry render, and do its gold actions verify? Which fields break it?

A generated entry is schema-valid but arbitrary: its ``cheapest_id`` need not be one of its
``homes``, so the gold replay may fail for reasons no author could prevent. What must hold
for *every* schema-valid entry is what the schema can promise: every template renders, and
every gold action is a call its tool's ``parameters`` accept.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from ..compiler.build import CompileUnit
from ..diagnostics import Diagnostic
from ..library import Entry
from ..rule_ids import RENDER_ERROR
from ..schema.validate import compile_trusted, describe
from ..sim.diff import copy_json
from ..templates.render import RenderError, entry_context, render_at
from .case import compile_safely

__all__ = ["Blame", "Problem", "RenderCheck", "blame", "same_problem", "swap"]


@dataclass(frozen=True)
class Problem:
    site: tuple[Any, ...]
    """What failed where: two problems with one site are the same failure."""
    message: str
    path: str
    line: int


class RenderCheck:
    """``check(entry_data)`` -> the first :class:`Problem`, or ``None``."""

    def __init__(self, unit: CompileUnit) -> None:
        self.unit = unit
        self._validators = {ref: compile_trusted(e.parameters) for ref, e in unit.envs.items()}

    def __call__(self, data: Mapping[str, Any]) -> Problem | None:
        unit = self.unit
        # rendered values alias the entry's: compile a copy, and keep the caller's intact
        own: dict[str, Any] = copy_json(dict(data))
        entry = Entry(id=str(own.get("id", "")), data=own, path=unit.content.path, loc=())
        result = compile_safely(unit, entry)
        if isinstance(result, Exception):
            return Problem(
                ("crash", type(result).__name__),
                f"compiling raises {type(result).__name__}: {result} (a taskkit bug: please report it)",
                unit.ld.path,
                unit.ld.doc.start_line,
            )
        context = entry_context(data)
        if isinstance(result, Diagnostic) and result.rule == RENDER_ERROR:
            message = result.message.removeprefix(f"entry {entry.id!r}: ")
            where = _failing_template(unit, context)
            if where:
                message = f"{where} does not render: {message}"
            return Problem(("render", result.line, result.col), message, result.path, result.line)
        for i, action in unit.task.final.indexed_calls():
            loc: tuple[str | int, ...] = ("final", "gold_actions", i, "args")
            line = unit.ld.doc.locate(loc)[0]
            try:
                args = render_at(action.args, context, loc)
            except RenderError as exc:  # compile reports it first; kept for a clear message
                return Problem(("render", loc), exc.error.message, unit.ld.path, line)
            err = self._validators[action.tool].first_error(args)
            if err is not None:
                return Problem(
                    ("verify", i, err.kind, err.path),
                    f"gold action {i + 1} ({action.tool}) is not a valid call: "
                    f"{describe(err)} [{err.kind}]",
                    unit.ld.path,
                    line,
                )
        return None


def _failing_template(unit: CompileUnit, context: Mapping[str, Any]) -> str:
    """The key path of the task's template that fails (compile reports only its line)."""
    try:
        render_at(unit.ld.doc.data, context, ())
    except RenderError as exc:
        return "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in exc.loc).lstrip(".")
    return ""


@dataclass(frozen=True)
class Blame:
    fields: tuple[str, ...]
    """The content fields that break the task."""
    alone: bool
    """Each of ``fields`` breaks a real entry on its own (else: they cure the generated one)."""
    example: dict[str, Any]


def blame(
    check: Callable[[Mapping[str, Any]], Problem | None],
    failing: dict[str, Any],
    problem: Problem,
    reference: dict[str, Any] | None,
) -> Blame:
    """The fields of ``failing`` that break it, and the clearest entry that shows it.

    With a real entry that passes (``reference``): a field is to blame when the real entry,
    given that one field's generated value (or missing it), fails the same way -- and the
    counterexample is then that real entry with that one change, which reads like the
    author's own data. When no single field does it, the fields whose real values cure the
    generated entry are to blame, and the generated entry is the counterexample.
    """
    if reference is None:
        return Blame((), False, failing)
    names = list(dict.fromkeys(k for k in [*failing, *reference] if k != "id"))
    alone = [n for n in names if same_problem(check(swap(reference, failing, n)), problem)]
    if alone:
        example = swap(reference, failing, alone[0])
        example.pop("id", None)
        return Blame(
            tuple(alone), True, {"id": f"{reference.get('id', 'entry')}-counterexample", **example}
        )
    cures = [n for n in names if check(swap(failing, reference, n)) is None]
    return Blame(tuple(cures), False, failing)


def same_problem(found: Problem | None, problem: Problem) -> bool:
    return found is not None and found.site == problem.site


def swap(base: Mapping[str, Any], source: Mapping[str, Any], name: str) -> dict[str, Any]:
    """``base`` with ``name`` as in ``source`` (absent there: absent here)."""
    out = dict(base)
    if name in source:
        out[name] = source[name]
    else:
        out.pop(name, None)
    return out
