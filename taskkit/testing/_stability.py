"""Properties ``deterministic`` (compiling again gives the same tasks) and ``round_trip``
(the task's documents survive YAML -> model -> YAML -> model)."""

from __future__ import annotations

import time
from typing import Any

from ..diagnostics import Diagnostic
from ..models import CompiledTask
from ._compare import first_difference
from ._outcome import result
from ._roundtrip import round_trip_problem
from .case import Compiled, TaskCase, compile_safely
from .profiles import Profile
from .results import PropertyFinding, PropertyResult

__all__ = ["deterministic", "round_trip"]


def deterministic(case: TaskCase, profile: Profile) -> PropertyResult:
    started = time.perf_counter()
    twin = case.reload()
    if twin is None:
        return result(
            case,
            "deterministic",
            0,
            [
                PropertyFinding(
                    "the task does not resolve when the library is loaded again",
                    path=case.path,
                    line=case.line,
                )
            ],
            started=started,
        )
    findings: list[PropertyFinding] = []
    indices = case.sample(profile, "deterministic")
    for index in indices:
        entry, first = case.instances[index]
        for how, again in (
            ("compiled a second time", compile_safely(case.unit, entry)),
            ("compiled from a fresh load", compile_safely(twin.unit, twin.entries[index])),
        ):
            difference = first_difference(_plain(first), _plain(again))
            if difference is not None:
                where, was, now = difference
                findings.append(
                    PropertyFinding(
                        f"entry {entry.id!r} {how} differs at {where or 'the top'}",
                        {"at": where, "first": was, "then": now},
                        "the first difference",
                        case.path,
                        case.line,
                        hint="a template or handler depends on something besides the entry "
                        "(time, randomness, set order, state shared between compiles)",
                    )
                )
                break
    return result(case, "deterministic", len(indices), findings, started=started)


def _plain(compiled: Compiled) -> Any:
    if isinstance(compiled, CompiledTask):
        return compiled.model_dump(mode="json")
    if isinstance(compiled, Diagnostic):
        return compiled.text()
    return f"{type(compiled).__name__}: {compiled}"


def round_trip(case: TaskCase, profile: Profile) -> PropertyResult:
    started = time.perf_counter()
    findings: list[PropertyFinding] = []
    documents = case.documents()
    for ld in documents:
        problem = round_trip_problem(ld)
        if problem is not None:
            message, example = problem
            findings.append(
                PropertyFinding(
                    message,
                    example,
                    f"{ld.kind} document {ld.path}",
                    ld.path,
                    ld.doc.start_line,
                    hint="taskkit writes this document differently from how it reads it: "
                    "please report it as a taskkit bug, with the document",
                )
            )
    return result(case, "round_trip", len(documents), findings, started=started)
