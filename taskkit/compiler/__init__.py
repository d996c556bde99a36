"""``taskkit compile``: abstract tasks x content entries -> runnable :class:`CompiledTask`\\ s.

The library, lint and the compiled-file readers are imported when first used, so that
:class:`Selection` and the modules of this package that need neither (a resume's index)
load without them."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..diagnostics import Diagnostic, Severity
from ..runtime.lazy import lazy_exports
from .select import Selection

if TYPE_CHECKING:
    from ..library import Library
    from ..models import CompiledTask
    from .output import CompiledFileError, load_compiled, manifest_path, write_compiled

__all__ = [
    "CompileResult",
    "CompiledFileError",
    "Selection",
    "compile_library",
    "compile_paths",
    "load_compiled",
    "manifest_path",
    "write_compiled",
]

__getattr__ = lazy_exports(
    __name__,
    {
        "CompiledFileError": ".output",
        "load_compiled": ".output",
        "manifest_path": ".output",
        "write_compiled": ".output",
    },
)


@dataclass
class CompileResult:
    tasks: list[CompiledTask] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not any(d.severity is Severity.ERROR for d in self.diagnostics)


def compile_library(
    lib: Library,
    *,
    selection: Selection | None = None,
    trust: Iterable[str] = (),
    lint_first: bool = True,
    on_task: Callable[[int], None] | None = None,
) -> CompileResult:
    """Compile every selected instance. Lint errors stop compilation before it starts.
    ``on_task(1)`` is called as each abstract task is taken up (``len(lib.tasks)`` in all),
    for progress displays."""
    from ..runtime.parallel import paused_gc  # noqa: PLC0415 - see the module's docstring

    with paused_gc():
        return _compile_library(
            lib, selection=selection, trust=trust, lint_first=lint_first, on_task=on_task
        )


def _compile_library(
    lib: Library,
    *,
    selection: Selection | None,
    trust: Iterable[str],
    lint_first: bool,
    on_task: Callable[[int], None] | None,
) -> CompileResult:
    from ..lint import lint_library  # noqa: PLC0415 - see the module's docstring
    from .build import compile_unit, units  # noqa: PLC0415

    selection = selection or Selection()
    result = CompileResult()
    if lint_first:
        linted = lint_library(lib)
        errors = [d for d in linted.diagnostics if d.severity is Severity.ERROR]
        if errors:
            result.diagnostics = errors
            return result
    for unit in units(lib, trust=frozenset(trust)):
        if on_task is not None:
            on_task(1)
        if not selection.wants_task(unit.ld.pack, unit.task.id, unit.task.category):
            continue
        for entry in lib.entries(unit.content):
            if selection.limit is not None and len(result.tasks) >= selection.limit:
                return result
            if not selection.wants_instance(unit.ld.pack, unit.task.id, entry.id):
                continue
            compiled = compile_unit(unit, entry)
            if isinstance(compiled, Diagnostic):
                result.diagnostics.append(compiled)
            else:
                result.tasks.append(compiled)
    return result


def compile_paths(
    paths: Iterable[str | os.PathLike[str]],
    *,
    selection: Selection | None = None,
    trust: Iterable[str] = (),
) -> CompileResult:
    """Load, lint and compile the library under ``paths``."""
    from ..library import load_library  # noqa: PLC0415 - see the module's docstring

    return compile_library(load_library(paths), selection=selection or Selection(), trust=trust)
