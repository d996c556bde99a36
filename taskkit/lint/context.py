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

__all__ = ["LintContext", "TemplateSite"]


@dataclass(frozen=True, slots=True)
class TemplateSite:
    """A templated string inside a document."""

    owner: LoadedDoc
    loc: tuple[str | int, ...]
    source: str


@dataclass
class LintContext:
    lib: Library
    deep: bool = False
    """Also render every entry and replay the gold actions (the compile-phase rules)."""
    trust: frozenset[str] = frozenset()
    _validators: dict[str, Validator | SchemaError] = field(default_factory=dict)
    _compiled: list[Diagnostic] | None = None

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

    def content_of(self, ld: LoadedDoc, task: Task) -> tuple[LoadedDoc, Content] | None:
        content = self.lib.content(ld.pack, task.content)
        if content is None or not isinstance(content.model, Content):
            return None
        return content, content.model

    def template_sites(self, ld: LoadedDoc) -> Iterator[TemplateSite]:
        """Every string with Jinja syntax in a valid document, with its key path."""
        stack: list[tuple[tuple[str | int, ...], Any]] = [((), ld.doc.data)]
        while stack:
            loc, value = stack.pop()
            if isinstance(value, str):
                if is_template(value):
                    yield TemplateSite(ld, loc, value)
                elif len(loc) >= 2 and loc[-1] == "check" and loc[-3:-2] == ("require",):
                    yield TemplateSite(ld, loc, check_source(value))
            elif isinstance(value, dict):
                stack.extend(((*loc, k), v) for k, v in reversed(value.items()))
            elif isinstance(value, list):
                stack.extend(((*loc, i), v) for i, v in reversed(list(enumerate(value))))

    def parses(self, source: str) -> bool:
        try:
            parse(source)
        except TemplateError:
            return False
        return True
