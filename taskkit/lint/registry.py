"""Every lint rule, in one table. A rule is a module with ``ID``, ``NAME``, ``SEVERITY``,
``READS`` (what it reads, see :mod:`.scope`), a docstring (shown by ``taskkit rules``) and
``check(ctx)``, a generator of diagnostics."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

from ..diagnostics import Diagnostic, Severity
from .context import LintContext
from .rules import (
    duplicate_id,
    duplicate_key,
    effect_mismatch,
    encoding,
    entry_schema,
    file_unreadable,
    gold_action,
    gold_action_fails,
    gold_expectation,
    invalid_json_schema,
    jinja_syntax,
    jsonl_syntax,
    non_json_value,
    optional_field,
    pack_lock_invalid,
    pack_manifest,
    pack_requires,
    python_braces,
    render_error,
    schema_version,
    schema_violation,
    task_version_not_bumped,
    tool_name_clash,
    undefined_variable,
    unknown_content,
    unknown_evaluator,
    unknown_kind,
    unknown_schema_keyword,
    unknown_tool,
    unsafe_tag,
    untrusted_handler,
    unused_content,
    unused_tool,
    vacuous_final,
    yaml_bomb,
    yaml_syntax,
)
from .scope import Scope

__all__ = ["RULES", "Rule", "rules_reading"]


class Rule(Protocol):
    ID: str
    NAME: str
    SEVERITY: Severity
    READS: Scope

    def check(self, ctx: LintContext) -> Iterable[Diagnostic]: ...


RULES: dict[str, Rule] = {
    "TK001": yaml_syntax,
    "TK003": file_unreadable,
    "TK004": encoding,
    "TK005": unsafe_tag,
    "TK006": yaml_bomb,
    "TK007": duplicate_key,
    "TK008": jsonl_syntax,
    "TK009": non_json_value,
    "TK101": unknown_kind,
    "TK102": schema_version,
    "TK103": schema_violation,
    "TK201": duplicate_id,
    "TK202": unknown_tool,
    "TK203": unknown_content,
    "TK204": unknown_evaluator,
    "TK205": tool_name_clash,
    "TK301": jinja_syntax,
    "TK302": undefined_variable,
    "TK303": python_braces,
    "TK304": optional_field,
    "TK401": entry_schema,
    "TK402": invalid_json_schema,
    "TK403": gold_action,
    "TK404": unknown_schema_keyword,
    "TK405": effect_mismatch,
    "TK501": unused_tool,
    "TK502": unused_content,
    "TK503": vacuous_final,
    # pack manifests and locks (see taskkit.packs)
    "TK601": pack_manifest,
    "TK602": task_version_not_bumped,
    "TK603": pack_requires,
    "TK604": pack_lock_invalid,
    # compile phase: found by `taskkit compile` and `taskkit lint --deep`
    "TK701": render_error,
    "TK702": gold_action_fails,
    "TK703": gold_expectation,
    "TK704": untrusted_handler,
}


def rules_reading(*scopes: Scope) -> frozenset[str]:
    """The ids of the rules that read what one of ``scopes`` says."""
    return frozenset(rule_id for rule_id, rule in RULES.items() if rule.READS in scopes)
