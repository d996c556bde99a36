"""What every lint rule reads: the loaded library, plus caches shared between rules."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import orjson

from ..diagnostics import Diagnostic
from ..library import Library, LoadedDoc
from ..models import Content, Task
from ..models.user import User
from ..schema.validate import SchemaError, Validator, compile_schema
from ..sim.behaviors import check_source
from ..templates.environment import TemplateError, is_template, parse

__all__ = ["CompilePhase", "LintContext", "TaskName", "TemplateSite"]

CompilePhase = Callable[[Library, frozenset[str]], list[Diagnostic]]
"""What compiling a library (with these trusted packs) finds; lint cannot compile (the
compiler is above it), so ``lint --deep`` is handed this by its caller."""


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
    compile_phase: CompilePhase | None = None
    """Also render every entry and replay the gold actions (the compile-phase rules):
    the compiler's :func:`taskkit.compiler.deep.compile_findings`, for ``lint --deep``."""
    trust: frozenset[str] = frozenset()
    _validators: dict[bytes | str, Validator | SchemaError] = field(default_factory=dict)
    _by_id: dict[int, tuple[Any, Validator | SchemaError]] = field(default_factory=dict)
    _compiled: list[Diagnostic] | None = None
    task_names: list[TaskName] | None = None
    """Every valid task, when the tasks themselves were linted in other processes and
    ``lib`` holds only the documents they refer to (see :mod:`.shards`)."""
    _sites: dict[int, list[TemplateSite]] = field(default_factory=dict)
    _walked: dict[int, list[tuple[tuple[str | int, ...], str]]] = field(default_factory=dict)

    def compile_diagnostics(self, rule: str) -> Iterator[Diagnostic]:
        """Diagnostics of a full compile (cached), when linting with a ``compile_phase``."""
        if self.compile_phase is None:
            return iter(())
        if self._compiled is None:
            self._compiled = self.compile_phase(self.lib, self.trust)
        return (d for d in self._compiled if d.rule == rule)

    def validator(self, schema: dict[str, Any]) -> Validator | SchemaError:
        """A compiled validator for ``schema`` (or why it is invalid), cached by content,
        and by identity in front of that: rules ask again for the same tool's schema object
        once per task that calls it, and keying by content serialises the schema."""
        seen = self._by_id.get(id(schema))
        if seen is not None and seen[0] is schema:
            return seen[1]
        key = _schema_key(schema)
        hit = self._validators.get(key)
        if hit is None:
            try:
                hit = compile_schema(schema)
            except SchemaError as exc:
                hit = exc
            except RecursionError:
                hit = SchemaError("schema nested too deeply to check")
            self._validators[key] = hit
        self._by_id[id(schema)] = (schema, hit)  # holding `schema` keeps its id from reuse
        return hit

    def loader(self, rule: str) -> Iterator[Diagnostic]:
        return (d for d in self.lib.diagnostics if d.rule == rule)

    def tasks(self) -> Iterator[tuple[LoadedDoc, Task]]:
        for ld in self.lib.tasks:
            if isinstance(ld.model, Task):
                yield ld, ld.model

    def task_documents(self) -> Iterator[tuple[LoadedDoc, Task]]:
        """Every valid task among the documents read: what a ``document`` rule reads, as it
        runs before the index (and so :meth:`tasks`) is built."""
        for ld in self.lib.docs:
            if isinstance(ld.model, Task):
                yield ld, ld.model

    def user_tasks(self) -> Iterator[tuple[LoadedDoc, Task, User]]:
        """Every valid task with a simulated user (a ``user:`` block), with it: what the
        rules on the gold conversation read."""
        for ld, task in self.task_documents():
            if task.user is not None:
                yield ld, task, task.user

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
            sites = self._sites[id(ld)] = [
                TemplateSite(ld, loc, text if is_template(text) else check_source(text))
                for loc, text in self._strings(ld)
                if is_template(text) or _is_check(loc)
            ]
        return sites

    def braced_strings(self, ld: LoadedDoc) -> list[tuple[tuple[str | int, ...], str]]:
        """Every string with a ``{`` in it, with its key path, in document order."""
        return [(loc, text) for loc, text in self._strings(ld) if "{" in text]

    def _strings(self, ld: LoadedDoc) -> list[tuple[tuple[str | int, ...], str]]:
        found = self._walked.get(id(ld))
        if found is None:
            found = self._walked[id(ld)] = []
            if isinstance(ld.doc.data, str):
                if "{" in ld.doc.data:
                    found.append(((), ld.doc.data))
            elif isinstance(ld.doc.data, dict | list):
                _collect(ld.doc.data, (), found)
        return found

    def parses(self, source: str) -> bool:
        try:
            parse(source)
        except TemplateError:
            return False
        return True


def _schema_key(schema: dict[str, Any]) -> bytes | str:
    """A schema's identity by content (orjson, or json past its limits: 64-bit integers)."""
    try:
        return orjson.dumps(schema, option=orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS)
    except TypeError:
        return json.dumps(schema, sort_keys=True, default=str)


def _is_check(loc: tuple[str | int, ...]) -> bool:
    """A behaviour's ``require: [{check: ...}]``, or a step's ``require:`` or ``when:`` (an
    expression, a template without its braces)."""
    if len(loc) >= 3 and loc[-1] in ("require", "when") and loc[-3] == "steps":
        return True
    return len(loc) >= 3 and loc[-1] == "check" and loc[-3] == "require"


_EXPRESSION_KEYS = frozenset({"check", "require", "when"})
"""Keys whose string is an expression even without braces (a ``require.check``, a step's
``require`` or ``when``): :func:`_is_check` says which of them are."""


def _collect(
    value: dict[str, Any] | list[Any],
    loc: tuple[str | int, ...],
    out: list[tuple[tuple[str | int, ...], str]],
) -> None:
    """The strings :meth:`LintContext.template_sites` and ``braced_strings`` may read (with
    a ``{``, or under an expression key), in document order. Key paths are built for containers and hits only: most strings are
    neither, and a tuple for every value was most of the cost of walking a task."""
    if type(value) is dict:
        for key, item in value.items():
            kind = type(item)
            if kind is str:
                # expressions without braces: template_sites keeps the behaviours' ones
                if "{" in item or key in _EXPRESSION_KEYS:
                    out.append(((*loc, key), item))
            elif kind is dict or kind is list:
                _collect(item, (*loc, key), out)
        return
    for i, item in enumerate(value):
        kind = type(item)
        if kind is str:
            if "{" in item:
                out.append(((*loc, i), item))
        elif kind is dict or kind is list:
            _collect(item, (*loc, i), out)
