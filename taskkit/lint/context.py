"""What every lint rule reads: the loaded library, plus caches shared between rules."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from ..diagnostics import Diagnostic
from ..jsonvalidate import SchemaError, Validator, compile_schema
from ..library import Library, LoadedDoc
from ..models import Content, Task
from ..sim.behaviors import check_source
from ..templating import TemplateError, is_template, parse

__all__ = ["LintContext", "TaskName", "TemplateSite"]


@dataclass(frozen=True, slots=True)
class TemplateSite:
    """A templated string inside a document."""

    owner: LoadedDoc
    loc: tuple[str | int, ...]
    source: str


@dataclass(frozen=True, slots=True)
class TaskName:
    """A valid task's id and dataset: what the library-wide rules read of a task."""

    owner: LoadedDoc
    id: str
    content: str


@dataclass
class LintContext:
    lib: Library
    deep: bool = False
    """Also render every entry and replay the gold actions (the compile-phase rules)."""
    trust: frozenset[str] = frozenset()
    _validators: dict[str, Validator | SchemaError] = field(default_factory=dict)
    _compiled: list[Diagnostic] | None = None
    task_names: list[TaskName] | None = None
    """Every valid task, when the tasks themselves were linted in other processes and
    ``lib`` holds only the documents they refer to (see :mod:`.shards`)."""
    _sites: dict[int, list[TemplateSite]] = field(default_factory=dict)

    def compile_diagnostics(self, rule: str) -> Iterator[Diagnostic]:
        """Diagnostics of a full compile (cached), when linting ``deep``."""
        if not self.deep:
            return iter(())
        if self._compiled is None:
            from ..compiler.build import compile_unit, units  # noqa: PLC0415 - compile imports lint

            self._compiled = []
            for unit in units(self.lib, trust=self.trust):
                for entry in self.lib.entries(unit.content):
                    result = compile_unit(unit, entry)
                    if isinstance(result, Diagnostic):
                        self._compiled.append(result)
        return (d for d in self._compiled if d.rule == rule)

    def validator(self, schema: dict[str, Any]) -> Validator | SchemaError:
        """A compiled validator for ``schema`` (or why it is invalid), cached by content."""
        key = json.dumps(schema, sort_keys=True, default=str)
        hit = self._validators.get(key)
        if hit is None:
            try:
                hit = compile_schema(schema)
            except SchemaError as exc:
                hit = exc
            except RecursionError:
                hit = SchemaError("schema nested too deeply to check")
            self._validators[key] = hit
        return hit

    def loader(self, rule: str) -> Iterator[Diagnostic]:
        return (d for d in self.lib.diagnostics if d.rule == rule)

    def tasks(self) -> Iterator[tuple[LoadedDoc, Task]]:
        for ld in self.lib.tasks:
            if isinstance(ld.model, Task):
                yield ld, ld.model

    def names_of_tasks(self) -> Iterator[TaskName]:
        """Every valid task's id and dataset, in library order."""
        if self.task_names is not None:
            yield from self.task_names
            return
        for ld, task in self.tasks():
            yield TaskName(ld, task.id, task.content)

    def content_of(self, ld: LoadedDoc, task: Task) -> tuple[LoadedDoc, Content] | None:
        content = self.lib.content(ld.pack, task.content)
        if content is None or not isinstance(content.model, Content):
            return None
        return content, content.model

    def template_sites(self, ld: LoadedDoc) -> list[TemplateSite]:
        """Every string with Jinja syntax in a valid document, with its key path.

        Three rules read the same sites, so they are found once per document."""
        sites = self._sites.get(id(ld))
        if sites is None:
            sites = self._sites[id(ld)] = _template_sites(ld)
        return sites

    def parses(self, source: str) -> bool:
        try:
            parse(source)
        except TemplateError:
            return False
        return True


def _template_sites(ld: LoadedDoc) -> list[TemplateSite]:
    """Depth-first, in document order. A key path is built only for containers and for the
    strings that are sites: most strings are not, and building a tuple for every value
    was most of the cost of walking a task."""
    data = ld.doc.data
    if isinstance(data, str):
        return [TemplateSite(ld, (), data)] if is_template(data) else []
    if not isinstance(data, dict | list):
        return []
    out: list[TemplateSite] = []
    stack: list[tuple[Iterator[tuple[Any, Any]], tuple[str | int, ...]]] = [(_children(data), ())]
    while stack:
        children, loc = stack[-1]
        for key, value in children:
            if isinstance(value, str):
                if is_template(value):
                    out.append(TemplateSite(ld, (*loc, key), value))
                elif key == "check" and len(loc) >= 2 and loc[-2] == "require":
                    out.append(TemplateSite(ld, (*loc, key), check_source(value)))
            elif isinstance(value, dict | list):
                stack.append((_children(value), (*loc, key)))
                break  # descend now; this level resumes where it left off
        else:
            stack.pop()
    return out


def _children(value: dict[str, Any] | list[Any]) -> Iterator[tuple[Any, Any]]:
    return iter(value.items()) if isinstance(value, dict) else enumerate(value)
