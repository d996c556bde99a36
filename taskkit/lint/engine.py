"""Running one rule: the one place that calls a rule module, whichever way lint runs (over a
whole library, in shards, with the cache's records standing in for files).

A rule reports, the engine states: each finding is stamped with its rule's severity from the
registry (:data:`.registry.RULES`), so a rule module need not pass ``severity=`` and cannot
disagree with what ``taskkit rules`` says. A rule reports under its own id only.

A rule may also have a per-document part, ``check_document(ctx, ld)``: findings that read
nothing but one document and what only it brings (a dataset's entries, say). The engine runs
it wherever the document is read, and the lint cache keeps its findings with the document's
file, so a rule never asks where it runs (duplicate entry ids of TK201 are such a part)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace

from ..diagnostics import Diagnostic
from ..library import LoadedDoc
from .context import LintContext
from .registry import DOCUMENT_HOOKS, RULES

__all__ = ["document_hooks", "run_document", "run_rule"]


def run_rule(rule_id: str, ctx: LintContext) -> list[Diagnostic]:
    """``rule_id``'s findings over ``ctx``, each with the rule's severity."""
    return _stamped(rule_id, RULES[rule_id].check(ctx))


def document_hooks(rules: Sequence[str]) -> tuple[str, ...]:
    """Those of ``rules`` (ids) that have a per-document part, in the order given."""
    return tuple(rule_id for rule_id in rules if rule_id in DOCUMENT_HOOKS)


def run_document(rules: Sequence[str], ctx: LintContext, ld: LoadedDoc) -> list[Diagnostic]:
    """The per-document parts of ``rules`` (from :func:`document_hooks`) on ``ld``."""
    found: list[Diagnostic] = []
    for rule_id in rules:
        found += _stamped(rule_id, DOCUMENT_HOOKS[rule_id](ctx, ld))
    return found


def _stamped(rule_id: str, diags: Iterable[Diagnostic]) -> list[Diagnostic]:
    severity = RULES[rule_id].SEVERITY
    out = []
    for d in diags:
        if d.rule != rule_id:
            raise ValueError(f"rule {rule_id} reported a finding as {d.rule!r}")
        out.append(d if d.severity is severity else replace(d, severity=severity))
    return out
