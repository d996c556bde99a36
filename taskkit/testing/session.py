"""Running the properties over every task of a library.

A :class:`TestSession` loads and lints the library once, and checks any property of any task
on demand (the pytest plugin runs one item at a time); :meth:`TestSession.run` checks them
all, in order, and hands each result over as soon as it is known.
"""

from __future__ import annotations

import functools
import os
import time
import traceback
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from ..compiler.build import units
from ..compiler.select import Selection
from ..diagnostics import Diagnostic, Severity
from ..library import Library, load_library
from ..lint import lint_library
from .case import TaskCase
from .profiles import Profile
from .properties import PROPERTIES
from .results import PropertyFinding, PropertyResult

__all__ = ["LibraryResult", "TestSession", "run_library"]


class TestSession:
    """One library under test.

    Args:
        paths: files and folders of the library (packs and their content).
        trust: packs whose Python handlers may run.
        tasks: globs over task ids or ``pack/task`` ids; empty selects every task.
    """

    __test__ = False  # not a pytest test class, whatever its name says

    def __init__(
        self,
        paths: Iterable[str | os.PathLike[str]],
        *,
        trust: Iterable[str] = (),
        tasks: Sequence[str] = (),
    ) -> None:
        self.paths = [os.fspath(p) for p in paths]
        self.trust = frozenset(trust)
        self.library: Library = load_library(self.paths)
        linted = lint_library(self.library, trust=sorted(self.trust))
        self.lint_errors: list[Diagnostic] = [
            d for d in linted.diagnostics if d.severity is Severity.ERROR
        ]
        selection = Selection(tasks=tuple(tasks))
        self.cases: list[TaskCase] = []
        self._results: dict[tuple[str, str], PropertyResult] = {}
        if self.lint_errors:
            return  # the properties need a library that loads and resolves
        for unit in units(self.library, trust=self.trust):
            if selection.wants_task(unit.ld.pack, unit.task.id, unit.task.category):
                key = f"{unit.ld.pack}/{unit.task.id}"
                self.cases.append(
                    TaskCase(key, unit, self.library, functools.partial(self._twin, key))
                )

    @functools.cached_property
    def _twins(self) -> dict[str, TaskCase]:
        """Every task again, from an independent load of the same files."""
        lib = load_library(self.paths)
        twins: dict[str, TaskCase] = {}
        for unit in units(lib, trust=self.trust):
            key = f"{unit.ld.pack}/{unit.task.id}"
            twins[key] = TaskCase(key, unit, lib, lambda: None)
        return twins

    def _twin(self, key: str) -> TaskCase | None:
        return self._twins.get(key)

    def case(self, key: str) -> TaskCase:
        return next(c for c in self.cases if c.key == key)

    def check(self, case: TaskCase, name: str, profile: Profile) -> PropertyResult:
        """Check one property of one task (each at most once per session and profile)."""
        cache_key = (case.key, f"{name}|{profile}")
        if cache_key not in self._results:
            started = time.perf_counter()
            try:
                result = PROPERTIES[name](case, profile)
            except Exception as exc:  # a bug in a check must not hide the other results
                result = PropertyResult(
                    case.key,
                    name,
                    "fail",
                    0,
                    (
                        PropertyFinding(
                            f"the check crashed: {type(exc).__name__}: {exc} "
                            "(a taskkit bug: please report it with the traceback)",
                            traceback.format_exc(),
                            "traceback",
                            case.path,
                            case.line,
                        ),
                    ),
                    seconds=time.perf_counter() - started,
                )
            self._results[cache_key] = result
        return self._results[cache_key]

    def run(
        self,
        profile: Profile,
        *,
        properties: Sequence[str] | None = None,
        on_result: Callable[[PropertyResult], None] | None = None,
    ) -> LibraryResult:
        """Check every selected property of every task."""
        started = time.perf_counter()
        names = [n for n in PROPERTIES if properties is None or n in properties]
        out = LibraryResult(profile, lint_errors=list(self.lint_errors))
        for case in self.cases:
            for name in names:
                result = self.check(case, name, profile)
                out.results.append(result)
                if on_result is not None:
                    on_result(result)
        out.seconds = time.perf_counter() - started
        return out


@dataclass
class LibraryResult:
    profile: Profile
    results: list[PropertyResult] = field(default_factory=list)
    lint_errors: list[Diagnostic] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def failed(self) -> bool:
        return bool(self.lint_errors) or any(r.failed for r in self.results)

    @property
    def failures(self) -> list[PropertyResult]:
        return [r for r in self.results if r.failed]


def run_library(
    paths: Iterable[str | os.PathLike[str]],
    profile: Profile,
    *,
    trust: Iterable[str] = (),
    tasks: Sequence[str] = (),
    properties: Sequence[str] | None = None,
) -> LibraryResult:
    """Load, lint and check every task under ``paths``.

    Lint errors stop the run before any property (they are in the result's ``lint_errors``).
    """
    session = TestSession(paths, trust=trust, tasks=tasks)
    if session.lint_errors:
        return LibraryResult(profile, lint_errors=session.lint_errors)
    return session.run(profile, properties=properties)
